import test from 'ava';
import { openChat } from './helpers/browser.js';
import { DEFAULT_SETTINGS, ScriptedApi } from './helpers/scripted-api.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);
const PAIRING = `vmm://192.168.122.10:12345/?token=abc123&fp=sha256:${'ab'.repeat(32)}&name=dev-vm`;
const unpaired = (): ScriptedApi => new ScriptedApi({ connection: { status: 'unpaired' }, settings: { ...DEFAULT_SETTINGS, paired: false, serverLabel: undefined } });

test('first run shows the pairing form, focused, instead of the chat', async (t) => {
  const { page } = await openChat(t, suite.browser(), suite.url(), unpaired());
  t.true(await page.locator('#pairing-view').isVisible());
  t.true(await page.locator('#chat-view').isHidden());
  t.is(await page.evaluate(() => document.activeElement?.id), 'first-pairing-string');
});

test('the pairing form submits the string and the optional name to pair, then shows the chat', async (t) => {
  const api = unpaired();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  await page.locator('#pairing-view').getByLabel('Pairing string').fill(`  ${PAIRING}\n`);
  await page.locator('#pairing-view').getByLabel("This computer's name (optional)").fill('office-pc');
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  const call = await api.nextCall('pair');
  t.deepEqual(call.args, [PAIRING, 'office-pc']);

  api.push({ type: 'settings', settings: { ...DEFAULT_SETTINGS, clientName: 'office-pc' } });
  api.push({ type: 'connection', state: { status: 'connected', serverName: 'dev-vm' } });
  await page.locator('#chat-view').waitFor();
  t.true(await page.locator('#pairing-view').isHidden());
  t.is(await page.evaluate(() => document.activeElement?.id), 'message-input');
});

test('without a name, pair gets only the string', async (t) => {
  const api = unpaired();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  await page.locator('#pairing-view').getByLabel('Pairing string').fill(PAIRING);
  await page.locator('#pairing-view').getByLabel('Pairing string').press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  t.deepEqual((await api.nextCall('pair')).args, [PAIRING, undefined]);
});

test('something that is not a pairing string is refused in place, without calling pair', async (t) => {
  const api = unpaired();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  await page.locator('#pairing-view').getByLabel('Pairing string').fill('https://example.com/?token=x');
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  const error = page.locator('#first-pairing-error');
  await error.waitFor();
  t.regex((await error.textContent()) ?? '', /starts with vmm:\/\//);
  t.is(await page.locator('#pairing-view').getByLabel('Pairing string').getAttribute('aria-invalid'), 'true');
  t.is(api.callsOf('pair').length, 0);
});

test('an empty pairing string asks for one', async (t) => {
  const api = unpaired();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.locator('#first-pairing-error').waitFor();
  t.regex((await page.locator('#first-pairing-error').textContent()) ?? '', /Paste the pairing string/);
  t.is(api.callsOf('pair').length, 0);
});

test("the core's refusal is shown and the pasted string is kept", async (t) => {
  const api = unpaired();
  api.results.pair = { ok: false, message: 'pairing string has no valid fp=sha256:… certificate fingerprint' };
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  await page.locator('#pairing-view').getByLabel('Pairing string').fill('vmm://10.0.0.2:12345/?token=abc');
  await page.getByRole('button', { name: 'Pair', exact: true }).click();
  await page.locator('#first-pairing-error').waitFor();
  t.regex((await page.locator('#first-pairing-error').textContent()) ?? '', /certificate fingerprint/);
  t.is(await page.locator('#pairing-view').getByLabel('Pairing string').inputValue(), 'vmm://10.0.0.2:12345/?token=abc');
  t.true(await page.getByRole('button', { name: 'Pair', exact: true }).isEnabled());
});

test('main can open the settings panel with #settings (tray menu "Settings / Pair…")', async (t) => {
  const api = new ScriptedApi();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  t.true(await page.locator('#settings-view').isHidden());
  await page.evaluate(() => {
    location.hash = 'settings';
  });
  await page.locator('#settings-view').waitFor();
  t.is(await page.evaluate(() => location.hash), '');
  await page.keyboard.press('Escape');
  await page.locator('#chat-view').waitFor();
});
