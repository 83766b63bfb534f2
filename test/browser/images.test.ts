import test from 'ava';
import type { Page } from 'playwright-core';
import { makeJpeg, makePng } from '../helpers/images.js';
import { openChat } from './helpers/browser.js';
import { imageItem } from './helpers/fixtures.js';
import { ScriptedApi } from './helpers/scripted-api.js';
import { minutesAgo, useChromium } from './helpers/suite.js';

const suite = useChromium(test);

const sentBytes = (api: ScriptedApi): { name: string; bytes: Buffer }[] =>
  api.callsOf('sendImage').map((c) => {
    const file = c.args[0] as { name: string; bytes: Uint8Array };
    return { name: file.name, bytes: Buffer.from(file.bytes) };
  });

test('an image bubble shows its thumbnail, name and size; clicking it opens the image', async (t) => {
  const api = new ScriptedApi({ items: [await imageItem(1, { ts: minutesAgo(1), name: 'diagram.png' })] });
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  const img = page.locator('[data-key="k-1"] img');
  t.regex((await img.getAttribute('src')) ?? '', /^data:image\/webp;base64,/);
  await page.waitForFunction(() => {
    const i = document.querySelector<HTMLImageElement>('[data-key="k-1"] img');
    return i !== null && i.complete && i.naturalWidth > 0;
  });
  t.is(await page.locator('[data-key="k-1"] .image-name').textContent(), 'diagram.png');
  t.is(await page.locator('[data-key="k-1"] .image-size').textContent(), '471 KB');
  await page.getByRole('button', { name: 'Open image diagram.png' }).click();
  t.deepEqual((await api.nextCall('openImage')).args, ['k-1']);
});

test('an image still being received has a placeholder and cannot be opened yet', async (t) => {
  const received = await imageItem(1, { ts: minutesAgo(1), name: 'big.png' });
  const api = new ScriptedApi({ items: [{ ...received, image: { originalName: 'big.png', size: 9_000_000, saved: false } }] });
  const { page, bridge } = await openChat(t, suite.browser(), suite.url(), api);
  t.is(await page.locator('[data-key="k-1"] .image-placeholder').textContent(), 'Receiving…');
  t.true(await page.getByRole('button', { name: 'Open image big.png' }).isDisabled());
  // The core reports it saved, with a thumbnail: the same bubble updates in place.
  api.push({ type: 'items', items: [received] });
  await bridge.flushed();
  t.true(await page.getByRole('button', { name: 'Open image big.png' }).isEnabled());
  t.is(await page.locator('[data-key="k-1"] img').count(), 1);
});

test('a failed open says why', async (t) => {
  const api = new ScriptedApi({ items: [await imageItem(1, { ts: minutesAgo(1), name: 'gone.png' })] });
  api.results.openImage = { ok: false, message: 'This image is not saved on this computer yet.' };
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  await page.getByRole('button', { name: 'Open image gone.png' }).click();
  await page.locator('#notice').waitFor();
  t.is(await page.locator('#notice').textContent(), 'This image is not saved on this computer yet.');
});

test('send image by the file chooser: the exact bytes and name reach sendImage', async (t) => {
  const api = new ScriptedApi();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  const png = await makePng(120, 80);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Send an image' }).click();
  await (await chooser).setFiles({ name: 'chart.png', mimeType: 'image/png', buffer: png });
  await api.nextCall('sendImage');
  const [sent] = sentBytes(api);
  t.is(sent?.name, 'chart.png');
  t.true(sent?.bytes.equals(png));
  await page.locator('.msg.mine[data-kind="image"]').waitFor();
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

test('send images by drag-and-drop; other files are refused by name', async (t) => {
  const api = new ScriptedApi();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  const png = await makePng(50, 40);
  const jpeg = await makeJpeg(30, 60);
  await dropFiles(page, [
    { name: 'one.png', type: 'image/png', bytes: png },
    { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('hello') },
    { name: 'two.jpg', type: 'image/jpeg', bytes: jpeg },
  ]);
  await page.waitForFunction(() => document.querySelectorAll('.msg.mine[data-kind="image"]').length === 2);
  const sent = sentBytes(api);
  t.deepEqual(sent.map((s) => s.name), ['one.png', 'two.jpg']);
  t.true(sent[0]?.bytes.equals(png));
  t.true(sent[1]?.bytes.equals(jpeg));
  t.true(await page.locator('#drop-overlay').isHidden());
  t.regex((await page.locator('#notice').textContent()) ?? '', /Only images can be sent: notes\.txt/);
});

test('paste an image from the clipboard into the message box', async (t) => {
  const api = new ScriptedApi();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  const png = await makePng(20, 20);
  await page.getByLabel('Message', { exact: true }).evaluate((box, b64) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, png.toString('base64'));
  await api.nextCall('sendImage');
  const [sent] = sentBytes(api);
  // Clipboard images are all called image.png; they get a dated name instead.
  t.regex(sent?.name ?? '', /^pasted-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.png$/);
  t.true(sent?.bytes.equals(png));
  t.is(await page.getByLabel('Message', { exact: true }).inputValue(), '');
});

test('a refused image is reported by name', async (t) => {
  const api = new ScriptedApi();
  api.results.sendImage = { ok: false, message: 'image is larger than 50 MB' };
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  await page.locator('#file-input').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: await makePng(10, 10) });
  await page.locator('#notice').waitFor();
  t.is(await page.locator('#notice').textContent(), 'huge.png not sent: image is larger than 50 MB');
});
