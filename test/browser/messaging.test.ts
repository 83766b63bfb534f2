import test from 'ava';
import { cspViolations, openChat } from './helpers/browser.js';
import { ScriptedApi, item } from './helpers/scripted-api.js';
import { minutesAgo, useChromium } from './helpers/suite.js';

const suite = useChromium(test);

test('an empty conversation says so and the header shows the connection', async (t) => {
  const api = new ScriptedApi();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  t.true(await page.locator('#empty-state').isVisible());
  t.is(await page.locator('#status-text').textContent(), 'Connected to dev-vm');
  t.is(await page.locator('#status-dot').getAttribute('data-state'), 'connected');
  t.true(await page.locator('#banner').isHidden());
  t.deepEqual(await cspViolations(page), []);
});

test('message text is shown literally, never as markup', async (t) => {
  const attack = '<img src=x onerror="window.__pwned=1">&lt;b&gt;bold&lt;/b&gt;';
  const api = new ScriptedApi({ items: [item(1, { ts: minutesAgo(2), text: attack })] });
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  const bubble = page.locator('[data-key="k-1"] .text-bubble');
  t.is(await bubble.textContent(), attack);
  t.is(await page.locator('#messages img').count(), 0);
  t.is(await page.locator('#messages b').count(), 0);
  t.is(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);

  // The same through a live update, and as a sender name.
  api.push({ type: 'items', items: [item(2, { ts: minutesAgo(1), text: '<script>window.__pwned=2</script>', senderName: '<i>vm</i>' })] });
  await page.locator('[data-key="k-2"]').waitFor();
  t.is(await page.locator('[data-key="k-2"] .text-bubble').textContent(), '<script>window.__pwned=2</script>');
  t.is(await page.locator('[data-key="k-2"] .msg-sender').textContent(), '<i>vm</i>');
  t.is(await page.locator('#messages script, #messages i').count(), 0);
  t.is(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
});

test('Enter sends, Shift+Enter adds a line, and the box empties once the send is accepted', async (t) => {
  const api = new ScriptedApi();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  const box = page.getByLabel('Message', { exact: true });
  await box.click();
  await box.pressSequentially('first line');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  t.is(api.callsOf('sendText').length, 0);
  await box.press('Enter');
  const call = await api.nextCall('sendText');
  t.deepEqual(call.args, ['first line\nsecond line']);
  await page.waitForFunction(() => (document.getElementById('message-input') as HTMLTextAreaElement).value === '');
  // The outbox's own bubble appears, as "You", still sending.
  const own = page.locator('.msg.mine');
  await own.waitFor();
  t.is(await own.locator('.text-bubble').textContent(), 'first line\nsecond line');
  t.is(await own.locator('.msg-sender').textContent(), 'You');
  t.regex((await own.locator('.msg-status').textContent()) ?? '', /Sending/);
});

test('a refused send keeps the text and says why', async (t) => {
  const api = new ScriptedApi();
  api.results.sendText = { ok: false, message: 'message is longer than 16000 characters' };
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  const box = page.getByLabel('Message', { exact: true });
  await box.fill('too long, pretend');
  await box.press('Enter');
  await page.locator('#notice').waitFor();
  t.regex((await page.locator('#notice').textContent()) ?? '', /longer than 16000/);
  t.is(await box.inputValue(), 'too long, pretend');
});

test('blank messages are not sent', async (t) => {
  const api = new ScriptedApi();
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  const box = page.getByLabel('Message', { exact: true });
  await box.fill('   \n ');
  await box.press('Enter');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await api.nextCall('getSnapshot');
  t.is(api.callsOf('sendText').length, 0);
});

test('items are upserted by key and ordered by seq, pending ones last', async (t) => {
  const api = new ScriptedApi({ items: [item(3, { ts: minutesAgo(3) }), item(1, { ts: minutesAgo(5) })] });
  const { page, bridge } = await openChat(t, suite.browser(), suite.url(), api);
  const keys = (): Promise<string[]> => page.locator('#messages .msg').evaluateAll((els) => els.map((e) => e.getAttribute('data-key') ?? ''));
  t.deepEqual(await keys(), ['k-1', 'k-3']);

  const pending = { key: 'p-1', kind: 'text' as const, mine: true, senderName: 'DESKTOP-7K3', ts: minutesAgo(10), text: 'queued while offline', delivery: 'pending' as const };
  api.push({ type: 'items', items: [pending, item(2, { ts: minutesAgo(4) })] });
  await bridge.flushed();
  t.deepEqual(await keys(), ['k-1', 'k-2', 'k-3', 'p-1']);
  t.regex((await page.locator('[data-key="p-1"] .msg-status').textContent()) ?? '', /Waiting to send/);

  // Delivered: same key, now with a seq; it moves into place and is marked.
  api.push({ type: 'items', items: [{ ...pending, seq: 4, ts: minutesAgo(1), delivery: 'delivered' }] });
  await bridge.flushed();
  t.deepEqual(await keys(), ['k-1', 'k-2', 'k-3', 'p-1']);
  t.is(await page.locator('[data-key="p-1"] .msg-delivery').getAttribute('aria-label'), 'Delivered');
  t.is(await page.locator('#messages .msg').count(), 4);
});

test('a message from another client names its sender; a run by one sender names it once', async (t) => {
  const api = new ScriptedApi({
    items: [
      item(1, { ts: minutesAgo(3), senderName: 'laptop', text: 'one' }),
      item(2, { ts: minutesAgo(3), senderName: 'laptop', text: 'two' }),
      item(3, { ts: minutesAgo(2), senderName: 'dev-vm', text: 'three' }),
    ],
  });
  const { page } = await openChat(t, suite.browser(), suite.url(), api);
  t.deepEqual(await page.locator('.msg-sender').allTextContents(), ['laptop', 'dev-vm']);
  t.is(await page.locator('.day').first().textContent(), 'Today');
});
