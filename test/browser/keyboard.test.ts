import test from 'ava';
import type { Page } from 'playwright-core';
import { openChat } from './helpers/browser.js';
import { imageItem } from './helpers/fixtures.js';
import { ScriptedApi, item } from './helpers/scripted-api.js';
import { minutesAgo, useChromium } from './helpers/suite.js';

const suite = useChromium(test);
const focused = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a ? a.id || a.getAttribute('aria-label') || a.tagName : '';
  });

async function tabTo(page: Page, target: string, max = 15): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)) === target) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target} (stuck at ${await focused(page)})`);
}

test('keyboard only: send a message, open an image, change a setting, come back', async (t) => {
  const api = new ScriptedApi({ items: [item(1, { ts: minutesAgo(3), text: 'hello' }), await imageItem(2, { ts: minutesAgo(2), name: 'plot.png' })] });
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  // The chat opens with the cursor in the message box.
  t.is(await focused(page), 'message-input');
  await page.keyboard.type('typed without a mouse');
  await page.keyboard.press('Enter');
  t.deepEqual((await api.nextCall('sendText')).args, ['typed without a mouse']);

  await page.keyboard.press('Shift+Tab');
  t.is(await focused(page), 'attach-button');
  await tabTo(page, 'Open image plot.png');
  await page.keyboard.press('Enter');
  t.deepEqual((await api.nextCall('openImage')).args, ['k-2']);

  await tabTo(page, 'settings-button');
  await page.keyboard.press('Enter');
  await page.locator('#settings-view').waitFor();
  t.is(await focused(page), 'settings-close');
  await tabTo(page, 'setting-dnd');
  await page.keyboard.press('Space');
  t.deepEqual((await api.nextCall('updateSettings')).args, [{ doNotDisturb: true }]);
  await page.keyboard.press('Escape');
  await page.locator('#chat-view').waitFor();
  t.is(await focused(page), 'message-input');
});

test('focus is visible on every control', async (t) => {
  const api = new ScriptedApi({ items: [await imageItem(1, { ts: minutesAgo(2) })] });
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  for (const id of ['settings-button', 'conversation', 'attach-button', 'message-input']) {
    await tabTo(page, id);
    const outline = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow, border: s.borderColor };
    });
    t.true(outline.outline !== 'none' || outline.shadow !== 'none', `${id}: ${JSON.stringify(outline)}`);
  }
});

test('controls have accessible names and the conversation is a live log', async (t) => {
  const api = new ScriptedApi();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  for (const name of ['Settings', 'Send an image', 'Send']) t.is(await page.getByRole('button', { name, exact: true }).count(), 1, name);
  t.is(await page.getByRole('textbox', { name: 'Message', exact: true }).count(), 1);
  t.is(await page.getByRole('log').getAttribute('aria-live'), 'polite');
});

test('a failing setting is put back and the reason shown', async (t) => {
  const api = new ScriptedApi();
  api.results.updateSettings = { ok: false, message: 'could not register the login item' };
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const login = page.getByLabel('Start at login');
  t.true(await login.isChecked());
  await login.uncheck({ trial: false }).catch(() => undefined);
  await api.nextCall('updateSettings');
  await page.locator('#notice').waitFor();
  t.regex((await page.locator('#notice').textContent()) ?? '', /could not register the login item/);
  await page.waitForFunction(() => (document.getElementById('setting-login') as HTMLInputElement).checked);
});
