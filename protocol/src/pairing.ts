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

/** An IPv4 address in dotted-quad form, each part 0–255 without leading zeros. */
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** One DNS label: letters, digits and inner hyphens, at most 63 characters (RFC 1123). */
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export type PairingHost = { kind: 'hostname' | 'ipv4' | 'ipv6'; host: string };

/** Checks what an operator gives as the host of a pairing string (`vmctl pair --host`, the
 *  `pairing.host` setting): a hostname, an IPv4 address, or an IPv6 address (in brackets or not).
 *  `host` is the form `PairingInfo.host` takes (IPv6 without brackets, lowercase). */
export function parsePairingHost(input: string): Result<PairingHost> {
  const text = input.trim();
  const usage = 'expected a hostname (vm.local), an IPv4 address (192.168.56.10) or an IPv6 address in brackets ([fd00::2])';
  if (text === '') return fail('bad_request', `the host is empty: ${usage}`);
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  if (bare.includes(':')) {
    if (bare.includes('%')) return fail('bad_request', `${text}: an IPv6 address with a zone (%…) cannot be put in a pairing string; use a global or unique-local address`);
    try {
      // WHATWG URL parses IPv6 exactly as the clients will; it gives the compressed form back.
      const host = new URL(`http://[${bare}]/`).hostname.replace(/^\[(.*)\]$/, '$1');
      return ok({ kind: 'ipv6', host });
    } catch {
      return fail('bad_request', `${text} is not a valid IPv6 address: ${usage}`);
    }
  }
  if (bare !== text) return fail('bad_request', `${text}: only IPv6 addresses go in brackets`);
  if (/^[\d.]+$/.test(text)) {
    return IPV4.test(text) ? ok({ kind: 'ipv4', host: text }) : fail('bad_request', `${text} is not a valid IPv4 address: ${usage}`);
  }
  const name = text.replace(/\.$/, '');
  if (name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) {
    return fail('bad_request', `${JSON.stringify(text)} is not a valid host: ${usage}`);
  }
  return ok({ kind: 'hostname', host: name.toLowerCase() });
}
