import test from 'ava';
import { until } from '../helpers/daemon.js';
import { CLIENT_NAME, openStack } from './helpers/stack.js';
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
  // One plain line naming the VM, with the countdown; the header does not say it again.
  await page.locator('#banner-text', { hasText: /^(Can't reach test-vm|Lost the connection to test-vm)\. Retrying/ }).waitFor();
  // Between retries the core briefly says "connecting"; each of these waits for the retry wait.
  await page.locator('#status-dot[data-state="reconnecting"]').waitFor({ state: 'attached' });
  t.is(await page.locator('#status-text').textContent(), 'Offline');
  await page.getByRole('button', { name: 'Retry now' }).waitFor();
  // The technical reason is there, but only behind Details.
  const details = page.locator('#banner-details');
  t.true(await details.isHidden());
  await page.getByRole('button', { name: 'Details' }).click();
  await details.filter({ hasText: /Attempt \d+\. Messages you send wait/ }).waitFor();
  t.regex((await details.textContent()) ?? '', /ECONNREFUSED|closed|lost/i);
  const bannerBox = await banner.boundingBox();
  await page.getByRole('button', { name: 'Details' }).click();
  await details.waitFor({ state: 'hidden' });
  const oneLine = await banner.boundingBox();
  t.true(oneLine !== null && bannerBox !== null && oneLine.height <= 40, `the banner is one line (${oneLine?.height} px)`);
  t.true((oneLine?.height ?? 999) / 560 < 0.1, 'and takes under a tenth of the window');

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
  const card = page.locator('#fatal-state');
  await card.locator('#fatal-title', { hasText: 'This VM no longer accepts this pairing' }).waitFor();
  t.is(await card.getAttribute('role'), 'alert');
  t.regex((await page.locator('#fatal-text').textContent()) ?? '', /vmctl pair/);
  t.true(await banner.isHidden(), 'the card says it; the banner does not repeat it');
  t.is(await page.locator('#status-text').textContent(), 'Pairing rejected');
  t.is(await page.locator('#history-status').textContent(), '', 'no history is "loading" from a daemon that refuses us');
  // Nothing can be typed into a conversation that cannot be sent.
  const box = page.getByLabel('Message', { exact: true });
  t.true(await box.isDisabled());
  t.is(await box.getAttribute('placeholder'), 'Pair again to send messages');
  t.true(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled());
  t.true(await page.getByRole('button', { name: 'Send a file' }).isDisabled());
  t.is(await page.getByRole('button', { name: 'Send a file' }).evaluate((b) => getComputedStyle(b).cursor), 'not-allowed');
  // And the core refuses it too, instead of a bubble that waits forever.
  t.like(await s.core.api.sendText('hello?'), { ok: false, code: 'bad_token' });
  t.deepEqual(s.core.pendingIds(), []);

  await page.getByRole('button', { name: 'Pair again' }).click();
  await page.locator('#settings-view').waitFor();
  t.is(await page.evaluate(() => document.activeElement?.id), 'settings-pairing-string');
  await page.keyboard.insertText(s.daemon().pairing('127.0.0.1').pairing);
  await page.locator('#settings-view').getByRole('button', { name: 'Pair', exact: true }).click();

  await page.locator('#chat-view').waitFor();
  await card.waitFor({ state: 'hidden' });
  t.true(await box.isEnabled());
  await page.locator('#status-text', { hasText: 'Connected to test-vm' }).waitFor();
  t.is(s.core.connection.state.status, 'connected');
});

test('revoked on the VM: the card says so, offers Pair again, and the composer is off', async (t) => {
  const s = await openStack(t, suite);
  const { page } = s;
  // The core swaps the enrolment token for its own credential first: revoke that.
  await until(() => s.hasCredential(), 'the credential to be stored');
  s.daemon().revoke(CLIENT_NAME);
  await page.locator('#fatal-title', { hasText: 'This VM removed this computer' }).waitFor();
  t.is(await page.locator('#status-text').textContent(), 'Pairing revoked');
  t.true(await page.getByLabel('Message', { exact: true }).isDisabled());
  t.is(await page.getByRole('button', { name: 'Pair again' }).count(), 1);
  await page.getByRole('button', { name: 'Details' }).click();
  t.regex((await page.locator('#fatal-details').textContent()) ?? '', /removed this computer/);
});
