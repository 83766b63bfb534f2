/** The Windows-facing pieces of the shell that plain Node can run: toast XML, the tray click
 *  toggle, the portable build's Start-menu shortcut, the settings reset with a backup, the link
 *  allow-list, the app log; and the page's pure helpers (links, image sizes, avatars). */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { openSettingsStore, parseAccelerator } from 'vm-messenger-tray/core';
import { tempDir } from '../helpers/daemon.js';
import { appLog, avatar, cutNameModule, externalLinks, imageFit, rendererLinks, settingsRecovery, startMenu, toastXmlModule, trayToggle } from './shell-modules.js';

test('toast XML: title and text escaped, the picture large and inline, Reply box with Send, Open, Mark read', async (t) => {
  const { toastXml, toastActionAt, TOAST_ACTIONS } = await toastXmlModule();
  const xml = toastXml({ title: 'laptop [client]', message: 'a < b & "c" \u0007bell', image: '/tmp/toast-icons/abc.jpg', actions: true });
  t.true(xml.startsWith('<toast launch="open" activationType="foreground">'));
  t.true(xml.includes('<binding template="ToastGeneric">'));
  t.true(xml.includes('<text>a &lt; b &amp; &quot;c&quot; bell</text>'), 'escaped, control characters dropped');
  t.regex(xml, /<image src="file:\/\/\/tmp\/toast-icons\/abc\.jpg" hint-removeMargin="true"\/>/);
  t.false(xml.includes('appLogoOverride'), 'not the small square of the old template');
  t.regex(xml, /<input id="reply" type="text" placeHolderContent="Reply"\/>/);
  t.deepEqual([...xml.matchAll(/<action content="([^"]+)" arguments="([^"]+)"/g)].map((m) => [m[1], m[2]]), [
    ['Send', 'reply'],
    ['Open', 'open'],
    ['Mark read', 'mark-read'],
  ]);
  t.deepEqual([0, 1, 2, 3].map(toastActionAt), [...TOAST_ACTIONS, undefined]);
  const plain = toastXml({ title: 'VM Messenger', message: 'Lost the connection', actions: false });
  t.false(plain.includes('<actions>'), 'connection notices have no buttons');
  t.false(plain.includes('<image'), 'and no picture');
});

test('tray click: shows a hidden window, hides a focused one, and hides one that lost focus to this very click', async (t) => {
  const { trayClickAction, BLUR_CLICK_WINDOW_MS } = await trayToggle();
  t.is(trayClickAction({ visible: false, focused: false, lastBlurAt: undefined }, 1000), 'show');
  t.is(trayClickAction({ visible: true, focused: true, lastBlurAt: undefined }, 1000), 'hide');
  // Windows: the click on the tray blurred the window a few ms before the click event.
  t.is(trayClickAction({ visible: true, focused: false, lastBlurAt: 990 }, 1000), 'hide');
  // Visible behind another window the user clicked long ago: bring it forward.
  t.is(trayClickAction({ visible: true, focused: false, lastBlurAt: 1000 - BLUR_CLICK_WINDOW_MS - 1 }, 1000), 'show');
});

test('the portable build writes a Start-menu shortcut with the AppUserModelID, pointing at the real exe', async (t) => {
  const { startMenuShortcut } = await startMenu();
  const plan = startMenuShortcut('C:/Users/ann/AppData/Roaming', 'D:/Tools/VM Messenger-0.1.0-portable.exe', 'VM Messenger', 'com.vm-messenger.tray');
  t.is(plan.path.replace(/\\/g, '/'), 'C:/Users/ann/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/VM Messenger.lnk');
  t.like(plan.options, { target: 'D:/Tools/VM Messenger-0.1.0-portable.exe', appUserModelId: 'com.vm-messenger.tray', icon: 'D:/Tools/VM Messenger-0.1.0-portable.exe' });
});

test('an invalid settings file: Reset keeps it as a dated backup and starts with defaults; Quit changes nothing', async (t) => {
  const { openSettingsWithRecovery, backupName } = await settingsRecovery();
  const dir = await tempDir(t, 'vmm-settings-');
  const file = path.join(dir, 'settings.json');
  const bad = JSON.stringify({ notifications: 'yes', clientName: 'kept in the backup' });
  await writeFile(file, bad);
  const at = new Date('2026-12-02T15:04:05Z');
  const asked: string[] = [];

  const quit = await openSettingsWithRecovery({ open: () => openSettingsStore(dir), file, now: () => at, ask: async (problem) => (asked.push(problem), 'quit') });
  t.false(quit.ok);
  t.regex(asked[0] ?? '', /notifications/);
  t.is(await readFile(file, 'utf8'), bad, 'quitting leaves the file alone');

  const reset = await openSettingsWithRecovery({ open: () => openSettingsStore(dir), file, now: () => at, ask: async () => 'reset' });
  t.true(reset.ok);
  if (!reset.ok) return;
  t.is(reset.backup, backupName(file, at));
  t.is(path.basename(reset.backup ?? ''), 'settings.invalid-2026-12-02T15-04-05.json');
  t.is(await readFile(reset.backup!, 'utf8'), bad, 'the bad file is kept, byte for byte');
  t.is(reset.store.get('notifications'), true, 'defaults');
  t.deepEqual((await readdir(dir)).sort(), ['settings.invalid-2026-12-02T15-04-05.json', 'settings.json']);

  // A valid file opens without asking.
  const fine = await openSettingsWithRecovery({ open: () => openSettingsStore(dir), file, ask: async () => t.fail('asked') as never });
  t.true(fine.ok);
});

test('links: only http and https open, without credentials; the page finds links and leaves punctuation out', async (t) => {
  const { externalUrl } = await externalLinks();
  t.is(externalUrl('https://example.com/a?b=c#d'), 'https://example.com/a?b=c#d');
  t.is(externalUrl('HTTP://Example.com'), 'http://example.com/');
  for (const bad of ['file:///C:/Windows/win.ini', 'javascript:alert(1)', 'vmm-app://ui/index.html', 'ms-settings:privacy', 'https://user:pw@evil.example/', 'not a url', 'http://']) {
    t.is(externalUrl(bad), undefined, bad);
  }
  const { splitLinks } = await rendererLinks();
  t.deepEqual(splitLinks('see https://en.wikipedia.org/wiki/Tree_(data_structure), ok?'), [
    { kind: 'text', text: 'see ' },
    { kind: 'link', text: 'https://en.wikipedia.org/wiki/Tree_(data_structure)', url: 'https://en.wikipedia.org/wiki/Tree_(data_structure)' },
    { kind: 'text', text: ', ok?' },
  ]);
  t.deepEqual(splitLinks('(https://x.org/a).'), [
    { kind: 'text', text: '(' },
    { kind: 'link', text: 'https://x.org/a', url: 'https://x.org/a' },
    { kind: 'text', text: ').' },
  ]);
  t.deepEqual(splitLinks('javascript:alert(1) file:///x'), [{ kind: 'text', text: 'javascript:alert(1) file:///x' }]);
});

test('thumbnails are never drawn larger than the picture, and never thinner than 1:3', async (t) => {
  const { thumbnailBox } = await imageFit();
  const { middleCutParts } = await cutNameModule();
  t.deepEqual(thumbnailBox(24, 24), { width: 24, height: 24, cropped: false });
  t.deepEqual(thumbnailBox(1200, 900), { width: 232, height: 174, cropped: false });
  t.deepEqual(thumbnailBox(4000, 300), { width: 232, height: 77, cropped: true });
  t.deepEqual(thumbnailBox(10, 400), { width: 10, height: 232, cropped: true }, 'not widened past its own 10 px');
  t.deepEqual(thumbnailBox(300, 4000), { width: 77, height: 232, cropped: true });
  t.deepEqual(middleCutParts('tiny-icon.png'), { head: 'tiny-', tail: 'icon.png' });
  t.deepEqual(middleCutParts('a.png'), { head: '', tail: 'a.png' });
  t.deepEqual(middleCutParts('Screenshot 2025-06-01 093012.jpeg'), { head: 'Screenshot 2025-06-01 09', tail: '3012.jpeg' });
});

test('avatars: stable per sender id, the initial a person reads, the VM apart', async (t) => {
  const { avatarFor, initialOf, AVATAR_HUES } = await avatar();
  t.deepEqual(avatarFor('client:c1', 'laptop', 'client'), avatarFor('client:c1', 'laptop', 'client'));
  t.is(avatarFor('vm', 'VM', 'vm').hue, 'vm');
  const hues = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((n) => avatarFor(`client:${n}`, n, 'client').hue));
  t.true(hues.size >= 4, 'ids spread over the colours');
  for (const h of hues) t.true(typeof h === 'number' && h >= 0 && h < AVATAR_HUES);
  t.is(initialOf('  "émile"'), 'É');
  t.is(initialOf('🚀 rocket'), 'R');
  t.is(initialOf('שלום'), 'ש');
  t.is(initialOf('!!!'), '?');
});

test('the global shortcut: Electron accelerators normalised, a modifier required, nonsense refused', (t) => {
  t.deepEqual(parseAccelerator('ctrl + alt + m'), { ok: true, value: 'Ctrl+Alt+M' });
  t.deepEqual(parseAccelerator('CommandOrControl+Shift+F12'), { ok: true, value: 'CommandOrControl+Shift+F12' });
  t.deepEqual(parseAccelerator(''), { ok: true, value: '' });
  t.deepEqual(parseAccelerator('Ctrl++'), { ok: true, value: 'Ctrl+Plus' });
  for (const bad of ['M', 'Ctrl+', 'Hyper+M', 'Ctrl+Ctrl+M', 'Ctrl+Alt+Banana', 'Ctrl+F25']) t.false(parseAccelerator(bad).ok, bad);
});

test('the app log: one line per entry, moved aside past its size cap', async (t) => {
  const { createAppLog, logLine } = await appLog();
  t.is(logLine(new Date('2026-12-02T10:00:00Z'), 'send failed:\n  ECONNREFUSED'), '2026-12-02T10:00:00.000Z send failed: | ECONNREFUSED\n');
  const dir = await tempDir(t, 'vmm-log-');
  const file = path.join(dir, 'logs', 'vm-messenger.log');
  const log = createAppLog(file);
  log('first');
  log('second');
  t.regex(await readFile(file, 'utf8'), /first\n.*second\n$/);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, 'x'.repeat(1024 * 1024 + 1));
  log('after the cap');
  t.regex(await readFile(file, 'utf8'), /^\S+ after the cap\n$/);
  t.is((await readFile(`${file}.1`, 'utf8')).length, 1024 * 1024 + 1);
});
