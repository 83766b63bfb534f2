import test from 'ava';
import { openStack } from './helpers/stack.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);

test('daemon restart: the banner says it is reconnecting, goes away when the daemon is back, and a message typed meanwhile is delivered once', async (t) => {
  // Retries slow enough that "reconnecting" (waiting out the backoff) is the state the page sits in.
  const s = await openStack(t, suite, { core: { backoff: { initialMs: 300, maxMs: 600, jitter: 0 } } });
  const { page } = s;
  const banner = page.locator('#banner');
  t.true(await banner.isHidden());
  await page.locator('#status-text', { hasText: 'Connected to test-vm' }).waitFor();

  await s.stopDaemon();
  await page.locator('#banner-title', { hasText: /^Connection lost\. Reconnecting/ }).waitFor();
  // Between retries the core briefly says "connecting"; each of these waits for the retry wait.
  await page.locator('#status-dot[data-state="reconnecting"]').waitFor({ state: 'attached' });
  await page.locator('#banner-detail', { hasText: /Attempt \d+; messages you send will wait\.$/ }).waitFor();
  await page.getByRole('button', { name: 'Retry now' }).waitFor();

  const box = page.getByLabel('Message', { exact: true });
  await box.fill('typed while the VM was away');
  await box.press('Enter');
  const own = page.locator('.msg.mine', { hasText: 'typed while the VM was away' });
  await own.locator('.msg-status[data-delivery="pending"]').waitFor();
  t.regex((await own.locator('.msg-status').textContent()) ?? '', /Waiting to send/);
  t.is(await box.inputValue(), '', 'the outbox has it: the box is free again');

  const daemon = await s.startDaemon();
  await banner.waitFor({ state: 'hidden' });
  await page.locator('#status-text', { hasText: 'Connected to test-vm' }).waitFor();
  await own.locator('.msg-delivery[aria-label="Delivered"]').waitFor();
  t.is(await own.count(), 1, 'one bubble');
  t.is(daemon.history(20).filter((e) => e.kind === 'text' && e.text === 'typed while the VM was away').length, 1, 'stored once');
  t.deepEqual(s.core.pendingIds(), []);

  // The connection is live again both ways.
  const after = await daemon.say('back again');
  await page.locator(`[data-key="${after.id}"]`).waitFor();
  t.is(await own.count(), 1);
});

test('a token the daemon refuses shows "Pairing rejected"; "Pair again" leads to pairing, which fixes it', async (t) => {
  const s = await openStack(t, suite, { token: 'not-the-daemons-token-0000000000000000' });
  const { page } = s;
  const banner = page.locator('#banner');
  await page.locator('#banner-title', { hasText: 'Pairing rejected' }).waitFor();
  t.is(await banner.getAttribute('role'), 'alert');
  t.regex((await page.locator('#banner-detail').textContent()) ?? '', /no longer accepts this computer.*vmctl pair/);
  t.is(await page.locator('#status-text').textContent(), 'Pairing rejected');
  t.is(await page.locator('#history-status').textContent(), '', 'no history is "loading" from a daemon that refuses us');

  await page.getByRole('button', { name: 'Pair again' }).click();
  await page.locator('#settings-view').waitFor();
  t.is(await page.evaluate(() => document.activeElement?.id), 'settings-pairing-string');
  await page.keyboard.insertText(s.daemon().pairing('127.0.0.1').pairing);
  await page.locator('#settings-view').getByRole('button', { name: 'Pair', exact: true }).click();

  await page.locator('#chat-view').waitFor();
  await banner.waitFor({ state: 'hidden' });
  await page.locator('#status-text', { hasText: 'Connected to test-vm' }).waitFor();
  t.is(s.core.connection.state.status, 'connected');
});
