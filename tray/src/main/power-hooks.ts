/** OS events that should cut the reconnect backoff short.
 *
 *  Sleep: between powerMonitor `suspend` and `resume` the core is told it is suspended, so the
 *  connection dropping under it is not toasted; `resume` and `unlock-screen` reconnect at once.
 *
 *  Network changes: Electron has no event for them. We poll `net.isOnline()` every 10 s and
 *  reconnect on an offline → online edge. It is cheap (a local query, no traffic), and whatever it
 *  misses (e.g. switching Wi-Fi while staying "online") the core's ping timeout catches within
 *  seconds and its backoff retries, so a missed edge costs at most one backoff step. */
import { net, powerMonitor } from 'electron';
import type { ReconnectReason, TrayCore } from './core-port.js';

export const NETWORK_POLL_MS = 10_000;

export function installPowerHooks(core: Pick<TrayCore, 'reconnectNow' | 'setSuspended'>): () => void {
  const onSuspend = (): void => core.setSuspended(true);
  const wake = (reason: ReconnectReason) => (): void => {
    core.setSuspended(false);
    core.reconnectNow(reason);
  };
  const onResume = wake('resume');
  const onUnlock = wake('unlock-screen');
  powerMonitor.on('suspend', onSuspend);
  powerMonitor.on('resume', onResume);
  powerMonitor.on('unlock-screen', onUnlock);

  let online = net.isOnline();
  const timer = setInterval(() => {
    const now = net.isOnline();
    if (now && !online) core.reconnectNow('network-online');
    online = now;
  }, NETWORK_POLL_MS);
  timer.unref();

  return () => {
    clearInterval(timer);
    powerMonitor.off('suspend', onSuspend);
    powerMonitor.off('resume', onResume);
    powerMonitor.off('unlock-screen', onUnlock);
  };
}
