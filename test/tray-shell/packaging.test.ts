import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import yaml from 'js-yaml';
import sharp from 'sharp';
import { appIdentity, appPaths, trayDir, trayPresentation } from './shell-modules.js';

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  win: { icon: string; target: { target: string; arch: string[] }[] };
  nsis: Record<string, unknown>;
  directories: { output: string };
}

const config = async (): Promise<BuilderConfig> => yaml.safeLoad(await readFile(join(trayDir, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

test('electron-builder builds an NSIS installer and a portable exe for Windows x64', async (t) => {
  const c = await config();
  t.deepEqual(c.win.target.map((x) => x.target).sort(), ['nsis', 'portable']);
  for (const target of c.win.target) t.deepEqual(target.arch, ['x64']);
  t.is(c.directories.output, 'release');
});

test('the appId is the AppUserModelID main sets (toasts are attributed by it)', async (t) => {
  const c = await config();
  const { APP_USER_MODEL_ID, PRODUCT_NAME } = await appIdentity();
  t.is(c.appId, 'com.vm-messenger.tray');
  t.is(c.appId, APP_USER_MODEL_ID);
  t.is(c.productName, PRODUCT_NAME);
});

test("node-notifier's SnoreToast is unpacked from the asar, where main looks for it", async (t) => {
  const c = await config();
  t.true(c.asar);
  t.true(c.asarUnpack.includes('node_modules/node-notifier/vendor/**'));
  const { snoreToastPath } = await appPaths();
  const p = snoreToastPath('C:\\Program Files\\VM Messenger\\resources', 'x64').replaceAll('\\', '/');
  t.regex(p, /\/app\.asar\.unpacked\/node_modules\/node-notifier\/vendor\/snoreToast\/snoretoast-x64\.exe$/);
  t.regex(snoreToastPath('/r', 'ia32'), /snoretoast-x86\.exe$/);
  // The vendored binaries are where that path expects them.
  const vendor = join(trayDir, '..', 'node_modules', 'node-notifier', 'vendor', 'snoreToast');
  for (const exe of ['snoretoast-x64.exe', 'snoretoast-x86.exe']) await t.notThrowsAsync(readFile(join(vendor, exe)), exe);
});

test('the installer is per-user, assisted, with shortcuts, and runs the app when done', async (t) => {
  const { nsis } = await config();
  t.is(nsis['perMachine'], false);
  t.is(nsis['oneClick'], false);
  t.is(nsis['createDesktopShortcut'], true);
  t.is(nsis['runAfterFinish'], true);
  t.is(nsis['deleteAppDataOnUninstall'], false);
});

test('only built output and assets are packaged: no sources, tests, maps or declarations', async (t) => {
  const { files } = await config();
  for (const f of files.filter((p) => !p.startsWith('!'))) t.regex(f, /^(package\.json|dist\/(main|preload|core|renderer)\/|assets\/)/, f);
  t.true(files.includes('!**/*.map'));
  t.true(files.includes('!**/*.d.ts'));
  // The entry point package.json names is among them.
  const pkg = JSON.parse(await readFile(join(trayDir, 'package.json'), 'utf8')) as { main: string };
  t.is(pkg.main, 'dist/main/main.js');
});

/** Reads an .ico directory: size and PNG payload of each entry. */
function icoEntries(ico: Buffer): { size: number; data: Buffer }[] {
  if (ico.readUInt16LE(0) !== 0 || ico.readUInt16LE(2) !== 1) throw new Error('not an icon file');
  return Array.from({ length: ico.readUInt16LE(4) }, (_, i) => {
    const e = 6 + 16 * i;
    const size = ico.readUInt8(e) || 256;
    const length = ico.readUInt32LE(e + 8);
    const offset = ico.readUInt32LE(e + 12);
    return { size, data: ico.subarray(offset, offset + length) };
  });
}

test('the Windows icon is a valid multi-size .ico up to 256 px', async (t) => {
  const c = await config();
  const ico = await readFile(join(trayDir, c.win.icon));
  const entries = icoEntries(ico);
  t.deepEqual(entries.map((e) => e.size), [16, 24, 32, 48, 64, 128, 256]);
  for (const e of entries) {
    const meta = await sharp(e.data).metadata();
    t.is(meta.format, 'png');
    t.is(meta.width, e.size);
    t.is(meta.height, e.size);
  }
});

/** One connection state per tray icon state. */
const TRAY_STATES = [
  { status: 'connected', serverName: 'vm' },
  { status: 'reconnecting', attempt: 1, nextRetryAt: 0 },
  { status: 'disconnected' },
  { status: 'auth-failed', code: 'bad_token', reason: '' },
] as const;

test('every tray state has its icon at 16–48 px for light and dark taskbars, with every unread badge', async (t) => {
  const { trayIconFile, overlayIconFile, TRAY_ICON_SIZES } = await trayPresentation();
  const { appPaths: paths } = await appPaths();
  const dir = paths(trayDir).trayIconDir;
  t.deepEqual([...TRAY_ICON_SIZES], [16, 20, 24, 32, 48]);
  const checks: Promise<void>[] = [];
  for (const state of TRAY_STATES) {
    for (const unread of [0, 1, 5, 9, 10, 250]) {
      for (const size of TRAY_ICON_SIZES) {
        for (const theme of ['light', 'dark'] as const) {
          checks.push(
            sharp(join(dir, trayIconFile(state, unread, size, theme)))
              .metadata()
              .then((meta) => {
                t.is(meta.width, size);
                t.is(meta.hasAlpha, true);
              }),
          );
        }
      }
    }
  }
  for (const unread of [1, 9, 12]) {
    for (const size of [16, 32] as const) {
      checks.push(
        sharp(join(dir, overlayIconFile(unread, size)!))
          .metadata()
          .then((meta) => void t.is(meta.width, size)),
      );
    }
  }
  await Promise.all(checks);
  t.is(overlayIconFile(0, 16), undefined, 'no overlay when nothing is unread');
});

test('the tray states differ in shape, not only in colour', async (t) => {
  const { trayIconFile } = await trayPresentation();
  const { appPaths: paths } = await appPaths();
  const dir = paths(trayDir).trayIconDir;
  // Reduced to grey, as someone who cannot tell red from green sees it: every pair still differs.
  const greys = await Promise.all(TRAY_STATES.map((s) => sharp(join(dir, trayIconFile(s, 0, 32, 'light'))).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer()));
  for (let i = 0; i < greys.length; i++) {
    for (let j = i + 1; j < greys.length; j++) {
      let differing = 0;
      for (let k = 0; k < greys[i]!.length; k += 1) if (Math.abs(greys[i]![k]! - greys[j]![k]!) > 64) differing += 1;
      t.true(differing > 20, `${TRAY_STATES[i]!.status} vs ${TRAY_STATES[j]!.status}: ${differing} pixels differ`);
    }
  }
});
