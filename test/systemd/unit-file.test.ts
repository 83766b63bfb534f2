import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseUnit, unitPath } from '../helpers/systemd-unit.js';

const run = promisify(execFile);
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const haveAnalyze = existsSync(SYSTEMD_ANALYZE);

const unitText = await readFile(unitPath, 'utf8');
const unit = parseUnit(unitText);
const service = unit.get('Service') ?? new Map<string, string[]>();
const one = (key: string): string | undefined => service.get(key)?.at(-1);

test('readiness, restart and watchdog', (t) => {
  t.is(one('Type'), 'notify');
  t.is(one('NotifyAccess'), 'main');
  t.is(one('Restart'), 'on-failure');
  t.is(one('WatchdogSec'), '30s');
  t.is(unit.get('Install')?.get('WantedBy')?.[0], 'multi-user.target');
});

test('ExecStart runs the installed daemon with node, its config, state dir and control socket', (t) => {
  const exec = one('ExecStart') ?? '';
  t.regex(exec, /^\/usr\/bin\/node \/opt\/vm-messenger\/daemon\/dist\/main\.js /);
  t.regex(exec, /--config \/etc\/vm-messenger\/config\.json/);
  t.regex(exec, /--state-dir \/var\/lib\/vm-messenger/);
  t.regex(exec, /--control-socket \/run\/vm-messenger\/control\.sock/);
  t.true(service.get('Environment')?.includes('VMM_CONTROL_SOCKET=/run/vm-messenger/control.sock'));
});

test('a dedicated system user and the directories systemd manages', (t) => {
  t.is(one('User'), 'vm-messenger');
  t.is(one('Group'), 'vm-messenger');
  t.is(one('DynamicUser'), 'no');
  t.is(one('StateDirectory'), 'vm-messenger');
  t.is(one('RuntimeDirectory'), 'vm-messenger');
  t.is(one('RuntimeDirectoryMode'), '0750');
  t.is(one('ConfigurationDirectory'), 'vm-messenger');
  t.is(one('UMask'), '0027');
});

test('hardening directives are set', (t) => {
  const expected: Record<string, string> = {
    NoNewPrivileges: 'yes',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    PrivateDevices: 'yes',
    ProtectKernelTunables: 'yes',
    ProtectKernelModules: 'yes',
    ProtectKernelLogs: 'yes',
    ProtectControlGroups: 'yes',
    ProtectClock: 'yes',
    ProtectHostname: 'yes',
    RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    RestrictNamespaces: 'yes',
    RestrictRealtime: 'yes',
    RestrictSUIDSGID: 'yes',
    LockPersonality: 'yes',
    SystemCallArchitectures: 'native',
    CapabilityBoundingSet: '',
    AmbientCapabilities: '',
  };
  for (const [key, value] of Object.entries(expected)) t.is(one(key), value, key);
  t.true(service.get('SystemCallFilter')?.includes('@system-service'));
});

test('MemoryDenyWriteExecute is absent: V8 needs writable executable memory for its JIT', (t) => {
  t.false(service.has('MemoryDenyWriteExecute'));
});

test('logs go to the journal', (t) => {
  t.is(one('StandardOutput'), 'journal');
  t.is(one('StandardError'), 'journal');
});

/** The unit with ExecStart pointing at this machine's node, so verify checks the unit, not
 *  whether vm-messenger happens to be installed here. */
async function unitCopy(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmm-unit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const copy = path.join(dir, 'vm-messenger.service');
  await writeFile(copy, unitText.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
  return copy;
}

// CI installs systemd (.ci/run), so there a missing tool fails these tests instead of skipping them.
const analyzeTest = haveAnalyze || process.env.CI ? test : test.skip;
if (!haveAnalyze) console.warn(`${SYSTEMD_ANALYZE} is missing: skipping systemd-analyze verify/security (apt-get install systemd)`);

analyzeTest('systemd-analyze verify accepts the unit', async (t) => {
  const copy = await unitCopy(t);
  const { stdout, stderr } = await run(SYSTEMD_ANALYZE, ['verify', copy]).catch((err: { stdout: string; stderr: string; code: number }) => {
    t.fail(`systemd-analyze verify failed (${err.code}):\n${err.stderr}${err.stdout}`);
    return err;
  });
  // Under a container without systemd as PID 1 verify may still mention the missing manager;
  // anything about this unit is a failure.
  const complaints = `${stdout}${stderr}`.split('\n').filter((l) => l.includes('vm-messenger.service'));
  t.deepEqual(complaints, []);
});

analyzeTest('systemd-analyze security rates the unit OK or better', async (t) => {
  const copy = await unitCopy(t);
  const { stdout } = await run(SYSTEMD_ANALYZE, ['security', '--offline=true', '--no-pager', copy]);
  const overall = /Overall exposure level for vm-messenger\.service: ([\d.]+) (\w+)/.exec(stdout);
  t.truthy(overall, stdout);
  const score = Number(overall![1]);
  t.true(score <= 4.9, `exposure ${score} ${overall![2]} is worse than OK`);
  t.true(['SAFE', 'OK'].includes(overall![2]!), overall![2]);
  t.log(`exposure: ${score} ${overall![2]}`);
});
