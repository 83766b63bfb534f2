import test from 'ava';
import { until } from '../helpers/daemon.js';
import { CLIENT_NAME, openStack } from './helpers/stack.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);

/** The same string with another token of the same shape: the daemon must refuse it. */
const withWrongToken = (pairing: string): string =>
  pairing.replace(/token=([^&]+)/, (_m, token: string) => `token=${[...token].map((c) => (c === 'A' ? 'B' : 'A')).join('')}`);

test('first run: the pairing form shows; pasting the pairing string pairs and the conversation appears', async (t) => {
  const s = await openStack(t, suite, { paired: false, before: (d) => void d.say('Hello from the VM before pairing') });
  const { page } = s;
  await page.locator('#pairing-view').waitFor();
  t.true(await page.locator('#chat-view').isHidden());
  t.is(await page.evaluate(() => document.activeElement?.id), 'first-pairing-string');
  t.is(await page.locator('#status-text').textContent(), 'Not paired');

  // Pasted as people do: with stray whitespace and a trailing newline.
  await page.locator('#pairing-view').getByLabel('Pairing string').fill(`  ${s.daemon().pairing('127.0.0.1').pairing}\n`);
  await page.locator('#pairing-view').getByLabel("This computer's name (optional)").fill('kitchen-pc');
  await page.getByRole('button', { name: 'Pair', exact: true }).click();

  await page.locator('#chat-view').waitFor();
  t.true(await page.locator('#pairing-view').isHidden());
  await page.locator('#status-text').filter({ hasText: 'Connected to test-vm' }).waitFor();
  // The daemon's earlier history is shown, and the message box is ready.
  await page.locator('.msg.theirs .text-bubble', { hasText: 'Hello from the VM before pairing' }).waitFor();
  t.is(await page.evaluate(() => document.activeElement?.id), 'message-input');
  t.like(s.core.settings(), { host: '127.0.0.1', port: s.daemon().port, fingerprint: s.daemon().fingerprint, clientName: 'kitchen-pc' });
  t.true(s.daemon().clients().some((c) => c.name === 'kitchen-pc'));
});

test('a pairing string with a wrong token is refused with a clear error; the form stays', async (t) => {
  const s = await openStack(t, suite, { paired: false });
  const { page } = s;
  const wrong = withWrongToken(s.daemon().pairing('127.0.0.1').pairing);
  t.not(wrong, s.daemon().pairing('127.0.0.1').pairing);
  const box = page.locator('#pairing-view').getByLabel('Pairing string');
  await box.fill(wrong);
  await page.getByRole('button', { name: 'Pair', exact: true }).click();

  const error = page.locator('#first-pairing-error');
  await error.waitFor();
  t.regex((await error.textContent()) ?? '', /did not accept this pairing string.*vmctl pair/);
  t.is(await box.getAttribute('aria-invalid'), 'true');
  t.is(await box.inputValue(), wrong, 'the pasted string is kept to correct');
  t.true(await page.locator('#pairing-view').isVisible());
  t.true(await page.locator('#chat-view').isHidden());
  t.true(await page.getByRole('button', { name: 'Pair', exact: true }).isEnabled());
  t.is(s.core.settings().host, undefined, 'nothing was saved');
});

test('something that is not a pairing string is refused in place', async (t) => {
  const { page, core } = await openStack(t, suite, { paired: false });
  await page.locator('#pairing-view').getByLabel('Pairing string').fill('https://example.com/?token=x');
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  const error = page.locator('#first-pairing-error');
  await error.waitFor();
  t.regex((await error.textContent()) ?? '', /starts with vmm:\/\//);
  t.is(core.settings().host, undefined);
});

test('an empty pairing string asks for one', async (t) => {
  const { page } = await openStack(t, suite, { paired: false });
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.locator('#first-pairing-error').filter({ hasText: 'Paste the pairing string' }).waitFor();
  t.pass();
});

test("a pairing string without the certificate fingerprint gets the core's reason", async (t) => {
  const s = await openStack(t, suite, { paired: false });
  const noFp = s.daemon().pairing('127.0.0.1').pairing.replace(/&?fp=[^&]+/, '');
  await s.page.locator('#pairing-view').getByLabel('Pairing string').fill(noFp);
  await s.page.getByRole('button', { name: 'Pair', exact: true }).click();
  const error = s.page.locator('#first-pairing-error');
  await error.waitFor();
  t.regex((await error.textContent()) ?? '', /fingerprint/i);
  t.true(await s.page.locator('#pairing-view').isVisible());
});

test('settings can be opened with #settings (tray menu "Settings / Pair…") and closed with Escape', async (t) => {
  const { page } = await openStack(t, suite);
  t.true(await page.locator('#settings-view').isHidden());
  await page.evaluate(() => {
    location.hash = 'settings';
  });
  await page.locator('#settings-view').waitFor();
  t.is(await page.evaluate(() => location.hash), '');
  t.is(await page.locator('#settings-view').getByLabel("This computer's name (optional)").getAttribute('placeholder'), CLIENT_NAME);
  await page.keyboard.press('Escape');
  await page.locator('#chat-view').waitFor();
});

test('before the first pairing, "Settings / Pair…" (#settings) shows the pairing card, not the bottom of Settings', async (t) => {
  const { page } = await openStack(t, suite, { paired: false });
  await page.locator('#pairing-view').waitFor();
  await page.evaluate(() => {
    location.hash = 'settings';
  });
  await until(async () => (await page.evaluate(() => location.hash)) === '', 'the hash to be taken');
  t.true(await page.locator('#pairing-view').isVisible());
  t.true(await page.locator('#settings-view').isHidden());
  t.regex((await page.locator('#pairing-view .lead').textContent()) ?? '', /comes from the VM: run vmctl pair/);
  t.is(await page.evaluate(() => document.activeElement?.id), 'first-pairing-string');
});
