import test from 'ava';
import { menuTemplate, trayPresentation } from './shell-modules.js';

type Actions = Parameters<Awaited<ReturnType<typeof menuTemplate>>['trayMenuTemplate']>[1];

function recordingActions(): { actions: Actions; calls: string[] } {
  const calls: string[] = [];
  const actions: Actions = {
    openChat: () => calls.push('openChat'),
    sendFile: () => calls.push('sendFile'),
    reconnectNow: () => calls.push('reconnectNow'),
    setDoNotDisturb: (on) => calls.push(`dnd:${on}`),
    setStartAtLogin: (on) => calls.push(`login:${on}`),
    openSettings: () => calls.push('openSettings'),
    openReceivedImages: () => calls.push('openReceivedImages'),
    quit: () => calls.push('quit'),
  };
  return { actions, calls };
}

test('the tray menu has every entry the issue asks for, in order', async (t) => {
  const { trayMenuTemplate } = await menuTemplate();
  const { actions } = recordingActions();
  const items = trayMenuTemplate({ connection: { status: 'connected', serverName: 'dev-vm' }, paired: true, doNotDisturb: false, startAtLogin: true }, actions);
  t.deepEqual(
    items.filter((i) => i.type !== 'separator').map((i) => i.label),
    ['Connected to dev-vm', 'Open chat', 'Send file…', 'Reconnect now', 'Do not disturb', 'Start at login', 'Settings / Pair…', 'Open received images folder', 'Quit VM Messenger'],
  );
  const byId = new Map(items.map((i) => [i.id, i]));
  t.is(byId.get('do-not-disturb')?.type, 'checkbox');
  t.is(byId.get('do-not-disturb')?.checked, false);
  t.is(byId.get('start-at-login')?.checked, true);
  t.is(byId.get('status')?.enabled, false);
  t.is(byId.get('reconnect')?.enabled, false, 'nothing to reconnect while connected');
});

test('menu entries call their actions; checkboxes pass their new state', async (t) => {
  const { trayMenuTemplate } = await menuTemplate();
  const { actions, calls } = recordingActions();
  const items = trayMenuTemplate({ connection: { status: 'disconnected' }, paired: true, doNotDisturb: false, startAtLogin: false }, actions);
  const click = (id: string, checked = false): void => {
    const item = items.find((i) => i.id === id);
    // Electron passes (menuItem, window, event); only menuItem.checked is read.
    (item?.click as unknown as (i: { checked: boolean }) => void)({ checked });
  };
  click('open-chat');
  click('send-file');
  click('reconnect');
  click('do-not-disturb', true);
  click('start-at-login', true);
  click('settings');
  click('received-images');
  click('quit');
  t.deepEqual(calls, ['openChat', 'sendFile', 'reconnectNow', 'dnd:true', 'login:true', 'openSettings', 'openReceivedImages', 'quit']);
});

test('before pairing there is nothing to send or reconnect, and Settings says Pair', async (t) => {
  const { trayMenuTemplate } = await menuTemplate();
  const items = trayMenuTemplate({ connection: { status: 'unpaired' }, paired: false, doNotDisturb: false, startAtLogin: false }, recordingActions().actions);
  const byId = new Map(items.map((i) => [i.id, i]));
  t.is(byId.get('send-file')?.enabled, false);
  t.is(byId.get('reconnect')?.enabled, false);
  t.is(byId.get('settings')?.label, 'Pair…');
  t.is(byId.get('status')?.label, 'Not paired');
});

test('the tray icon and tooltip follow the connection and the unread count', async (t) => {
  const { trayIconFile, trayTooltip } = await trayPresentation();
  t.is(trayIconFile({ status: 'connected', serverName: 'vm' }, 0, 16, 'light'), 'light/connected-16.png');
  t.is(trayIconFile({ status: 'connected', serverName: 'vm' }, 2, 32, 'dark'), 'dark/connected-2-32.png');
  t.is(trayIconFile({ status: 'connected', serverName: 'vm' }, 42, 20, 'dark'), 'dark/connected-9plus-20.png');
  t.is(trayIconFile({ status: 'connecting', attempt: 1 }, 0, 24, 'light'), 'light/reconnecting-24.png');
  t.is(trayIconFile({ status: 'reconnecting', attempt: 3, nextRetryAt: 0 }, 0, 48, 'light'), 'light/reconnecting-48.png');
  t.is(trayIconFile({ status: 'unpaired' }, 0, 16, 'dark'), 'dark/disconnected-16.png');
  t.is(trayIconFile({ status: 'auth-failed', code: 'bad_token', reason: 'x' }, 1, 16, 'light'), 'light/auth-failed-1-16.png');
  t.is(trayTooltip({ status: 'connected', serverName: 'dev-vm' }, 0), 'VM Messenger · Connected to dev-vm');
  t.is(trayTooltip({ status: 'reconnecting', attempt: 3, nextRetryAt: 0 }, 12), 'VM Messenger · Reconnecting (attempt 3) · 12 unread');
  t.is(trayTooltip({ status: 'auth-failed', code: 'bad_token', reason: 'x' }, 0), 'VM Messenger · Pairing rejected: pair again');
  // Windows cuts tooltips at 127 characters.
  const long = trayTooltip({ status: 'connected', serverName: 'v'.repeat(300) }, 5);
  t.is(long.length, 127);
  t.true(long.endsWith('…'));
});
