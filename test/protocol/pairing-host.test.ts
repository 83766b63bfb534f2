import test from 'ava';
import { formatPairing, parsePairing, parsePairingHost } from '@vm-messenger/protocol';
import { candidateAddresses, choosePairingHost } from '@vm-messenger/daemon/internal/pairing-host';

test('a pairing host is a hostname, an IPv4 address, or an IPv6 address (brackets optional)', (t) => {
  t.deepEqual(parsePairingHost('VM.Local'), { ok: true, value: { kind: 'hostname', host: 'vm.local' } });
  t.deepEqual(parsePairingHost('vm-1.example.'), { ok: true, value: { kind: 'hostname', host: 'vm-1.example' } });
  t.deepEqual(parsePairingHost('192.168.56.10'), { ok: true, value: { kind: 'ipv4', host: '192.168.56.10' } });
  t.deepEqual(parsePairingHost('[FD00:0::2]'), { ok: true, value: { kind: 'ipv6', host: 'fd00::2' } });
  t.deepEqual(parsePairingHost('fd00::2'), { ok: true, value: { kind: 'ipv6', host: 'fd00::2' } });
});

test('anything else is refused with a reason, never turned into an unusable string', (t) => {
  for (const bad of ['bad host/x', 'a/b', '', ' ', '-vm', 'vm-', 'a..b', '256.1.1.1', '1.2.3', '01.2.3.4', '[vm.local]', '[fd00::zz]', 'fe80::1%eth0', 'x'.repeat(64), 'host:80', 'http://vm']) {
    const parsed = parsePairingHost(bad);
    t.false(parsed.ok, bad);
    if (!parsed.ok) {
      t.is(parsed.code, 'bad_request');
      t.true(parsed.message.length > 10, bad);
    }
  }
});

test('an IPv6 host round-trips through the pairing string', (t) => {
  const pairing = formatPairing({ host: 'fd00::2', port: 12345, token: 't', fingerprint: 'a'.repeat(64) });
  t.regex(pairing, /^vmm:\/\/\[fd00::2\]:12345\//);
  const parsed = parsePairing(pairing);
  t.true(parsed.ok && parsed.value.host === 'fd00::2');
});

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as never;

test('interfaces: IPv4 first, no loopback, no link-local; IPv6 only when listening on it', (t) => {
  const interfaces = {
    lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
    eth0: [nic('10.0.2.15', 'IPv4'), nic('fe80::1', 'IPv6'), nic('fd00::2', 'IPv6')],
    eth1: [nic('169.254.3.3', 'IPv4'), nic('192.168.56.10', 'IPv4')],
  };
  t.deepEqual(candidateAddresses(interfaces, true), ['10.0.2.15', '192.168.56.10', 'fd00::2']);
  t.deepEqual(candidateAddresses(interfaces, false), ['10.0.2.15', '192.168.56.10']);
  const choice = choosePairingHost({ listenHost: '::', listensOnIpv6: true, interfaces: () => interfaces });
  t.deepEqual(choice, { host: '10.0.2.15', source: 'interface', otherHosts: ['192.168.56.10', 'fd00::2'] });
});

test('the host comes from --host, else pairing.host, else the listen address, else the interfaces', (t) => {
  const interfaces = () => ({ eth0: [nic('10.0.2.15', 'IPv4')] });
  const base = { listenHost: '::', listensOnIpv6: true, interfaces };
  t.like(choosePairingHost({ ...base, requested: '[fd00::9]', configured: 'vm.local' }), { host: 'fd00::9', source: 'request' });
  t.like(choosePairingHost({ ...base, configured: 'vm.local' }), { host: 'vm.local', source: 'config' });
  t.like(choosePairingHost({ ...base, listenHost: '192.168.56.10' }), { host: '192.168.56.10', source: 'listen' });
  t.like(choosePairingHost(base), { host: '10.0.2.15', source: 'interface' });
});

test('a bad or unservable host is refused with bad_request; a failing interface list falls back with a warning', (t) => {
  const interfaces = () => ({});
  t.like(t.throws(() => choosePairingHost({ requested: 'bad host/x', listenHost: '::', listensOnIpv6: true, interfaces })), { code: 'bad_request' });
  const v6 = t.throws(() => choosePairingHost({ requested: '[fd00::2]', listenHost: '0.0.0.0', listensOnIpv6: false, interfaces }));
  t.like(v6, { code: 'bad_request' });
  t.regex(v6?.message ?? '', /listens on IPv4 only .*listen\.host/);
  const broken = choosePairingHost({
    listenHost: '0.0.0.0',
    listensOnIpv6: false,
    interfaces: () => {
      throw new Error('uv_interface_addresses returned Unknown system error 97');
    },
  });
  t.like(broken, { host: '127.0.0.1', source: 'fallback' });
  t.regex(broken.warning ?? '', /cannot list this VM's network addresses \(uv_interface_addresses.*\).*pairing\.host.*--host/);
  t.like(choosePairingHost({ listenHost: '::', listensOnIpv6: true, interfaces }), { host: '127.0.0.1', source: 'fallback' });
});
