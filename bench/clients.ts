import { V2Client } from 'vm-messenger-tray/core';
import type { DaemonProcess } from './daemon-process.js';

/** Connects `count` clients named `<prefix>-<i>`, a few at a time so the handshakes (TLS, token
 *  check) do not all land on the daemon in one burst. */
export async function connectClients(daemon: DaemonProcess, prefix: string, count: number, parallel = 10): Promise<V2Client[]> {
  const clients: V2Client[] = [];
  try {
    for (let i = 0; i < count; i += parallel) {
      const batch = Array.from({ length: Math.min(parallel, count - i) }, (_, k) => V2Client.connect(daemon.clientOptions(`${prefix}-${i + k}`)));
      clients.push(...(await Promise.all(batch)));
    }
    return clients;
  } catch (err) {
    await closeClients(clients);
    throw err;
  }
}

/** Closes clients and waits (bounded) until each connection is gone, so the daemon has let go of
 *  them before the next case. */
export async function closeClients(clients: V2Client[], timeoutMs = 3000): Promise<void> {
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          if (!client.open) return resolve();
          const timer = setTimeout(() => {
            client.terminate();
            resolve();
          }, timeoutMs);
          client.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          client.close();
        }),
    ),
  );
}
