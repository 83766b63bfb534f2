import { fail, ok, type Result } from './errors.js';
import { DEFAULT_PORT } from './limits.js';

/** Everything a client needs to connect, in one string a user can paste:
 *  `vmm://HOST:PORT/?token=TOKEN&fp=sha256:HEX[&name=SERVER]`. */
export interface PairingInfo {
  host: string;
  port: number;
  token: string;
  /** SHA-256 of the daemon certificate's DER bytes, 64 lowercase hex digits. */
  fingerprint: string;
  serverName?: string;
}

export const PAIRING_SCHEME = 'vmm:';

export function formatPairing(info: PairingInfo): string {
  const host = info.host.includes(':') && !info.host.startsWith('[') ? `[${info.host}]` : info.host;
  const params = new URLSearchParams({ token: info.token, fp: `sha256:${info.fingerprint}` });
  if (info.serverName) params.set('name', info.serverName);
  return `vmm://${host}:${info.port}/?${params.toString()}`;
}

/** Accepts the fingerprint as plain hex or colon-separated (as openssl prints it), any case. */
export function normalizeFingerprint(input: string): string | undefined {
  const hex = input.replace(/^sha256:/i, '').replace(/:/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

export function parsePairing(input: string): Result<PairingInfo> {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('bad_request', 'not a pairing string: expected vmm://HOST:PORT/?token=…&fp=sha256:…');
  }
  if (url.protocol !== PAIRING_SCHEME) return fail('bad_request', `pairing string must start with vmm:// (got ${url.protocol}//)`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return fail('bad_request', 'pairing string has no host');
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail('bad_request', 'pairing string has an invalid port');
  const token = url.searchParams.get('token');
  if (!token) return fail('bad_request', 'pairing string has no token');
  const fp = url.searchParams.get('fp');
  const fingerprint = fp ? normalizeFingerprint(fp) : undefined;
  if (!fingerprint) return fail('bad_request', 'pairing string has no valid fp=sha256:… certificate fingerprint');
  const serverName = url.searchParams.get('name') ?? undefined;
  return ok({ host, port, token, fingerprint, ...(serverName ? { serverName } : {}) });
}
