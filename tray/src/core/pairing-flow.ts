/** Checking a pasted pairing string by connecting once, before anything is saved. */
import { parsePairing, type PairingInfo, type WelcomeFrame } from '@vm-messenger/protocol';
import { ClientError, V2Client } from './v2-client.js';

/** `message` is the technical reason; `advice` the same for a terminal (the window maps `code`). */
/** `secret`: what the client presents from now on (its credential, or the token for a daemon that
 *  issues none). */
export type ProbeResult =
  | { ok: true; info: PairingInfo; welcome: WelcomeFrame; secret: string }
  | { ok: false; code: string; message: string; advice: string; target?: string };

/** `knownCredential`: this client's credential for the daemon the string names, if it has one.
 *  It is tried first, so pasting the string again for the same VM keeps this client's id and name
 *  instead of enrolling it a second time ("Desk (2)"); if the VM no longer takes it (revoked, or
 *  its state was reset), the string's enrolment token enrols it anew. */
export async function probePairing(
  pairing: string,
  clientName: string,
  handshakeTimeoutMs?: number,
  knownCredential?: (info: PairingInfo) => string | undefined,
): Promise<ProbeResult> {
  const parsed = parsePairing(pairing);
  if (!parsed.ok) return { ok: false, code: parsed.code, message: parsed.message, advice: parsed.message };
  const info = parsed.value;
  const connect = async (token: string): Promise<WelcomeFrame> => {
    const client = await V2Client.connect({
      host: info.host,
      port: info.port,
      token,
      fingerprint: info.fingerprint,
      clientName,
      ...(handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs } : {}),
    });
    client.close();
    return client.welcome;
  };
  try {
    const credential = knownCredential?.(info);
    if (credential !== undefined && credential !== info.token) {
      const kept = await connect(credential).catch((err: unknown) => {
        if (err instanceof ClientError && (err.code === 'bad_token' || err.code === 'revoked')) return undefined;
        throw err;
      });
      if (kept) return { ok: true, info, welcome: kept, secret: kept.credential ?? credential };
    }
    const welcome = await connect(info.token);
    return { ok: true, info, welcome, secret: welcome.credential ?? info.token };
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
