/** Real-world text and images in the chat page: right-to-left text, links, long file names, tiny
 *  and panoramic pictures, several senders, failed sends, the image viewer, toasts and the global
 *  shortcut setting. Real core, real daemon, real images made with sharp. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { VmMessengerApi } from 'vm-messenger-tray/core';
import { connectClient, until } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { cspViolations } from './helpers/browser.js';
import { openStack } from './helpers/stack.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);

test('right-to-left text is laid out right-to-left in its own bubble; names and times are isolated', async (t) => {
  const s = await openStack(t, suite);
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const rtl = await laptop.say('שלום, הבנייה הסתיימה בהצלחה');
  const ltr = await laptop.say('and this one is English');
  const rtlBubble = s.page.locator(`[data-key="${rtl.id}"] .text-bubble`);
  await s.page.locator(`[data-key="${ltr.id}"]`).waitFor();
  t.is(await rtlBubble.getAttribute('dir'), 'auto');
  t.true(await rtlBubble.evaluate((b) => b.matches(':dir(rtl)')));
  t.true(await s.page.locator(`[data-key="${ltr.id}"] .text-bubble`).evaluate((b) => b.matches(':dir(ltr)')));
  t.is(await s.page.locator(`[data-key="${rtl.id}"] .msg-sender`).evaluate((e) => e.tagName), 'BDI');
  t.is(await s.page.locator(`[data-key="${ltr.id}"] .msg-time`).evaluate((e) => e.parentElement?.tagName), 'BDI');
});

test('web links are links that open in the browser through the shell, never in the app; other schemes stay text', async (t) => {
  const s = await openStack(t, suite);
  const msg = await s.daemon().say('Report: https://ci.example.com/build/2024-06-01-nightly-run-4711. Not a link: javascript:alert(1) or file:///etc/passwd');
  const bubble = s.page.locator(`[data-key="${msg.id}"] .text-bubble`);
  await bubble.waitFor();
  const links = bubble.locator('a');
  t.is(await links.count(), 1);
  t.is(await links.first().getAttribute('href'), 'https://ci.example.com/build/2024-06-01-nightly-run-4711', 'the full stop ends the sentence, not the link');
  const before = s.page.url();
  await links.first().click();
  await until(() => s.shell.openedLinks.length === 1, 'the shell to open the link');
  t.deepEqual(s.shell.openedLinks, ['https://ci.example.com/build/2024-06-01-nightly-run-4711']);
  t.is(s.page.url(), before, 'the page did not navigate');
  t.is(s.context.pages().length, 1, 'no window opened');
  // main refuses anything but http(s) even if the page asks for it.
  const refused = await s.page.evaluate(() => (window as unknown as { vmMessenger: VmMessengerApi }).vmMessenger.openLink('file:///C:/Windows/win.ini'));
  t.like(refused, { ok: false, code: 'link_not_allowed' });
  t.is(s.shell.openedLinks.length, 1);
  t.deepEqual(await cspViolations(s.page), []);
});

test('a long file name is cut in the middle: the extension stays visible', async (t) => {
  const s = await openStack(t, suite);
  const name = 'Screenshot 2025-06-01 093012 of the build dashboard with a very long name.png';
  await writeFile(path.join(s.daemon().config.libraryDir, name), await makePng(300, 200));
  const event = await s.daemon().sendImage({ kind: 'library', name });
  const caption = s.page.locator(`[data-key="${event.id}"] .cut-name`);
  await s.page.locator(`[data-key="${event.id}"] .image-open:enabled`).waitFor();
  t.is(await caption.getAttribute('title'), name);
  t.regex((await caption.locator('.cut-name-tail').textContent()) ?? '', /name\.png$/);
  const head = caption.locator('.cut-name-head');
  t.true(await head.evaluate((e) => e.scrollWidth > e.clientWidth), 'the head is the part that is shortened');
  const tail = await caption.locator('.cut-name-tail').boundingBox();
  const bubble = await s.page.locator(`[data-key="${event.id}"] .image-bubble`).boundingBox();
  t.true(tail !== null && bubble !== null && tail.x + tail.width <= bubble.x + bubble.width, 'the extension is inside the bubble');
});

test('a tiny image is never enlarged; a panorama is cropped to a band, not a sliver', async (t) => {
  const s = await openStack(t, suite);
  const lib = s.daemon().config.libraryDir;
  await writeFile(path.join(lib, 'tiny-icon.png'), await makePng(24, 24));
  await writeFile(path.join(lib, 'panorama.png'), await makePng(4000, 300));
  const tiny = await s.daemon().sendImage({ kind: 'library', name: 'tiny-icon.png' });
  const pano = await s.daemon().sendImage({ kind: 'library', name: 'panorama.png' });
  const size = async (key: string): Promise<{ w: number; h: number }> => {
    // Measured once saved: the bubble is rebuilt when the image arrives, and not after.
    await s.page.locator(`[data-key="${key}"] .image-open:enabled img`).waitFor();
    const box = await until(() => s.page.locator(`[data-key="${key}"] .image-open img`).boundingBox(), 'the thumbnail laid out');
    return { w: Math.round(box.width), h: Math.round(box.height) };
  };
  t.deepEqual(await size(tiny.id), { w: 24, h: 24 });
  const p = await size(pano.id);
  t.true(p.w <= 232, `panorama width ${p.w}`);
  t.true(p.h >= 70, `panorama height ${p.h} is a band`);
  t.is(await s.page.locator(`[data-key="${pano.id}"] .image-open img`).evaluate((i) => getComputedStyle(i).objectFit), 'cover');
});

test('each sender has a stable avatar; the VM has its own, distinct one', async (t) => {
  const s = await openStack(t, suite);
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const desk = await connectClient(t, s.daemon(), 'build-box');
  const a = await laptop.say('from the laptop');
  const b = await desk.say('from the build box');
  const c = await laptop.say('laptop again, later in a new run');
  const vm = await s.daemon().say('from the VM');
  await s.page.locator(`[data-key="${vm.id}"]`).waitFor();
  const avatarOf = (key: string) => s.page.locator(`[data-key="${key}"] .avatar`);
  const hueA = await avatarOf(a.id).getAttribute('data-hue');
  t.is(await avatarOf(a.id).textContent(), 'L');
  t.is(await avatarOf(b.id).textContent(), 'B');
  t.not(hueA, await avatarOf(b.id).getAttribute('data-hue'), 'two people, two colours');
  t.is(await avatarOf(c.id).getAttribute('data-hue'), hueA, 'the same person keeps the colour');
  t.true(await avatarOf(vm.id).evaluate((e) => e.classList.contains('avatar-vm')));
  t.is(await avatarOf(vm.id).getAttribute('data-hue'), 'vm');
  t.not(await avatarOf(vm.id).evaluate((e) => getComputedStyle(e).borderRadius), await avatarOf(a.id).evaluate((e) => getComputedStyle(e).borderRadius));
});

test('a failed send is styled as failed and offers Retry and Remove', async (t) => {
  const s = await openStack(t, suite);
  await s.page.locator('#file-input').setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
  const bubble = s.page.locator('.msg.mine.failed');
  await bubble.waitFor();
  t.regex((await bubble.locator('.msg-delivery').getAttribute('aria-label')) ?? '', /^Not sent\. The VM refused this image/);
  t.regex((await bubble.locator('.failed-reason').textContent()) ?? '', /^The VM refused this image/);
  t.not(await bubble.locator('.bubble').evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(15, 108, 189)', 'not the blue of a sent message');
  const key = (await bubble.getAttribute('data-key'))!;

  await bubble.getByRole('button', { name: 'Retry sending this message' }).click();
  // Sent again, refused again: the daemon saw it a second time.
  await s.page.locator(`.msg.mine[data-key="${key}"]:not(.failed)`).or(s.page.locator(`.msg.mine.failed[data-key="${key}"] .failed-actions`)).first().waitFor();
  await s.page.locator(`.msg.mine.failed[data-key="${key}"]`).waitFor();

  await s.page.locator(`[data-key="${key}"]`).getByRole('button', { name: 'Remove this message' }).click();
  await s.page.locator(`[data-key="${key}"]`).waitFor({ state: 'detached' });
  t.deepEqual(s.core.pendingIds(), []);
  t.false((await s.core.api.getSnapshot()).items.some((i) => i.key === key));
  t.false(s.daemon().history(5).some((e) => e.kind === 'image'));
});

test('your own image shows a local preview while it waits to be sent', async (t) => {
  const s = await openStack(t, suite, { core: { backoff: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } } });
  await s.stopDaemon();
  await s.page.locator('#banner-text', { hasText: 'Retrying' }).waitFor();
  await s.page.locator('#file-input').setInputFiles({ name: 'waiting.png', mimeType: 'image/png', buffer: await makePng(400, 300) });
  const img = s.page.locator('.msg.mine.pending .image-open img');
  await img.waitFor();
  t.regex((await img.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
  t.is(await s.page.locator('.msg.mine.pending .image-badge').textContent(), 'Waiting to send');
  t.is(await s.page.locator('.msg.mine.pending .image-placeholder').count(), 0, 'no grey box');
  t.true(await s.page.getByRole('button', { name: 'Image waiting.png, waiting to send' }).isDisabled());
});

test('the image viewer: full size, zoom, Copy image, Save as, Open folder, Open in the default viewer', async (t) => {
  const s = await openStack(t, suite);
  await writeFile(path.join(s.daemon().config.libraryDir, 'plot.png'), await makePng(1600, 1000));
  const event = await s.daemon().sendImage({ kind: 'library', name: 'plot.png' });
  const open = s.page.getByRole('button', { name: 'Open image plot.png' });
  await until(() => open.isEnabled(), 'the image to be saved');
  await open.click();
  const viewer = s.page.locator('#image-viewer');
  await s.page.locator('#image-viewer[open]:not([data-loading])').waitFor();
  t.is(await s.page.locator('#viewer-title').textContent(), 'plot.png');
  const img = s.page.locator('#viewer-image');
  t.is(await img.evaluate((i: HTMLImageElement) => i.naturalWidth), 1600, 'the full image, not the thumbnail');
  const fit = await img.boundingBox();
  t.true((fit?.width ?? 0) <= 380, 'fit: inside the window');
  t.is(await s.page.locator('#viewer-zoom').textContent(), 'Fit');
  await s.page.getByRole('button', { name: 'Zoom in' }).click();
  const zoomed = await img.boundingBox();
  t.true((zoomed?.width ?? 0) > (fit?.width ?? 0), 'zoom in makes it larger');
  await s.page.locator('#viewer-zoom').click();
  t.is(await s.page.locator('#viewer-zoom').textContent(), 'Fit');
  await s.page.locator('#viewer-zoom').click();
  t.is(await s.page.locator('#viewer-zoom').textContent(), '100%');
  t.is(Math.round((await img.boundingBox())?.width ?? 0), 1600, 'real size');

  const file = s.core.imagePath(event.id)!;
  await s.page.getByRole('button', { name: 'Copy image' }).click();
  await until(() => s.shell.copied.length === 1, 'copy');
  await s.page.getByRole('button', { name: 'Save as…' }).click();
  await until(() => s.shell.savedAs.length === 1, 'save as');
  await s.page.getByRole('button', { name: 'Open folder' }).click();
  await until(() => s.shell.shownInFolder.length === 1, 'show in folder');
  await s.page.getByRole('button', { name: 'Open in the default viewer' }).click();
  await until(() => s.shell.openedPaths.length === 1, 'open externally');
  t.deepEqual([s.shell.copied, s.shell.savedAs, s.shell.shownInFolder, s.shell.openedPaths], [[file], [file], [file], [file]]);

  await s.page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'hidden' });
  t.true(await s.page.locator('#notice').isHidden());
});

test('toasts: message toasts carry Reply / Open / Mark read and the picture; a click opens the chat at that message', async (t) => {
  const s = await openStack(t, suite);
  // Scrolled away from the bottom, the page shows older messages; the toast must bring this one back.
  for (let i = 0; i < 30; i++) await s.daemon().say(`filler ${i}`);
  await s.page.locator('.text-bubble', { hasText: 'filler 29' }).waitFor();
  await s.page.evaluate(() => document.getElementById('conversation')!.scrollTo(0, 0));
  await writeFile(path.join(s.daemon().config.libraryDir, 'photo.png'), await makePng(640, 480));
  const image = await s.daemon().sendImage({ kind: 'library', name: 'photo.png' });
  const toast = await until(() => s.toasts.find((x) => x.key === image.id), 'the image toast');
  await s.page.locator(`[data-key="${image.id}"] .image-open:enabled`).waitFor();
  t.true(toast.actions);
  t.truthy(toast.image, 'the picture goes in large');
  t.regex(toast.image ?? '', /\.(jpe?g|png|webp)$/);

  await s.page.evaluate(() => document.getElementById('conversation')!.scrollTo(0, 0));
  toast.respond('activate');
  t.deepEqual(s.openedFromToast, [image.id]);
  const bubble = s.page.locator(`.msg.highlight[data-key="${image.id}"]`);
  await bubble.waitFor();
  t.true(await bubble.isVisible());
  t.true(await bubble.evaluate((b) => {
    const r = b.getBoundingClientRect();
    const c = document.getElementById('conversation')!.getBoundingClientRect();
    return r.top >= c.top && r.bottom <= c.bottom;
  }), 'scrolled into view');

  // Reply from the toast sends a message; Mark read clears the unread count.
  const text = await s.daemon().say('reply to me');
  const replyToast = await until(() => s.toasts.find((x) => x.key === text.id), 'the text toast');
  replyToast.respond('reply', 'on my way');
  await until(() => s.daemon().history(50).some((e) => e.kind === 'text' && e.text === 'on my way'), 'the reply to be stored');
  replyToast.respond('mark-read');
  await until(() => s.core.settings().lastSeenSeq >= text.seq, 'marked read');
});

test('the global shortcut is a setting: saved normalised, refused when invalid or taken, with a plain sentence', async (t) => {
  const s = await openStack(t, suite);
  await s.page.getByRole('button', { name: 'Settings', exact: true }).click();
  const input = s.page.getByLabel('Shortcut to open the chat');
  t.is(await input.inputValue(), 'Ctrl+Alt+M');
  await input.fill('ctrl + shift + k');
  await input.press('Enter');
  await until(() => s.core.settings().globalShortcut === 'Ctrl+Shift+K', 'saved');
  t.deepEqual(s.shell.shortcuts, ['Ctrl+Shift+K']);

  await input.fill('Ctrl+');
  await input.press('Enter');
  await s.page.locator('#notice-text', { hasText: 'Setting not saved. That is not a shortcut.' }).waitFor();
  t.is(s.core.settings().globalShortcut, 'Ctrl+Shift+K');

  s.shell.taken.add('Ctrl+Alt+P');
  await input.fill('Ctrl+Alt+P');
  await input.press('Enter');
  await s.page.locator('#notice-text', { hasText: 'Another app already uses that shortcut.' }).waitFor();
  t.is(s.core.settings().globalShortcut, 'Ctrl+Shift+K', 'the old one is kept');
  t.true(s.shell.log.some((l) => l.includes('shortcut_taken')), 'the detail is logged');
  // Details shows the technical reason.
  await s.page.locator('#notice-details-toggle').click();
  t.regex((await s.page.locator('#notice-details').textContent()) ?? '', /registered by another application/);
});
