/** The main states of the window, light and dark, saved under test-output/screenshots for review. */
import test from 'ava';
import { cspViolations, openChat, screenshot } from './helpers/browser.js';
import { imageItem, sampleConversation } from './helpers/fixtures.js';
import { DEFAULT_SETTINGS, ScriptedApi } from './helpers/scripted-api.js';
import { minutesAgo, useChromium } from './helpers/suite.js';

const suite = useChromium(test);

for (const scheme of ['light', 'dark'] as const) {
  test(`screenshots (${scheme})`, async (t) => {
    const browser = suite.browser();
    const url = suite.url();

    const empty = await openChat(t, browser, url, new ScriptedApi(), { colorScheme: scheme });
    await screenshot(empty.page, `empty-${scheme}`);

    const unpaired = new ScriptedApi({ connection: { status: 'unpaired' }, settings: { ...DEFAULT_SETTINGS, paired: false, serverLabel: undefined } });
    const pairing = await openChat(t, browser, url, unpaired, { colorScheme: scheme });
    await pairing.page.locator('#pairing-view').waitFor();
    await screenshot(pairing.page, `pairing-${scheme}`);

    const chatting = new ScriptedApi({ items: await sampleConversation() });
    const chat = await openChat(t, browser, url, chatting, { colorScheme: scheme });
    await chat.page.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
    await screenshot(chat.page, `chatting-${scheme}`);

    const images = new ScriptedApi({
      items: [
        await imageItem(1, { ts: minutesAgo(6), name: 'diagram-final-v3.png', w: 1200, h: 900 }),
        await imageItem(2, { ts: minutesAgo(5), mine: true, senderName: 'DESKTOP-7K3', name: 'Screenshot 2025-06-01 093012.png', w: 900, h: 1600 }),
      ],
    });
    const img = await openChat(t, browser, url, images, { colorScheme: scheme });
    await img.page.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
    await screenshot(img.page, `image-${scheme}`);

    const down = new ScriptedApi({
      items: await sampleConversation(),
      connection: { status: 'reconnecting', attempt: 4, nextRetryAt: Date.now() + 8_000, lastError: 'connection refused by 192.168.122.10:12345' },
    });
    const rec = await openChat(t, browser, url, down, { colorScheme: scheme });
    await rec.page.locator('#banner').waitFor();
    await rec.page.getByLabel('Message', { exact: true }).fill('This will wait in the outbox');
    await screenshot(rec.page, `reconnecting-${scheme}`);

    const rejected = new ScriptedApi({ items: await sampleConversation(), connection: { status: 'auth-failed', code: 'bad_token', reason: 'token revoked' } });
    const auth = await openChat(t, browser, url, rejected, { colorScheme: scheme });
    await auth.page.locator('#banner').waitFor();
    await screenshot(auth.page, `auth-failed-${scheme}`);

    const settings = await openChat(t, browser, url, new ScriptedApi({ items: await sampleConversation() }), { colorScheme: scheme });
    await settings.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await settings.page.locator('#settings-view').waitFor();
    await screenshot(settings.page, `settings-${scheme}`);

    for (const p of [empty, pairing, chat, img, rec, auth, settings]) t.deepEqual(await cspViolations(p.page), []);
  });
}
