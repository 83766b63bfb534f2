/** `vmm send`, `vmm send-image` and `vmm send-file`: one connection, one message, exit 0 only once the daemon has
 *  accepted it — for scripts, so nothing is queued behind their back. */
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXIT_CODES, type AcceptedFrame } from '@vm-messenger/protocol';
import { keepIssuedCredential } from '../core/issued-credential.js';
import { ClientError, V2Client } from '../core/v2-client.js';
import type { ClientContext } from './client-context.js';
import { CliError, notPairedMessage } from './cli-error.js';


export async function connectOnce(ctx: ClientContext, timeoutMs: number): Promise<V2Client> {
  const { host, port, fingerprint, clientName } = ctx.settings;
  const token = await ctx.secrets.getToken();
  if (!host || !port || !fingerprint || !token) throw new CliError(EXIT_CODES.usage, notPairedMessage(process.env));
  let client: V2Client;
  try {
    client = await V2Client.connect({ host, port, fingerprint, token, clientName: clientName || os.hostname(), handshakeTimeoutMs: timeoutMs });
  } catch (err) {
    const unreachable = err instanceof ClientError && err.code === 'connect_failed';
    throw new CliError(unreachable ? EXIT_CODES.notRunning : EXIT_CODES.failed, (err as Error).message);
  }
  // Not fatal if it cannot be saved: the daemon enrols this client again next time.
  await keepIssuedCredential(ctx.secrets, client.welcome).catch(() => undefined);
  return client;
}

async function withClient(ctx: ClientContext, timeoutMs: number, send: (client: V2Client) => Promise<AcceptedFrame>): Promise<AcceptedFrame> {
  const client = await connectOnce(ctx, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CliError(EXIT_CODES.failed, `no acknowledgement from the daemon within ${timeoutMs} ms`)), timeoutMs);
    });
    return await Promise.race([send(client), timeout]);
  } catch (err) {
    throw err instanceof CliError ? err : new CliError(EXIT_CODES.failed, (err as Error).message);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

export function sendText(ctx: ClientContext, text: string, timeoutMs: number): Promise<AcceptedFrame> {
  if (text.trim() === '') return Promise.reject(new CliError(EXIT_CODES.usage, 'nothing to send: the text is empty'));
  return withClient(ctx, timeoutMs, (client) => client.say(text));
}

async function regularFile(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new CliError(EXIT_CODES.usage, `no such file: ${file}`);
  if (!info.isFile()) throw new CliError(EXIT_CODES.usage, `${file} is not a regular file: only regular files can be sent`);
}

export async function sendImageFile(ctx: ClientContext, file: string, timeoutMs: number): Promise<AcceptedFrame> {
  await regularFile(file);
  return withClient(ctx, timeoutMs, (client) => client.sendImage({ name: path.basename(file), path: file }));
}

/** Any regular file; the daemon keeps an image an image and makes everything else a file event. */
export async function sendAnyFile(ctx: ClientContext, file: string, timeoutMs: number): Promise<AcceptedFrame> {
  await regularFile(file);
  return withClient(ctx, timeoutMs, (client) => client.sendImage({ name: path.basename(file), path: file, kind: 'file' }));
}
