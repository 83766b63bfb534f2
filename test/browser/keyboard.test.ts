import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { Page } from 'playwright-core';
import { connectClient, until } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { heardBy, openStack } from './helpers/stack.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);

const focused = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a ? a.id || a.getAttribute('aria-label') || a.tagName : '';
  });

/** Whether the focused element draws a visible focus indicator (outline or ring). */
const focusIndicator = (page: Page): Promise<{ visible: boolean; style: string }> =>
  page.evaluate(() => {
    const a = document.activeElement!;
    const s = getComputedStyle(a);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    return { visible: a.matches(':focus-visible') && (outline || s.boxShadow !== 'none'), style: `${s.outlineStyle} ${s.outlineWidth} / ${s.boxShadow}` };
  });

async function tabTo(page: Page, target: string, max = 20): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)) === target) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target} (stuck at ${await focused(page)})`);
}

test('keyboard only: Tab to the message box, type, Enter sends; every stop on the way shows focus', async (t) => {
  const s = await openStack(t, suite);
  const { page } = s;
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const heard = heardBy(laptop);
  // Start from the top of the window, as after clicking its title.
  await page.locator('.title').click();
  t.is(await focused(page), 'BODY');
  const stops: string[] = [];
  for (let i = 0; i < 10 && (await focused(page)) !== 'message-input'; i++) {
    await page.keyboard.press('Tab');
    const id = await focused(page);
    stops.push(id);
    const ring = await focusIndicator(page);
    t.true(ring.visible, `${id}: ${ring.style}`);
  }
  t.deepEqual(stops, ['settings-button', 'conversation', 'attach-button', 'message-input']);

  await page.keyboard.type('typed without a mouse');
  await page.keyboard.press('Enter');
  await page.locator('.msg.mine .msg-delivery[aria-label="Delivered"]').waitFor();
  await until(() => heard.find((e) => e.kind === 'text' && e.text === 'typed without a mouse'), 'the other client to hear it');
  t.is(await focused(page), 'message-input', 'focus stays in the box for the next message');
});

test('keyboard only: open an image, toggle a setting, come back to the message box', async (t) => {
  const s = await openStack(t, suite);
  const { page } = s;
  await writeFile(path.join(s.daemon().config.libraryDir, 'plot.png'), await makePng(300, 200));
  await s.daemon().sendImage({ kind: 'library', name: 'plot.png' });
  const open = page.getByRole('button', { name: 'Open image plot.png' });
  await until(() => open.isEnabled(), 'the image to be saved');

  t.is(await focused(page), 'message-input');
  await page.keyboard.press('Shift+Tab');
  t.is(await focused(page), 'attach-button');
  await tabTo(page, 'Open image plot.png');
  t.true((await focusIndicator(page)).visible);
  await page.keyboard.press('Enter');
  // The viewer opens with focus on Close; Escape returns to the image.
  await page.locator('#image-viewer[open]').waitFor();
  await page.locator('#image-viewer:not([data-loading])').waitFor();
  t.is(await focused(page), 'viewer-close');
  await page.keyboard.press('Escape');
  await page.locator('#image-viewer').waitFor({ state: 'hidden' });

  await tabTo(page, 'settings-button');
  await page.keyboard.press('Enter');
  await page.locator('#settings-view').waitFor();
  t.is(await focused(page), 'settings-close');
  await tabTo(page, 'setting-dnd');
  t.true((await focusIndicator(page)).visible);
  await page.keyboard.press('Space');
  await until(() => s.core.settings().doNotDisturb, 'do not disturb to be saved');
  t.true(await page.locator('#setting-dnd').isChecked());
  await page.keyboard.press('Escape');
  await page.locator('#chat-view').waitFor();
  t.is(await focused(page), 'message-input');
  t.true(await page.locator('#notice').isHidden(), 'nothing went wrong on the way');
});

test('controls have accessible names and the conversation is a live log', async (t) => {
  const { page } = await openStack(t, suite);
  for (const name of ['Settings', 'Send a file', 'Send']) t.is(await page.getByRole('button', { name, exact: true }).count(), 1, name);
  t.is(await page.getByRole('textbox', { name: 'Message', exact: true }).count(), 1);
  t.is(await page.getByRole('log').getAttribute('aria-live'), 'polite');
  // The log wraps the list, so its items keep their list semantics; the views sit in the main landmark.
  t.is(await page.locator('#messages').getAttribute('role'), null);
  t.is(await page.getByRole('log').locator('ol#messages').count(), 1);
  t.is(await page.getByRole('main').locator('#chat-view, #pairing-view, #settings-view').count(), 3);
});
