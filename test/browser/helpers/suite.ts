/** One Chromium and one page server per test file. */
import type { TestFn } from 'ava';
import type { Browser } from 'playwright-core';
import { launchChromium, serveRenderer } from './browser.js';
import type { StaticServer } from './static-server.js';

export interface Suite {
  browser(): Browser;
  url(): string;
}

export function useChromium(test: TestFn): Suite {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  test.before(async () => {
    [browser, server] = await Promise.all([launchChromium(), serveRenderer()]);
  });
  test.after.always(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    browser: () => {
      if (!browser) throw new Error('chromium not started');
      return browser;
    },
    url: () => {
      if (!server) throw new Error('server not started');
      return server.url;
    },
  };
}
