/** The main states of the window, each in light and dark, from the real core and daemon, saved
 *  under test-output/screenshots for review. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import { connectClient, until } from '../helpers/daemon.js';
import { makeJpeg, makePng } from '../helpers/images.js';
import { cspViolations } from './helpers/browser.js';
import { shootBoth } from './helpers/shoot.js';
import { CLIENT_NAME, openStack, type ChatStack } from './helpers/stack.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);

const imagesDecoded = (page: Page): Promise<unknown> =>
  page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('#messages img')).every((i) => i.complete && i.naturalWidth > 0));

/** A conversation as people have it: the VM, another computer and this one. */
async function converse(t: ExecutionContext, s: ChatStack): Promise<void> {
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  await s.daemon().say('Build finished on the VM. 412 tests passed.');
  await laptop.say('Morning! The nightly job is green again.');
  const box = s.page.getByLabel('Message', { exact: true });
  await box.fill('Great, thanks! Can you send the coverage report?');
  await box.press('Enter');
  await s.page.locator('.msg.mine .msg-delivery[aria-label="Delivered"]').waitFor();
  await s.daemon().say('Same here. Shipping it.\nRelease notes are in ~/release/NOTES.md and a very-long-unbroken-path/that/should/wrap/somewhere/in/the/bubble.txt');
  await s.page.locator('.text-bubble', { hasText: 'Shipping it' }).waitFor();
}

test('pairing (first run)', async (t) => {
  const s = await openStack(t, suite, { paired: false });
  await s.page.locator('#pairing-view').waitFor();
  await shootBoth(s.page, 'pairing');
  await s.page.locator('#pairing-view').getByLabel('Pairing string').fill('vmm://127.0.0.1:1/?token=wrong');
  await s.page.getByRole('button', { name: 'Pair', exact: true }).click();
  await s.page.locator('#first-pairing-error').waitFor();
  await shootBoth(s.page, 'pairing-error');
  t.deepEqual(await cspViolations(s.page), []);
});

test('empty conversation', async (t) => {
  const s = await openStack(t, suite);
  await s.page.locator('#empty-state').waitFor();
  await shootBoth(s.page, 'empty');
  t.deepEqual(await cspViolations(s.page), []);
});

test('chatting', async (t) => {
  const s = await openStack(t, suite);
  await converse(t, s);
  await shootBoth(s.page, 'chatting');
  t.deepEqual(await cspViolations(s.page), []);
});

test('images', async (t) => {
  const s = await openStack(t, suite);
  await writeFile(path.join(s.daemon().config.libraryDir, 'diagram-final-v3.png'), await makePng(1200, 900));
  await s.daemon().sendImage({ kind: 'library', name: 'diagram-final-v3.png' });
  await s.page.locator('#file-input').setInputFiles({ name: 'Screenshot 2025-06-01 093012 with a long name.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(900, 1600) });
  await s.page.locator('.msg.mine .msg-delivery[aria-label="Delivered"]').waitFor();
  await s.page.getByRole('button', { name: 'Open image diagram-final-v3.png' }).and(s.page.locator(':enabled')).waitFor();
  await imagesDecoded(s.page);
  await shootBoth(s.page, 'image');
  t.deepEqual(await cspViolations(s.page), []);
});

test('reconnecting, with a message waiting', async (t) => {
  const s = await openStack(t, suite, { core: { backoff: { initialMs: 5000, maxMs: 5000, jitter: 0 } } });
  await converse(t, s);
  await s.stopDaemon();
  await s.page.locator('#banner-text', { hasText: 'Retrying' }).waitFor();
  const box = s.page.getByLabel('Message', { exact: true });
  await box.fill('This will wait in the outbox');
  await box.press('Enter');
  await s.page.locator('.msg-status[data-delivery="pending"]').waitFor();
  await box.fill('Still typing…');
  await shootBoth(s.page, 'reconnecting');
  t.deepEqual(await cspViolations(s.page), []);
});

test('pairing rejected, and settings', async (t) => {
  const s = await openStack(t, suite, { token: 'not-the-daemons-token-0000000000000000' });
  await s.page.locator('#fatal-state').waitFor();
  await shootBoth(s.page, 'auth-failed');
  await s.page.getByRole('button', { name: 'Settings', exact: true }).click();
  await s.page.locator('#settings-view').waitFor();
  await shootBoth(s.page, 'settings');
  t.deepEqual(await cspViolations(s.page), []);
});

test('real-world text: right-to-left, links, long names, a tiny image and a panorama, several senders', async (t) => {
  const s = await openStack(t, suite);
  const lib = s.daemon().config.libraryDir;
  await writeFile(path.join(lib, 'tiny-icon.png'), await makePng(24, 24));
  await writeFile(path.join(lib, 'Screenshot 2025-06-01 093012 of the build dashboard.png'), await makePng(4000, 300));
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const desk = await connectClient(t, s.daemon(), 'build-box');
  await laptop.say('שלום! הבנייה הסתיימה בהצלחה');
  await desk.say('Logs: https://ci.example.com/build/2024-06-01-nightly-run-4711/console-output-full');
  await s.daemon().sendImage({ kind: 'library', name: 'tiny-icon.png' });
  const pano = await s.daemon().sendImage({ kind: 'library', name: 'Screenshot 2025-06-01 093012 of the build dashboard.png' });
  await s.page.locator(`[data-key="${pano.id}"] .image-open img`).waitFor();
  await imagesDecoded(s.page);
  await shootBoth(s.page, 'real-world');
  t.deepEqual(await cspViolations(s.page), []);
});

test('failed sends with Retry / Remove, and a local preview of an image waiting to be sent', async (t) => {
  const s = await openStack(t, suite, { core: { backoff: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } } });
  await s.page.locator('#file-input').setInputFiles({ name: 'broken-export.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
  await s.page.locator('.msg.mine.failed').waitFor();
  await s.stopDaemon();
  await s.page.locator('#banner-text', { hasText: 'Retrying' }).waitFor();
  await s.page.locator('#file-input').setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: await makePng(480, 320) });
  await s.page.locator('.msg.mine.pending .image-open img').waitFor();
  await imagesDecoded(s.page);
  await shootBoth(s.page, 'failed-and-preview');
  // The connection line with its technical detail opened.
  await s.page.getByRole('button', { name: 'Details' }).click();
  await s.page.locator('#banner-details').waitFor();
  await shootBoth(s.page, 'reconnecting-details');
  t.deepEqual(await cspViolations(s.page), []);
});

test('the image viewer', async (t) => {
  const s = await openStack(t, suite);
  await writeFile(path.join(s.daemon().config.libraryDir, 'diagram-final-v3.png'), await makeJpeg(1600, 1000));
  await s.daemon().sendImage({ kind: 'library', name: 'diagram-final-v3.png' });
  const open = s.page.getByRole('button', { name: 'Open image diagram-final-v3.png' });
  await open.and(s.page.locator(':enabled')).waitFor();
  await open.click();
  await s.page.locator('#image-viewer[open]:not([data-loading])').waitFor();
  await shootBoth(s.page, 'viewer');
  t.deepEqual(await cspViolations(s.page), []);
});

test('a notice with its details (a setting refused)', async (t) => {
  const s = await openStack(t, suite);
  await s.page.getByRole('button', { name: 'Settings', exact: true }).click();
  const input = s.page.getByLabel('Shortcut to open the chat');
  await input.fill('Ctrl+');
  await input.press('Enter');
  await s.page.locator('#notice-details-toggle').click();
  await s.page.locator('#notice-details').waitFor();
  await shootBoth(s.page, 'notice-details');
  t.deepEqual(await cspViolations(s.page), []);
});

test('pairing revoked on the VM', async (t) => {
  const s = await openStack(t, suite);
  await until(() => s.hasCredential(), 'the credential to be stored');
  s.daemon().revoke(CLIENT_NAME);
  await s.page.locator('#fatal-title', { hasText: 'removed this computer' }).waitFor();
  await shootBoth(s.page, 'revoked');
  t.deepEqual(await cspViolations(s.page), []);
});
