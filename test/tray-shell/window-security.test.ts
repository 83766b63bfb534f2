import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { appPaths, trayDir, windowOptions } from './shell-modules.js';

test('the chat window is isolated: no Node, context isolation, sandbox, web security', async (t) => {
  const { chatWindowOptions } = await windowOptions();
  const o = chatWindowOptions('/app/dist/preload/preload.cjs', '/app/assets/icon.png');
  const w = o.webPreferences!;
  t.is(w.contextIsolation, true);
  t.is(w.nodeIntegration, false);
  t.is(w.nodeIntegrationInWorker, false);
  t.is(w.nodeIntegrationInSubFrames, false);
  t.is(w.sandbox, true);
  t.not(w.webSecurity, false);
  t.not(w.allowRunningInsecureContent, true);
  t.is(w.webviewTag, false);
  t.is(w.navigateOnDragDrop, false);
  t.is(w.preload, '/app/dist/preload/preload.cjs');
  t.is(o.show, false);
  t.is(o.width, 380);
  t.is(o.height, 560);
});

function cspOf(html: string): Map<string, string[]> {
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  if (!meta?.[1]) throw new Error('no CSP meta tag');
  return new Map(
    meta[1]
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

test("the page's Content-Security-Policy is strict", async (t) => {
  const html = await readFile(join(trayDir, 'src', 'renderer', 'static', 'index.html'), 'utf8');
  const csp = cspOf(html);
  t.deepEqual(csp.get('default-src'), ["'none'"]);
  t.deepEqual(csp.get('script-src'), ["'self'"]);
  t.deepEqual(csp.get('style-src'), ["'self'"]);
  t.deepEqual(csp.get('img-src'), ["'self'", 'data:']);
  t.deepEqual(csp.get('connect-src'), ["'none'"]);
  t.deepEqual(csp.get('object-src'), ["'none'"]);
  t.deepEqual(csp.get('base-uri'), ["'none'"]);
  t.false(/unsafe-|\*|https?:/.test([...csp.values()].flat().join(' ')));
});

test('the page has no inline script, inline style or event-handler attribute for the CSP to allow', async (t) => {
  const html = await readFile(join(trayDir, 'src', 'renderer', 'static', 'index.html'), 'utf8');
  t.false(/<script(?![^>]*\bsrc=)[^>]*>/i.test(html));
  t.false(/<style/i.test(html));
  t.false(/\sstyle=/i.test(html));
  t.false(/\son[a-z]+=/i.test(html));
});

test('the renderer never turns strings into markup', async (t) => {
  const dir = join(trayDir, 'dist', 'renderer');
  const js = (await readdir(dir)).filter((f) => f.endsWith('.js'));
  t.true(js.length > 5);
  for (const f of js) {
    const code = await readFile(join(dir, f), 'utf8');
    t.false(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(code), f);
  }
});

test('navigation is allowed only within the page itself', async (t) => {
  const { isAllowedNavigation } = await windowOptions();
  const page = 'vmm-app://ui/index.html';
  t.true(isAllowedNavigation('vmm-app://ui/index.html#settings', page));
  t.true(isAllowedNavigation('vmm-app://ui/index.html', `${page}#settings`));
  t.false(isAllowedNavigation('https://example.com/', page));
  t.false(isAllowedNavigation('file:///C:/Windows/win.ini', page));
  t.false(isAllowedNavigation('vmm-app://ui/other.html', page));
  t.false(isAllowedNavigation('not a url', page));
});

test('the app scheme serves only files inside the renderer folder', async (t) => {
  const { resolveInside } = await appPaths();
  const root = '/app/dist/renderer';
  t.is(resolveInside(root, '/index.html'), '/app/dist/renderer/index.html');
  t.is(resolveInside(root, '/./app.js'), '/app/dist/renderer/app.js');
  t.is(resolveInside(root, '/../main/main.js'), undefined);
  t.is(resolveInside(root, '/%2e%2e/main/main.js'), undefined);
  t.is(resolveInside(root, '/..%2Fmain%2Fmain.js'), undefined);
  t.is(resolveInside(root, '/a%5C..%5C..%5Cx'), undefined);
  t.is(resolveInside(root, '/'), undefined);
  t.is(resolveInside(root, '/%E0%A4%A'), undefined);
  t.is(resolveInside(root, '/x%00.js'), undefined);
});

test('the window opens beside the tray icon, inside the work area', async (t) => {
  const { positionNearTray } = await windowOptions();
  const size = { width: 380, height: 560 };
  const work = { x: 0, y: 0, width: 1920, height: 1040 };
  // Taskbar at the bottom, icon near the right: above it, right edge kept on screen.
  t.deepEqual(positionNearTray({ x: 1800, y: 1050, width: 24, height: 24 }, work, size), { x: 1532, y: 472 });
  // Taskbar at the top.
  t.deepEqual(positionNearTray({ x: 900, y: 4, width: 24, height: 24 }, { x: 0, y: 40, width: 1920, height: 1040 }, size), { x: 722, y: 48 });
  // Taskbar on the left: beside it, centred on the icon vertically.
  t.deepEqual(positionNearTray({ x: 10, y: 900, width: 24, height: 24 }, { x: 48, y: 0, width: 1872, height: 1080 }, size), { x: 56, y: 512 });
  // No tray rectangle (some Linux trays): bottom-right corner.
  t.deepEqual(positionNearTray({ x: 0, y: 0, width: 0, height: 0 }, work, size), { x: 1532, y: 472 });
  // A second monitor to the left, with negative coordinates: kept on that monitor.
  t.deepEqual(positionNearTray({ x: -100, y: 1050, width: 24, height: 24 }, { x: -1920, y: 0, width: 1920, height: 1040 }, size), { x: -388, y: 472 });
  t.deepEqual(positionNearTray({ x: -1000, y: 1050, width: 24, height: 24 }, { x: -1920, y: 0, width: 1920, height: 1040 }, size), { x: -1178, y: 472 });
});
