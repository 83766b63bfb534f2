import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { Locator, Page } from 'playwright-core';
import type { ImageEvent } from '@vm-messenger/protocol';
import { connectClient, until } from '../helpers/daemon.js';
import { makeJpeg, makePng, sha256Of } from '../helpers/images.js';
import { cspViolations } from './helpers/browser.js';
import { CLIENT_NAME, heardBy, openStack } from './helpers/stack.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);

/** Waits until the bubble's thumbnail is a data: URL the browser decoded; returns its natural size. */
async function decodedThumbnail(bubble: Locator): Promise<{ src: string; width: number; height: number }> {
  const img = bubble.locator('img');
  await img.waitFor();
  const handle = await img.evaluateHandle(async (i: HTMLImageElement) => {
    await i.decode();
    return { src: i.src, width: i.naturalWidth, height: i.naturalHeight };
  });
  return handle.jsonValue();
}

const imagesHeard = (events: ReturnType<typeof heardBy>): ImageEvent[] => events.filter((e): e is ImageEvent => e.kind === 'image');

test('send an image with the file chooser: the other client gets it and the bubble shows its thumbnail', async (t) => {
  const s = await openStack(t, suite);
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const heard = heardBy(laptop);
  const png = await makePng(320, 200);

  const chooser = s.page.waitForEvent('filechooser');
  await s.page.getByRole('button', { name: 'Send a file' }).click();
  await (await chooser).setFiles({ name: 'chart.png', mimeType: 'image/png', buffer: png });

  const event = await until(() => imagesHeard(heard).find((e) => e.originalName === 'chart.png'), 'the other client to get the image');
  t.is(event.sha256, sha256Of(png));
  t.is(event.size, png.length);
  t.like(event, { sender: { kind: 'client', name: CLIENT_NAME }, width: 320, height: 200 });

  const bubble = s.page.locator(`.msg.mine[data-key="${event.id}"]`);
  await bubble.locator('.msg-delivery[aria-label="Delivered"]').waitFor();
  const thumb = await decodedThumbnail(bubble);
  t.regex(thumb.src, /^data:image\/(webp|jpeg|png);base64,/);
  t.true(thumb.width > 0 && thumb.height > 0);
  t.is(await bubble.locator('.cut-name').getAttribute('title'), 'chart.png');
  t.is(await s.page.locator('.msg.mine[data-kind="image"]').count(), 1, 'one bubble from pending to delivered');
  t.is(await s.page.evaluate(() => document.activeElement?.id), 'message-input');

  // Opening one's own image fetches it back from the daemon into the received-images folder.
  await bubble.getByRole('button', { name: 'Open image chart.png' }).click();
  await until(() => s.core.imagePath(event.id), 'the own image to be fetched for opening');
  t.is(sha256Of(await readFile(s.core.imagePath(event.id)!)), sha256Of(png));
  await s.page.locator('#image-viewer:not([data-loading])[open]').waitFor();
  t.is(await s.page.locator('#viewer-image').evaluate((i: HTMLImageElement) => i.naturalWidth), 320);
  t.true(await s.page.locator('#notice').isHidden());
});

async function dropFiles(page: Page, files: { name: string; type: string; bytes: Buffer }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type, b64: f.bytes.toString('base64') }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, payload);
  const zone = page.locator('#conversation');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await page.locator('#drop-overlay').waitFor();
  await zone.dispatchEvent('drop', { dataTransfer });
}

test('send images by drag-and-drop; a file that is not an image goes as a file', async (t) => {
  const s = await openStack(t, suite);
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const heard = heardBy(laptop);
  const png = await makePng(200, 120);
  const jpeg = await makeJpeg(90, 160);
  await dropFiles(s.page, [
    { name: 'one.png', type: 'image/png', bytes: png },
    { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('hello') },
    { name: 'two.jpg', type: 'image/jpeg', bytes: jpeg },
  ]);
  t.true(await s.page.locator('#drop-overlay').isHidden());
  const notes = await until(() => heard.find((e) => e.kind === 'file' && e.originalName === 'notes.txt'), 'notes.txt as a file');
  t.is(notes.kind, 'file');

  const events = await until(() => (imagesHeard(heard).length >= 2 ? imagesHeard(heard) : undefined), 'both images at the other client');
  t.deepEqual(
    events.map((e) => [e.originalName, e.sha256]),
    [
      ['one.png', sha256Of(png)],
      ['two.jpg', sha256Of(jpeg)],
    ],
  );
  for (const e of events) {
    // The thumbnail comes with the delivered event (only the last of a run shows the delivery mark).
    const thumb = await decodedThumbnail(s.page.locator(`.msg.mine[data-key="${e.id}"]`));
    t.true(thumb.width > 0, e.originalName);
  }
  await s.page.locator(`.msg.mine[data-key="${events[1]!.id}"] .msg-delivery[aria-label="Delivered"]`).waitFor();
  t.false(s.daemon().history(10).some((e) => e.kind === 'image' && e.originalName === 'notes.txt'));
  t.deepEqual(await cspViolations(s.page), []);
});

test('paste an image from the clipboard into the message box', async (t) => {
  const s = await openStack(t, suite);
  const png = await makePng(40, 40);
  await s.page.getByLabel('Message', { exact: true }).evaluate((box, b64) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, png.toString('base64'));
  const stored = await until(() => s.daemon().history(5).find((e): e is ImageEvent => e.kind === 'image'), 'the daemon to store it');
  // Clipboard images are all called image.png; they get a dated name instead.
  t.regex(stored.originalName, /^pasted-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.png$/);
  t.is(stored.sha256, sha256Of(png));
  t.is(await s.page.getByLabel('Message', { exact: true }).inputValue(), '');
});

test('an image from the VM shows a thumbnail and is saved to the received-images folder', async (t) => {
  const s = await openStack(t, suite);
  const png = await makePng(640, 400);
  await writeFile(path.join(s.daemon().config.libraryDir, 'diagram.png'), png);
  const event = await s.daemon().sendImage({ kind: 'library', name: 'diagram.png' });

  const bubble = s.page.locator(`.msg.theirs[data-key="${event.id}"]`);
  await bubble.waitFor();
  t.is(await bubble.locator('.msg-sender').textContent(), 'VM');
  const thumb = await decodedThumbnail(bubble);
  t.regex(thumb.src, /^data:image\//);
  t.true(thumb.width > 0 && thumb.width <= 640);
  t.is(await bubble.locator('.cut-name').getAttribute('title'), 'diagram.png');

  // Saved: the open button turns on once the file is on disk, with the same bytes.
  const open = s.page.getByRole('button', { name: 'Open image diagram.png' });
  await until(() => open.isEnabled(), 'the image to be saved');
  const files = await readdir(s.receivedDir);
  t.deepEqual(files, [event.storedName]);
  t.is(sha256Of(await readFile(path.join(s.receivedDir, event.storedName))), sha256Of(png));
  t.is(s.core.imagePath(event.id), path.join(s.receivedDir, event.storedName));
  await open.click();
  await s.page.locator('#image-viewer[open]').waitFor();
  t.true(await s.page.locator('#notice').isHidden(), 'opening a saved image reports nothing');
});

test('bytes that are not an image are refused by the daemon and the bubble says so', async (t) => {
  const s = await openStack(t, suite);
  await s.page.locator('#file-input').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('this is not a png at all') });
  const failed = s.page.locator('.msg.mine[data-kind="image"] .msg-status[data-delivery="failed"]');
  await failed.waitFor();
  t.regex((await failed.textContent()) ?? '', /Not sent/);
  t.regex((await s.page.locator('.msg.mine .failed-reason').textContent()) ?? '', /^The VM refused this image/);
  t.true(await s.page.getByRole('button', { name: 'Image fake.png, not sent' }).isDisabled());
  t.false(s.daemon().history(5).some((e) => e.kind === 'image'));
});
