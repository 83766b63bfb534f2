import test from 'ava';
import { openChat } from './helpers/browser.js';
import { ScriptedApi, item } from './helpers/scripted-api.js';
import { minutesAgo, useChromium } from './helpers/suite.js';

const suite = useChromium(test);

test('losing the connection shows a reconnect banner with a countdown; Retry now reconnects', async (t) => {
  const api = new ScriptedApi({ items: [item(1, { ts: minutesAgo(1) })] });
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  t.true(await page.locator('#banner').isHidden());

  api.push({ type: 'connection', state: { status: 'reconnecting', attempt: 2, nextRetryAt: Date.now() + 30_000, lastError: 'connection reset' } });
  const banner = page.locator('#banner');
  await banner.waitFor();
  t.regex((await page.locator('#banner-title').textContent()) ?? '', /^Connection lost\. Reconnecting in (29|30) s$/);
  t.regex((await page.locator('#banner-detail').textContent()) ?? '', /connection reset\. Attempt 2/);
  t.is(await page.locator('#status-dot').getAttribute('data-state'), 'reconnecting');
  // The countdown ticks.
  await page.waitForFunction(() => /in (2[0-8]) s$/.test(document.getElementById('banner-title')?.textContent ?? ''), undefined, { timeout: 5000 });

  await page.getByRole('button', { name: 'Retry now' }).click();
  await api.nextCall('reconnectNow');

  api.push({ type: 'connection', state: { status: 'connected', serverName: 'dev-vm' } });
  await banner.waitFor({ state: 'hidden' });
  t.is(await page.locator('#status-text').textContent(), 'Connected to dev-vm');
});

test('while disconnected, sending still works (the outbox keeps it) and the bubble says it waits', async (t) => {
  const api = new ScriptedApi({ connection: { status: 'disconnected' } });
  api.echoSends = false;
  const { page, bridge } = await openChat(t, suite.browser(), suite.url(), api);
  t.is(await page.locator('#banner-title').textContent(), 'Disconnected');
  await page.getByLabel('Message', { exact: true }).fill('see you later');
  await page.keyboard.press('Enter');
  t.deepEqual((await api.nextCall('sendText')).args, ['see you later']);
  api.push({ type: 'items', items: [{ key: 'q1', kind: 'text', mine: true, senderName: 'me', ts: Date.now(), text: 'see you later', delivery: 'pending' }] });
  await bridge.flushed();
  t.regex((await page.locator('[data-key="q1"] .msg-status').textContent()) ?? '', /Waiting to send/);
  await page.getByRole('button', { name: 'Reconnect', exact: true }).click();
  await api.nextCall('reconnectNow');
});

test('a rejected pairing says what to do, and "Pair again" opens the pairing form', async (t) => {
  const api = new ScriptedApi();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  api.push({ type: 'connection', state: { status: 'auth-failed', code: 'bad_fingerprint', reason: 'certificate changed' } });
  await page.locator('#banner').waitFor();
  t.is(await page.locator('#banner').getAttribute('role'), 'alert');
  t.regex((await page.locator('#banner-detail').textContent()) ?? '', /certificate is not the one you paired with.*\(certificate changed\)/);
  await page.getByRole('button', { name: 'Pair again' }).click();
  await page.locator('#settings-view').waitFor();
  t.is(await page.evaluate(() => document.activeElement?.id), 'settings-pairing-string');
});

test('a failed send of an own message shows why on the bubble', async (t) => {
  const api = new ScriptedApi({
    items: [{ key: 'f1', kind: 'text', mine: true, senderName: 'me', ts: minutesAgo(1), text: 'x', delivery: 'failed', error: 'rejected by the VM: too long' }],
  });
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  t.regex((await page.locator('[data-key="f1"] .msg-status').textContent()) ?? '', /Not sent: rejected by the VM: too long/);
});
