import test from 'ava';
import { parseConfig, ConfigError } from '@vm-messenger/daemon';
import { DEFAULT_LIMITS, DEFAULT_PORT } from '@vm-messenger/protocol';

test('an empty config yields every embedded default, nested sections included', (t) => {
  const config = parseConfig({}, 'test');
  t.is(config.listen.port, DEFAULT_PORT);
  t.is(config.listen.host, '::');
  t.is(config.limits.maxClients, 1000);
  t.is(config.limits.maxImageBytes, DEFAULT_LIMITS.maxImageBytes);
  t.is(config.limits.handshakeTimeoutMs, 10_000);
  t.is(config.limits.keepaliveTimeoutMs, 15_000);
  t.false(config.legacy.enabled);
  t.deepEqual(config.legacy.allow, []);
  t.is(config.controlSocket.mode, 0o660);
});

test('a partial section keeps the defaults of the keys it leaves out', (t) => {
  const config = parseConfig({ limits: { maxClients: 5 } }, 'test');
  t.is(config.limits.maxClients, 5);
  t.is(config.limits.maxTextLength, DEFAULT_LIMITS.maxTextLength);
});

test('unknown keys are refused, so a typo is not silently ignored', (t) => {
  const err = t.throws(() => parseConfig({ limit: { maxClients: 5 } }, 'config.json'), { instanceOf: ConfigError });
  t.regex(err?.message ?? '', /config\.json/);
});
