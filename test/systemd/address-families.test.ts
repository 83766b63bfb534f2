import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ControlResults, parsePairing } from '@vm-messenger/protocol';
import { V2Client } from 'vm-messenger-tray/core';
import { repoRoot, spawnDaemon } from '../helpers/daemon.js';
import { serviceSection } from '../helpers/systemd-unit.js';
import { vmctl } from '../vmctl/harness.js';

/** The daemon under the unit's own RestrictAddressFamilies=, enforced by a seccomp filter as
 *  systemd does it, so a change to the unit can never again break pairing unseen (issue 15: the
 *  unit left out AF_NETLINK, which listing the network interfaces needs). */

const PYTHON = '/usr/bin/python3';
const helper = path.join(repoRoot, 'test/systemd/restrict-address-families.py');

function seccompAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import seccomp'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// CI installs python3-seccomp (.ci/run), so there a missing module fails these tests.
const available = seccompAvailable();
const seccompTest = available || process.env.CI ? test : test.skip;
if (!available) console.warn(`${PYTHON} cannot import seccomp: skipping the address-family tests (apt-get install python3-seccomp)`);

const families = (await serviceSection()).get('RestrictAddressFamilies')?.at(-1)?.split(/\s+/) ?? [];
const launcher = (allowed: string[]): string[] => [PYTHON, helper, ...allowed, '--'];
/** Every interface, both families: what the daemon must be able to list and serve. */
const config = { listen: { host: '::' } };

/** Addresses a client elsewhere could use, as seen without any restriction. */
const reachable = Object.values(os.networkInterfaces())
  .flatMap((list) => list ?? [])
  .filter((a) => !a.internal && a.family === 'IPv4')
  .map((a) => a.address);

seccompTest('the unit allows the address families the daemon needs', (t) => {
  t.true(families.includes('AF_INET') && families.includes('AF_UNIX'), families.join(' '));
  t.true(families.includes('AF_NETLINK'), 'listing network interfaces needs netlink');
});

seccompTest('under the unit\'s address families the daemon serves clients and vmctl pair names a real address', async (t) => {
  const daemon = await spawnDaemon(t, { config, launcher: launcher(families) });
  const run = await vmctl(['pair', '--json'], { socket: daemon.controlSocket });
  t.is(run.code, 0, run.stderr);
  const result = ControlResults.pair.parse(JSON.parse(run.stdout));
  t.is(result.warning, undefined);
  if (reachable.length > 0) {
    t.is(result.hostSource, 'interface');
    t.true(reachable.includes(result.host), `${result.host} is one of ${reachable.join(', ')}`);
  }
  // A client reaches it over IPv4 and IPv6 loopback: the listener is dual stack.
  const parsed = parsePairing(result.pairing);
  if (!parsed.ok) return t.fail(parsed.message);
  for (const host of ['127.0.0.1', '::1']) {
    const client = await V2Client.connect({ ...parsed.value, host, port: daemon.port, clientName: `via ${host}` });
    t.truthy(client.welcome.clientId, host);
    client.close();
  }
  t.notRegex(daemon.output(), /uv_interface_addresses|Unknown system error/);
});

seccompTest('without netlink, vmctl pair still answers: 127.0.0.1 with a warning that says what to do', async (t) => {
  const daemon = await spawnDaemon(t, { config, launcher: launcher(families.filter((f) => f !== 'AF_NETLINK')) });
  const run = await vmctl(['pair'], { socket: daemon.controlSocket });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^vmm:\/\/127\.0\.0\.1:\d+\//);
  t.regex(run.stderr, /warning: cannot list this VM's network addresses .*set pairing\.host in the configuration, or run vmctl pair --host ADDRESS/);
  const withHost = await vmctl(['pair', '--host', 'vm.example'], { socket: daemon.controlSocket });
  t.regex(withHost.stdout, /^vmm:\/\/vm\.example:\d+\//);
  t.notRegex(withHost.stderr, /warning/);
});
