import type { Command } from 'commander';
import { ControlClient } from './control-client.js';
import { resolveSocketPath } from './socket-path.js';

/** Connects to the socket chosen by --socket / $VMM_CONTROL_SOCKET / the defaults, runs `fn`,
 *  and hangs up however `fn` ends. */
export async function withClient<T>(command: Command, fn: (client: ControlClient) => Promise<T>): Promise<T> {
  const client = await ControlClient.connect(socketPathOf(command));
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export function socketPathOf(command: Command): string {
  const { socket } = command.optsWithGlobals<{ socket?: string }>();
  return resolveSocketPath(socket);
}

export const print = (text: string): void => void process.stdout.write(`${text}\n`);
export const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));
