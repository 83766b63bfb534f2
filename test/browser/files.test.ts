/** The file bubble against the real core and daemon: badge, middle-cut name, size, progress,
 *  Open / Show in folder, and the executable warning. Screenshots in light and dark go to
 *  test-output/screenshots (files-*.png) for review. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { connectClient, until } from '../helpers/daemon.js';
import { makeZip } from '../helpers/files.js';
import { cspViolations, screenshot } from './helpers/browser.js';
import { shootBoth } from './helpers/shoot.js';
import { heardBy, openStack, type ChatStack } from './helpers/stack.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A file pushed from the VM side, as `vmctl send FILE` does. */
async function pushFromVm(s: ChatStack, name: string, bytes: Buffer): Promise<string> {
  const daemon = s.daemon();
  const upload = daemon.beginUpload(name, bytes.length, sha256(bytes), 'file');
  await daemon.uploadChunk(upload, bytes);
  return (await daemon.sendImage({ kind: 'upload', upload })).id;
}

test('a received file: type badge, name, size; Open and Show in folder once it is saved', async (t) => {
  const s = await openStack(t, suite);
  const log = Buffer.from('10:00 build started\n10:02 412 tests passed\n'.repeat(60));
  const id = await pushFromVm(s, 'build.log', log);
  const bubble = s.page.locator(`.msg.theirs[data-key="${id}"][data-kind="file"]`);
  await bubble.locator('.file-open:not([disabled])').waitFor();
  t.is(await bubble.locator('.file-badge').textContent(), 'LOG');
  t.is(await bubble.locator('.file-name').textContent(), 'build.log');
  t.regex((await bubble.locator('.file-size').textContent()) ?? '', /^2\.\d KB · text\/plain$/);
  t.is(await bubble.locator('.file-warning').count(), 0);
  t.is(await bubble.locator('.file-progress').count(), 0, 'no bar once it has arrived');

  await bubble.getByRole('button', { name: 'Open build.log' }).click();
  const saved = await until(() => s.core.filePath(id), 'the file to be saved');
  t.true(saved.startsWith(s.filesDir), 'saved in the files folder');
  t.is(sha256(await readFile(saved)), sha256(log));
  await bubble.getByRole('button', { name: 'Show in folder: build.log' }).click();
  t.true(await s.page.locator('#notice').isHidden(), `no error shown: ${await s.page.locator('#notice').textContent()}`);

  const laptop = await connectClient(t, s.daemon(), 'laptop');
  await laptop.sendImage({
    name: 'quarterly-infrastructure-cost-report-final-v7-reviewed.pdf',
    bytes: Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'),
    kind: 'file',
  });
  await laptop.sendImage({ name: 'logs.zip', bytes: makeZip([{ name: 'app.log', data: Buffer.from('ok\n') }]), kind: 'file' });
  const pdf = s.page.locator('.msg.theirs[data-kind="file"]', { hasText: 'PDF' });
  await pdf.locator('.file-open:not([disabled])').waitFor();
  t.regex((await pdf.locator('.file-name .cut-name-tail').textContent()) ?? '', /\.pdf$/, 'the extension always shows');
  t.true(await pdf.locator('.file-name .cut-name-head').evaluate((e) => e.scrollWidth > e.clientWidth), 'the middle is what is shortened');
  t.is(await pdf.locator('.file-name').getAttribute('title'), 'quarterly-infrastructure-cost-report-final-v7-reviewed.pdf');
  await s.page.locator('.msg.theirs[data-kind="file"] .file-badge', { hasText: 'ZIP' }).waitFor();
  await s.page.locator('.msg.theirs[data-kind="file"]').last().locator('.file-open:not([disabled])').waitFor();
  await shootBoth(s.page, 'files-received');
  t.deepEqual(await cspViolations(s.page), []);
});

test('an executable or script gets a warning and Show in folder, never Open', async (t) => {
  const s = await openStack(t, suite);
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  await laptop.say('Here is the installer and the setup script.');
  await laptop.sendImage({ name: 'setup.exe', bytes: Buffer.from('MZ this is not really a program'), kind: 'file' });
  await laptop.sendImage({ name: 'install.ps1', bytes: Buffer.from('Write-Host "hello"\n'), kind: 'file' });
  const bubbles = s.page.locator('.msg.theirs[data-kind="file"]');
  await until(async () => (await bubbles.locator('.file-show:not([disabled])').count()) === 2, 'both saved');
  for (const name of ['setup.exe', 'install.ps1']) {
    const bubble = bubbles.filter({ hasText: name });
    t.is(await bubble.getByRole('button', { name: `Open ${name}` }).count(), 0, `${name}: no Open`);
    t.regex((await bubble.getByRole('note').textContent()) ?? '', /program or script/);
    t.is(await bubble.locator('.file-badge.family-program').count(), 1);
  }
  await bubbles.filter({ hasText: 'setup.exe' }).getByRole('button', { name: 'Show in folder: setup.exe' }).click();
  // Even a page that asked would be refused by the core.
  const exeKey = await bubbles.filter({ hasText: 'setup.exe' }).evaluate((node) => node.closest('li')?.getAttribute('data-key') ?? '');
  const refused = await s.core.api.openFile(exeKey);
  t.false(refused.ok);
  await shootBoth(s.page, 'files-executable');
});

test('a large file shows a progress bar while it arrives, then Open', async (t) => {
  const s = await openStack(t, suite);
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const heard = heardBy(laptop);
  const big = Buffer.alloc(64 * 1024 * 1024, 0x5a);
  const sent = laptop.sendImage({ name: 'memory.dump', bytes: big, kind: 'file' });
  const bubble = s.page.locator('.msg.theirs[data-kind="file"]');
  const bar = bubble.locator('.file-progress[role="progressbar"]');
  await bar.waitFor({ timeout: 60_000 });
  const now = Number(await bar.getAttribute('aria-valuenow'));
  t.true(now >= 0 && now <= 100);
  await screenshot(s.page, 'files-progress-light');
  await sent;
  await bubble.locator('.file-open:not([disabled])').waitFor({ timeout: 60_000 });
  t.is(await bar.count(), 0, 'the bar goes once the file is saved');
  t.true(heard.some((e) => e.kind === 'file' && e.originalName === 'memory.dump'));
});

test('sending a file from the window: chooser and drop send any type, the own bubble shows it delivered', async (t) => {
  const s = await openStack(t, suite);
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const heard = heardBy(laptop);
  const chooser = s.page.waitForEvent('filechooser');
  await s.page.getByRole('button', { name: 'Send a file' }).click();
  await (await chooser).setFiles({ name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# notes\n') });
  const event = await until(() => heard.find((e) => e.kind === 'file' && e.originalName === 'notes.md'), 'the other client to get the file');
  const bubble = s.page.locator(`.msg.mine[data-key="${event.id}"][data-kind="file"]`);
  await bubble.locator('.msg-delivery[aria-label="Delivered"]').waitFor();
  t.is(await bubble.locator('.file-name').textContent(), 'notes.md');
  t.is(await bubble.locator('.file-open:not([disabled])').count(), 1, 'own delivered files can be opened (fetched back)');
  await shootBoth(s.page, 'files-sent');
});

test('the received-files folder is chosen in Settings; the next file is saved there', async (t) => {
  const s = await openStack(t, suite);
  await s.page.evaluate(() => {
    location.hash = 'settings';
  });
  const input = s.page.locator('#settings-view').getByLabel('Received files are saved in');
  await input.waitFor();
  t.is(await input.inputValue(), s.filesDir, 'the folder in force is shown');
  const chosen = path.join(s.dataDir, 'Incoming files');
  await input.fill(chosen);
  await s.page.locator('#files-dir-form').getByRole('button', { name: 'Save' }).click();
  await until(async () => (await s.core.api.getSnapshot()).settings.receivedFilesDir === chosen, 'the setting saved');
  await s.page.keyboard.press('Escape');
  const id = await pushFromVm(s, 'report.csv', Buffer.from('a,b\n1,2\n'));
  await s.page.locator(`.msg[data-key="${id}"] .file-open:not([disabled])`).waitFor();
  t.is(path.dirname(s.core.filePath(id) ?? ''), chosen);
});
