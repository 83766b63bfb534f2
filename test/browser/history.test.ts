import test from 'ava';
import type { ChatItem } from 'vm-messenger-tray/core';
import { openChat } from './helpers/browser.js';
import { ScriptedApi, item } from './helpers/scripted-api.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);

const range = (from: number, to: number): ChatItem[] =>
  Array.from({ length: to - from + 1 }, (_, i) => item(from + i, { ts: Date.now() - (200 - (from + i)) * 60_000 * 7, text: `message number ${from + i}` }));

const scrollTop = (page: import('playwright-core').Page): Promise<number> => page.locator('#conversation').evaluate((e) => e.scrollTop);

test('opens at the newest message; scrolling to the top loads older history without moving the view', async (t) => {
  const api = new ScriptedApi({ items: range(31, 60), hasOlder: true });
  api.olderPages.push(range(11, 30), range(1, 10));
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  t.true(await page.locator('[data-key="k-60"]').isVisible());
  t.is(api.callsOf('loadOlder').length, 0);

  const anchor = page.locator('[data-key="k-31"]');
  await page.locator('#conversation').evaluate((e) => e.scrollTo({ top: 0 }));
  await api.nextCall('loadOlder');
  await page.locator('[data-key="k-11"]').waitFor({ state: 'attached' });
  // The message that was at the top is still where the user left it (not jumped to the new top).
  const box = await anchor.boundingBox();
  t.truthy(box);
  t.true((box?.y ?? -1) >= 0 && (box?.y ?? 999) < 200, `anchor at ${box?.y}`);

  await page.locator('#conversation').evaluate((e) => e.scrollTo({ top: 0 }));
  await page.locator('[data-key="k-1"]').waitFor({ state: 'attached' });
  await page.locator('#conversation').evaluate((e) => e.scrollTo({ top: 0 }));
  await page.waitForFunction(() => document.getElementById('history-status')?.textContent === 'Beginning of the conversation');
  t.is(api.callsOf('loadOlder').length, 2);
  const keys = await page.locator('#messages .msg').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
  t.deepEqual(keys, range(1, 60).map((i) => i.key));
});

test('a short history that does not fill the window loads more by itself', async (t) => {
  const api = new ScriptedApi({ items: range(58, 60), hasOlder: true });
  api.olderPages.push(range(30, 57));
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  await api.nextCall('loadOlder');
  await page.locator('[data-key="k-30"]').waitFor({ state: 'attached' });
  t.pass();
});

test('new messages while scrolled up show a pill instead of jumping; the pill goes to the bottom', async (t) => {
  const api = new ScriptedApi({ items: range(1, 40) });
  const { page, bridge } = await openChat(t, suite.browser(), suite.url(), api);
  await page.locator('#conversation').evaluate((e) => e.scrollTo({ top: 200 }));
  await page.waitForFunction(() => document.getElementById('conversation')!.scrollTop === 200);
  api.push({ type: 'items', items: [item(41, { ts: Date.now(), text: 'new one' }), item(42, { ts: Date.now(), text: 'another' })] });
  await bridge.flushed();
  const pill = page.locator('#new-messages');
  await pill.waitFor();
  t.is(await pill.textContent(), '2 new messages ↓');
  t.is(await scrollTop(page), 200);
  await pill.click();
  await pill.waitFor({ state: 'hidden' });
  t.true(await page.locator('[data-key="k-42"]').isVisible());
});

test('at the bottom, new messages scroll into view and the unread count is cleared', async (t) => {
  const api = new ScriptedApi({ items: range(1, 40) });
  const { page, bridge } = await openChat(t, suite.browser(), suite.url(), api);
  api.push({ type: 'items', items: [item(41, { ts: Date.now(), text: 'fresh' })] });
  api.push({ type: 'unread', count: 1 });
  await bridge.flushed();
  await page.locator('[data-key="k-41"]').waitFor();
  t.true(await page.locator('[data-key="k-41"]').isVisible());
  t.true(await page.locator('#new-messages').isHidden());
  await api.nextCall('markRead');
});
