import test from 'ava';
import type { Page } from 'playwright-core';
import { connectClient } from '../helpers/daemon.js';
import { openStack } from './helpers/stack.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);

const shownTexts = (page: Page): Promise<string[]> => page.locator('#messages .msg .text-bubble').allTextContents();
const numbered = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `message number ${from + i}`);
const scrollToTop = (page: Page): Promise<void> => page.locator('#conversation').evaluate((e) => e.scrollTo({ top: 0 }));

test('with 150 messages in history, the page opens at the newest; scrolling to the top loads older pages without jumping', async (t) => {
  const s = await openStack(t, suite, {
    before: (daemon) => {
      for (let i = 1; i <= 150; i++) daemon.say(`message number ${i}`);
    },
  });
  const { page } = s;
  // The core's first page: the newest 50.
  const newest = page.locator('.text-bubble', { hasText: /^message number 150$/ });
  await newest.waitFor();
  t.true(await newest.isVisible(), 'opens at the bottom');
  t.deepEqual(await shownTexts(page), numbered(101, 150));

  const anchor = page.locator('.text-bubble', { hasText: /^message number 101$/ });
  await scrollToTop(page);
  await page.locator('.text-bubble', { hasText: /^message number 51$/ }).waitFor({ state: 'attached' });
  t.deepEqual(await shownTexts(page), numbered(51, 150));
  // What was at the top is still where the user left it, not pushed off by the new page.
  const box = await anchor.boundingBox();
  t.true(box !== null && box.y >= 0 && box.y < 300, `anchor at ${box?.y}`);

  await scrollToTop(page);
  await page.locator('.text-bubble', { hasText: /^message number 1$/ }).waitFor({ state: 'attached' });
  await scrollToTop(page);
  await page.locator('#history-status', { hasText: 'Beginning of the conversation' }).waitFor();
  t.deepEqual(await shownTexts(page), numbered(1, 150));
});

test('new messages while scrolled up show a pill instead of jumping; the pill goes to the bottom', async (t) => {
  const s = await openStack(t, suite, {
    before: (daemon) => {
      for (let i = 1; i <= 40; i++) daemon.say(`message number ${i}`);
    },
  });
  const { page } = s;
  await page.locator('.text-bubble', { hasText: /^message number 40$/ }).waitFor();
  const scroller = page.locator('#conversation');
  await scroller.evaluate((e) => e.scrollTo({ top: 200 }));
  await page.waitForFunction(() => document.getElementById('conversation')!.scrollTop === 200);

  const laptop = await connectClient(t, s.daemon(), 'laptop');
  await laptop.say('new one');
  await laptop.say('another');
  const pill = page.locator('#new-messages');
  await pill.filter({ hasText: '2 new messages ↓' }).waitFor();
  t.is(await scroller.evaluate((e) => e.scrollTop), 200, 'the view did not move');

  await pill.click();
  await pill.waitFor({ state: 'hidden' });
  t.true(await page.locator('.text-bubble', { hasText: 'another' }).isVisible());
});
