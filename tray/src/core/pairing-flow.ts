/** Checking a pasted pairing string by connecting once, before anything is saved. */
import { parsePairing, type PairingInfo, type WelcomeFrame } from '@vm-messenger/protocol';
import { ClientError, V2Client } from './v2-client.js';

/** `message` is the technical reason; `advice` the same for a terminal (the window maps `code`). */
export type ProbeResult = { ok: true; info: PairingInfo; welcome: WelcomeFrame } | { ok: false; code: string; message: string; advice: string; target?: string };

export async function probePairing(pairing: string, clientName: string, handshakeTimeoutMs?: number): Promise<ProbeResult> {
  const parsed = parsePairing(pairing);
  if (!parsed.ok) return { ok: false, code: parsed.code, message: parsed.message, advice: parsed.message };
  const info = parsed.value;
  try {
    const client = await V2Client.connect({
      host: info.host,
      port: info.port,
      token: info.token,
      fingerprint: info.fingerprint,
      clientName,
      ...(handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs } : {}),
    });
    const welcome = client.welcome;
    client.close();
    return { ok: true, info, welcome };
  } catch (err) {
    const code = err instanceof ClientError ? err.code : 'connect_failed';
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, code, message: detail, advice: pairingAdvice(code, detail, info), target: `${info.host}:${info.port}` };
  }
}

/** What the user should do about a failed pairing attempt. */
export function pairingAdvice(code: string, detail: string, info: PairingInfo): string {
  switch (code) {
    case 'bad_token':
      return 'The daemon refused the token in this pairing string. Get a fresh one with `vmctl pair` on the VM.';
    case 'bad_fingerprint':
      return `The daemon at ${info.host}:${info.port} presented a different certificate than the pairing string names (${detail}).`;
    case 'unsupported_protocol':
      return 'The daemon speaks another protocol version: update VM Messenger on one side.';
    case 'connect_failed':
    case 'handshake_timeout':
      return `Cannot reach the daemon at ${info.host}:${info.port} (${detail}). Is it running, and is the port open?`;
    default:
      return detail;
  }
}
