import test from 'ava';
import { Writable } from 'node:stream';
import winston from 'winston';
import * as notify from '@vm-messenger/daemon/internal/systemd/notify';
import { listenForNotifications } from './notify-listener.js';


function capturingLogger(): { logger: winston.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.simple(), transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines };
}

test('READY=1, STATUS and STOPPING=1 reach the socket named by NOTIFY_SOCKET', async (t) => {
  const listener = await listenForNotifications();
  t.teardown(() => listener.close());
  const env = { NOTIFY_SOCKET: listener.socketPath };
  const { logger } = capturingLogger();

  t.true(notify.notifyStatus('listening on port 12345\nsecond line', logger, env));
  t.true(notify.notifyReady(logger, env));
  t.true(notify.notifyStopping(logger, env));

  await listener.next((m) => m === 'STOPPING=1');
  t.deepEqual(listener.messages, ['STATUS=listening on port 12345 second line', 'READY=1', 'STOPPING=1']);
});

test('without NOTIFY_SOCKET every call is a silent no-op', (t) => {
  const { logger, lines } = capturingLogger();
  t.false(notify.notifyReady(logger, {}));
  t.false(notify.notifyStopping(logger, {}));
  t.false(notify.notifyStatus('x', logger, {}));
  const stop = notify.startWatchdog(logger, { WATCHDOG_USEC: '200000' });
  stop();
  t.deepEqual(lines, []);
});

test('WATCHDOG=1 is sent at half of WATCHDOG_USEC until stopped', async (t) => {
  const listener = await listenForNotifications();
  t.teardown(() => listener.close());
  const { logger } = capturingLogger();
  const started = Date.now();
  const stop = notify.startWatchdog(logger, { NOTIFY_SOCKET: listener.socketPath, WATCHDOG_USEC: '200000', WATCHDOG_PID: String(process.pid) });
  t.teardown(stop);

  // One ping at once, then every 100 ms: the fourth arrives after roughly 300 ms.
  await listener.next(() => listener.messages.filter((m) => m === 'WATCHDOG=1').length >= 4, 5000);
  const elapsed = Date.now() - started;
  t.true(elapsed >= 250, `four pings took only ${elapsed} ms`);
  t.true(listener.messages.every((m) => m === 'WATCHDOG=1'));

  stop();
  const count = listener.messages.length;
  // Proving that nothing more comes needs some wait: three intervals is ample.
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(listener.messages.length, count);
});

test('the watchdog interval is half of WATCHDOG_USEC, and off for another process or bad values', (t) => {
  t.is(notify.watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 42), 15_000);
  t.is(notify.watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42), 15_000);
  t.is(notify.watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 42), undefined);
  t.is(notify.watchdogIntervalMs({}, 42), undefined);
  t.is(notify.watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }, 42), undefined);
  t.is(notify.watchdogIntervalMs({ WATCHDOG_USEC: '0' }, 42), undefined);
});

test('a NOTIFY_SOCKET nobody listens on is logged, never thrown', (t) => {
  const { logger, lines } = capturingLogger();
  t.false(notify.notifyReady(logger, { NOTIFY_SOCKET: '/nonexistent/vmm-notify.sock' }));
  t.regex(lines.join(''), /sd_notify READY=1 to \/nonexistent\/vmm-notify\.sock failed/);
});

test('an abstract-namespace NOTIFY_SOCKET is declined with one warning', (t) => {
  const { logger, lines } = capturingLogger();
  t.false(notify.notifyReady(logger, { NOTIFY_SOCKET: '@vmm-test-notify' }));
  t.false(notify.notifyStopping(logger, { NOTIFY_SOCKET: '@vmm-test-notify' }));
  t.is(lines.filter((l) => l.includes('abstract namespace')).length, 1);
});

test('a relative NOTIFY_SOCKET is declined', (t) => {
  const { logger, lines } = capturingLogger();
  t.false(notify.notifyReady(logger, { NOTIFY_SOCKET: 'relative/notify.sock' }));
  t.regex(lines.join(''), /not an absolute path/);
});
