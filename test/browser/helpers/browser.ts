/** Debian's Chromium through playwright-core, with the chat page served from tray/dist/renderer. */
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { VmMessengerApi } from 'vm-messenger-tray/core';
import { installBridge, type PageBridge } from './page-bridge.js';
import { serveFolder, type StaticServer } from './static-server.js';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const screenshotDir = join(repoRoot, 'test-output', 'screenshots');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  await access(CHROMIUM).catch(() => {
    throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** The renderer as built: tsc's modules plus the copied page and stylesheet. */
export async function serveRenderer(): Promise<StaticServer> {
  const script = join(repoRoot, 'tray', 'scripts', 'copy-renderer-assets.mjs');
  const mod = (await import(pathToFileURL(script).href)) as { copyRendererAssets(): string };
  return serveFolder(mod.copyRendererAssets());
}

export interface ChatPage {
  page: Page;
  context: BrowserContext;
  bridge: PageBridge;
}

export interface OpenOptions {
  colorScheme?: 'light' | 'dark';
  /** Wait for the app to finish its first render (default true). */
  ready?: boolean;
}

/** A fresh browser context at the chat window's size, with `api` behind window.vmMessenger. */
export async function openChat(t: ExecutionContext, browser: Browser, url: string, api: VmMessengerApi, opts: OpenOptions = {}): Promise<ChatPage> {
  const context = await browser.newContext({ viewport: { width: 380, height: 560 }, deviceScaleFactor: 2, colorScheme: opts.colorScheme ?? 'light', locale: 'en-GB', timezoneId: 'Europe/London' });
  t.teardown(() => context.close());
  // Everything here is local: a wait that takes this long has failed.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  t.teardown(() => {
    if (errors.length > 0) throw new Error(`the page threw: ${errors.join('; ')}`);
  });
  const bridge = await installBridge(page, api);
  t.teardown(() => bridge.dispose());
  await page.goto(url);
  if (opts.ready ?? true) await page.waitForSelector('html[data-ready="true"]', { state: 'attached' });
  return { page, context, bridge };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}
