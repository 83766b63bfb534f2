import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { ipcChannels, ipcSchemas, trayDir } from './shell-modules.js';

const preloadJs = (): Promise<string> => readFile(join(trayDir, 'dist', 'preload', 'preload.cjs'), 'utf8');

test('preload and main use the same channel names, one per API call', async (t) => {
  const { IPC_CHANNELS, INVOKE_METHODS } = await ipcChannels();
  const mainNames = [...Object.values(IPC_CHANNELS.invoke), IPC_CHANNELS.update].sort();
  const preloadNames = [...new Set((await preloadJs()).match(/'vmm:[A-Za-z]+'/g)?.map((s) => s.slice(1, -1)))].sort();
  t.deepEqual(preloadNames, mainNames);
  t.deepEqual([...INVOKE_METHODS].sort(), [
    'getSnapshot',
    'imageAction',
    'imageData',
    'loadOlder',
    'markRead',
    'openFile',
    'openImage',
    'openLink',
    'pair',
    'reconnectNow',
    'remove',
    'retry',
    'sendFile',
    'sendImage',
    'sendText',
    'showInFolder',
    'updateSettings',
  ]);
  for (const m of INVOKE_METHODS) t.is(IPC_CHANNELS.invoke[m], `vmm:${m}`);
});

test('the sandboxed preload requires nothing but electron and exposes only vmMessenger', async (t) => {
  const js = (await preloadJs()).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  t.deepEqual([...js.matchAll(/require\(([^)]*)\)/g)].map((m) => m[1]), ['"electron"']);
  t.deepEqual([...js.matchAll(/exposeInMainWorld\('([^']+)'/g)].map((m) => m[1]), ['vmMessenger']);
});

const parse = async (method: string, args: unknown[]): Promise<{ success: boolean; message: string }> => {
  const { IPC_ARGS, describeIssues } = await ipcSchemas();
  const r = IPC_ARGS[method as keyof typeof IPC_ARGS].safeParse(args);
  return { success: r.success, message: r.success ? '' : describeIssues(r.error) };
};

test('valid calls from the page pass', async (t) => {
  t.true((await parse('sendText', ['hello'])).success);
  t.true((await parse('sendImage', [{ name: 'a.png', bytes: new Uint8Array([1, 2, 3]) }])).success);
  t.true((await parse('pair', ['vmm://h:1/?token=t&fp=x'])).success);
  t.true((await parse('pair', ['vmm://h:1/?token=t&fp=x', 'office'])).success);
  t.true((await parse('pair', ['vmm://h:1/?token=t&fp=x', undefined])).success);
  t.true((await parse('updateSettings', [{ doNotDisturb: true }])).success);
  t.true((await parse('getSnapshot', [])).success);
});

test('bad input: an empty or blank message', async (t) => {
  const r = await parse('sendText', ['  \n ']);
  t.false(r.success);
  t.is(r.message, 'message is empty');
});

test('bad input: a message over the text limit', async (t) => {
  const r = await parse('sendText', ['x'.repeat(16_001)]);
  t.false(r.success);
  t.regex(r.message, /longer than 16000/);
});

test('bad input: text that is not a string', async (t) => {
  t.false((await parse('sendText', [{ toString: 'x' }])).success);
});

test('bad input: image bytes that are not a Uint8Array', async (t) => {
  t.false((await parse('sendImage', [{ name: 'a.png', bytes: [1, 2, 3] }])).success);
});

test('bad input: an empty image file', async (t) => {
  const r = await parse('sendImage', [{ name: 'a.png', bytes: new Uint8Array(0) }]);
  t.false(r.success);
  t.is(r.message, 'image file is empty');
});

test('bad input: an image without a name', async (t) => {
  t.false((await parse('sendImage', [{ name: '', bytes: new Uint8Array(1) }])).success);
});

test('bad input: an image over the size limit', async (t) => {
  const r = await parse('sendImage', [{ name: 'big.png', bytes: new Uint8Array(50 * 1024 * 1024 + 1) }]);
  t.false(r.success);
  t.regex(r.message, /larger than 50 MB/);
});

test('bad input: settings the page may not change', async (t) => {
  t.false((await parse('updateSettings', [{ token: 'stolen' }])).success);
  t.false((await parse('updateSettings', [{ receivedImagesDir: 'C:\\Windows' }])).success);
  t.false((await parse('updateSettings', [{ doNotDisturb: 'yes' }])).success);
});

test('bad input: extra arguments', async (t) => {
  t.false((await parse('getSnapshot', ['extra'])).success);
  t.false((await parse('sendText', ['a', 'b'])).success);
});

test('bad input: an empty pairing string or an over-long client name', async (t) => {
  t.false((await parse('pair', [''])).success);
  t.false((await parse('pair', ['vmm://x', 'n'.repeat(121)])).success);
});

test('only calls answering ActionResult turn bad input into a message for the page', async (t) => {
  const { ACTION_METHODS } = await ipcSchemas();
  t.deepEqual([...ACTION_METHODS].sort(), ['imageAction', 'imageData', 'openFile', 'openImage', 'openLink', 'pair', 'remove', 'retry', 'sendFile', 'sendImage', 'sendText', 'showInFolder', 'updateSettings']);
});

test('bad input: a file over what may cross IPC, and a bubble key that is not one', async (t) => {
  const { IPC_MAX_FILE_BYTES } = await ipcSchemas();
  t.true((await parse('sendFile', [{ name: 'build.log', bytes: new Uint8Array([1]) }])).success);
  t.true((await parse('sendFile', [{ name: 'empty.txt', bytes: new Uint8Array(0) }])).success, 'an empty file is still a file');
  // A view of a larger buffer would be a copy of 256 MiB+ in the test: a fake length is enough.
  const huge = Object.defineProperty(new Uint8Array(1), 'byteLength', { value: IPC_MAX_FILE_BYTES + 1 });
  t.regex((await parse('sendFile', [{ name: 'disk.img', bytes: huge }])).message, /vmm send-file/);
  t.false((await parse('sendFile', [{ name: '', bytes: new Uint8Array([1]) }])).success);
  t.false((await parse('openFile', [''])).success);
  t.false((await parse('showInFolder', [42])).success);
  t.true((await parse('updateSettings', [{ receivedFilesDir: 'D:\\Incoming' }])).success);
  t.false((await parse('updateSettings', [{ receivedFilesDir: '  ' }])).success);
});
