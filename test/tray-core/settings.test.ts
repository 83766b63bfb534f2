import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Conf from 'conf';
import { openSettingsStore, readSettings, settingsDefaults, settingsSchema, TraySettings } from 'vm-messenger-tray/core';
import { startTestDaemon, tempDir } from '../helpers/daemon.js';
import { makeCore, waitForStatus } from './core-harness.js';

test('defaults and the conf JSON Schema come from the one zod schema', (t) => {
  t.deepEqual(settingsDefaults, {
    clientName: '',
    receivedImagesDir: '',
    receivedFilesDir: '',
    notifications: true,
    doNotDisturb: false,
    startAtLogin: false,
    globalShortcut: 'Ctrl+Alt+M',
    lastSeenSeq: 0,
  });
  t.deepEqual(Object.keys(settingsSchema).sort(), Object.keys(TraySettings.shape).sort());
  t.false('token' in settingsSchema, 'the token is never a setting');
});

test('conf with the schema refuses an invalid value and keeps the file unchanged', async (t) => {
  const dir = await tempDir(t);
  const store = openSettingsStore(dir);
  store.set('port', 12345);
  t.throws(() => store.set('port', 70_000), { message: /port/ });
  t.throws(() => store.set('fingerprint', 'not-hex'), { message: /fingerprint/ });
  t.is(store.get('port'), 12345);
  const onDisk = JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
  t.is(onDisk['port'], 12345);
});

test('a hand-edited file with a bad value is refused by conf with a clear error, not silently reset', async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ notifications: 'yes' }));
  t.throws(() => openSettingsStore(dir), { message: /notifications/ });
  t.is(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')).notifications, 'yes');
});

test('readSettings falls back to the default for a value only zod refuses', (t) => {
  const store = { store: { notifications: false, lastSeenSeq: -4 } } as unknown as Conf<Record<string, unknown>>;
  t.deepEqual(readSettings(store), { ...settingsDefaults, notifications: false });
});

test('updateSettings validates: wrong type, unknown key and over-long name are refused', async (t) => {
  const h = await makeCore(t);
  t.false((await h.core.api.updateSettings({ notifications: 'yes' } as never)).ok);
  const unknown = await h.core.api.updateSettings({ token: 'x' } as never);
  t.false(unknown.ok);
  t.false((await h.core.api.updateSettings({ clientName: 'x'.repeat(500) })).ok);
  const good = await h.core.api.updateSettings({ doNotDisturb: true, clientName: 'Desk' });
  t.true(good.ok);
  const snap = await h.core.api.getSnapshot();
  t.true(snap.settings.doNotDisturb);
  t.is(snap.settings.clientName, 'Desk');
  t.false(snap.settings.paired);
  t.is(snap.connection.status, 'unpaired');
});

test('a new client name takes effect on the connection', async (t) => {
  const daemon = await startTestDaemon(t);
  const h = await makeCore(t, { daemon, clientName: 'before' });
  await h.core.start();
  await waitForStatus(h, 'connected');
  t.true((await h.core.api.updateSettings({ clientName: 'after' })).ok);
  const { until } = await import('../helpers/daemon.js');
  await until(() => daemon.clients().some((c) => c.name === 'after'), 'renamed client');
  t.false(daemon.clients().some((c) => c.name === 'before'));
});
