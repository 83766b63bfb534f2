import test from 'ava';
import { DEFAULT_LIMITS } from '@vm-messenger/protocol';
import { connectClient, until } from '../helpers/daemon.js';
import { cspViolations } from './helpers/browser.js';
import { CLIENT_NAME, heardBy, openStack } from './helpers/stack.js';
import { useChromium } from './helpers/suite.js';

const suite = useChromium(test);

/** Records the delivery state of every own bubble the page renders (each change is a new node). */
const recordOwnDeliveries = (page: import('playwright-core').Page): Promise<void> =>
  page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __deliveries: string[] }).__deliveries = seen;
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n instanceof HTMLElement && n.matches('.msg.mine')) seen.push(n.querySelector('.msg-status')?.getAttribute('data-delivery') ?? '?');
        }
      }
    }).observe(document.getElementById('messages')!, { childList: true });
  });

test('Enter sends, Shift+Enter adds a line; the bubble is "You", sending then delivered; the other client gets it', async (t) => {
  const s = await openStack(t, suite);
  const { page } = s;
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const heard = heardBy(laptop);
  await recordOwnDeliveries(page);

  const box = page.getByLabel('Message', { exact: true });
  await box.click();
  await box.pressSequentially('first line');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  t.is(await box.inputValue(), 'first line\nsecond line', 'Shift+Enter is a newline, not a send');
  t.is(await page.locator('.msg.mine').count(), 0);
  await box.press('Enter');

  const own = page.locator('.msg.mine');
  await own.locator('.msg-delivery[aria-label="Delivered"]').waitFor();
  t.is(await own.count(), 1);
  t.is(await own.locator('.text-bubble').textContent(), 'first line\nsecond line');
  t.is(await own.locator('.msg-sender').textContent(), 'You');
  t.is(await box.inputValue(), '');
  const deliveries = await page.evaluate(() => (window as unknown as { __deliveries: string[] }).__deliveries);
  t.true(['pending', 'sending'].includes(deliveries[0] ?? ''), `first shown as ${deliveries[0]}`);
  t.is(deliveries.at(-1), 'delivered');

  const event = await until(() => heard.find((e) => e.kind === 'text' && e.text === 'first line\nsecond line'), 'the other client to hear it');
  t.like(event, { sender: { kind: 'client', name: CLIENT_NAME } });
  t.is((await own.getAttribute('data-key')) ?? '', event.id, 'the bubble is the delivered event');
  t.is(s.daemon().history(10).filter((e) => e.kind === 'text' && e.text === 'first line\nsecond line').length, 1);
});

test('messages from another client and from the VM show their sender and time', async (t) => {
  const s = await openStack(t, suite);
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const accepted = await laptop.say('Hi from the laptop');
  const vm = await s.daemon().say('Hi from the VM');

  const fromLaptop = s.page.locator(`[data-key="${accepted.id}"]`);
  const fromVm = s.page.locator(`[data-key="${vm.id}"]`);
  await fromVm.waitFor();
  await fromLaptop.waitFor();
  t.true(await fromLaptop.evaluate((e) => e.classList.contains('theirs')));
  // The name, with its kind beside it (never the name alone).
  t.is(await fromLaptop.locator('.msg-sender').textContent(), 'laptop');
  t.is(await fromLaptop.locator('.kind-tag').textContent(), 'client');
  t.is(await fromLaptop.locator('.text-bubble').textContent(), 'Hi from the laptop');
  t.is(await fromVm.locator('.msg-sender').textContent(), 'VM');
  t.is(await fromVm.locator('.text-bubble').textContent(), 'Hi from the VM');

  // Times are the daemon's, shown as hours:minutes with the full date on hover.
  const laptopEvent = s.daemon().history(5).find((e) => e.id === accepted.id);
  t.truthy(laptopEvent);
  const time = fromLaptop.locator('time.msg-time');
  t.is(await time.getAttribute('datetime'), new Date(laptopEvent!.ts).toISOString());
  t.regex((await time.textContent()) ?? '', /^\d{1,2}:\d\d/);
  t.is(await fromVm.locator('time.msg-time').getAttribute('datetime'), new Date(vm.ts).toISOString());
  t.is(await s.page.locator('.day').first().textContent(), 'Today');
  t.deepEqual(await cspViolations(s.page), []);
});

test('XSS: markup in a message from another client is shown literally and never runs', async (t) => {
  const s = await openStack(t, suite);
  const laptop = await connectClient(t, s.daemon(), 'laptop');
  const attack = '<img src=x onerror="window.__pwned=1">';
  const { id } = await laptop.say(attack);
  const vm = await s.daemon().say('<script>window.__pwned=2</script><b>bold</b>');

  const bubble = s.page.locator(`[data-key="${id}"] .text-bubble`);
  await bubble.waitFor();
  await s.page.locator(`[data-key="${vm.id}"]`).waitFor();
  t.is(await bubble.textContent(), attack);
  t.is(await s.page.locator(`[data-key="${vm.id}"] .text-bubble`).textContent(), '<script>window.__pwned=2</script><b>bold</b>');
  t.is(await s.page.locator('#messages img, #messages script, #messages b').count(), 0);
  t.is(await s.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  t.deepEqual(await cspViolations(s.page), []);
});

test('a message over the length limit is refused with the reason; the text stays in the box', async (t) => {
  const s = await openStack(t, suite);
  const box = s.page.getByLabel('Message', { exact: true });
  const tooLong = 'x'.repeat(DEFAULT_LIMITS.maxTextLength + 1);
  await box.fill(tooLong);
  await box.press('Enter');
  const notice = s.page.locator('#notice');
  await notice.filter({ hasText: 'Message not sent' }).waitFor();
  const n = (x: number): string => x.toLocaleString('en-GB');
  t.is(await s.page.locator('#notice-text').textContent(), `Message not sent. The message is ${n(DEFAULT_LIMITS.maxTextLength + 1)} characters; the limit is ${n(DEFAULT_LIMITS.maxTextLength)}.`);
  t.is(await box.inputValue(), tooLong);
  t.is(await s.page.locator('.msg.mine').count(), 0);
});

test('blank messages are not sent', async (t) => {
  const s = await openStack(t, suite);
  const box = s.page.getByLabel('Message', { exact: true });
  const send = s.page.getByRole('button', { name: 'Send', exact: true });
  t.true(await send.isDisabled(), 'nothing typed: Send is off');
  await box.fill('   \n ');
  await box.press('Enter');
  t.true(await send.isDisabled(), 'only blanks: still off');
  // Off looks off: not the accent colour.
  t.not(await send.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(15, 108, 189)');
  // A real message after them: once it is delivered, anything sent before it would be too.
  await box.fill('not blank');
  await box.press('Enter');
  await s.page.locator('.msg.mine .msg-delivery[aria-label="Delivered"]').waitFor();
  t.deepEqual(
    s.daemon().history(10).map((e) => (e.kind === 'text' ? e.text : e.kind)),
    ['not blank'],
  );
});
