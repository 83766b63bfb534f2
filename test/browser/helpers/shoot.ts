/** One screen state for the screenshot set: shot in light and dark, and checked by axe-core in
 *  both. Any violation fails the test. */
import type { Page } from 'playwright-core';
import { axeViolations } from './axe.js';
import { screenshot } from './browser.js';

export async function shootBoth(page: Page, name: string): Promise<void> {
  const problems: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.waitForFunction((dark) => matchMedia('(prefers-color-scheme: dark)').matches === dark, colorScheme === 'dark');
    // Animations settled, so colours are measured as they end up.
    await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
    await screenshot(page, `${name}-${colorScheme}`);
    problems.push(...(await axeViolations(page)).map((v) => `${name}-${colorScheme}: ${v}`));
  }
  if (problems.length > 0) throw new Error(`axe-core found ${problems.length} violation(s):\n${problems.join('\n')}`);
}
