/** The host a pairing string names: what the client beside the VM will connect to. Asked for
 *  (`vmctl pair --host`), configured (`pairing.host`), the address the daemon listens on when that
 *  is one address, else one of this VM's network interfaces. */
import type { NetworkInterfaceInfo } from 'node:os';
import { ProtocolError, parsePairingHost, type PairingHostSource } from '@vm-messenger/protocol';

export interface PairingHostChoice {
  host: string;
  source: PairingHostSource;
  /** Set with the fallback: the string works only on this VM. */
  warning?: string;
  /** Other addresses of this VM a client might reach it by. */
  otherHosts?: string[];
}

export interface PairingHostInputs {
  requested?: string | undefined;
  configured?: string | undefined;
  /** The address the listener is bound to (`::` and `0.0.0.0` mean every interface). */
  listenHost: string;
  /** Whether the listener accepts IPv6 connections. */
  listensOnIpv6: boolean;
  /** os.networkInterfaces, which needs a netlink socket on Linux and so may throw in a sandbox. */
  interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

const ANY = new Set(['0.0.0.0', '::']);
const FALLBACK = '127.0.0.1';
const HOW_TO_CHOOSE = 'set pairing.host in the configuration, or run vmctl pair --host ADDRESS';

/** Addresses a client on another machine may reach: not loopback, not link-local (a link-local
 *  IPv6 address needs a zone, which a URL cannot carry), IPv4 first: the Windows host usually
 *  reaches a VM by IPv4. */
export function candidateAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>, ipv6: boolean): string[] {
  const all = Object.values(interfaces).flatMap((list) => list ?? []).filter((a) => !a.internal);
  const v4 = all.filter((a) => a.family === 'IPv4' && !a.address.startsWith('169.254.')).map((a) => a.address);
  const v6 = ipv6 ? all.filter((a) => a.family === 'IPv6' && !/^fe[89ab]/i.test(a.address)).map((a) => a.address) : [];
  return [...new Set([...v4, ...v6])];
}

/** Throws `bad_request` for a host that is not one, or an IPv6 host the listener cannot serve. */
function checkedHost(text: string, what: string, listensOnIpv6: boolean): string {
  const parsed = parsePairingHost(text);
  if (!parsed.ok) throw new ProtocolError('bad_request', `${what}: ${parsed.message}`);
  if (parsed.value.kind === 'ipv6' && !listensOnIpv6) {
    throw new ProtocolError('bad_request', `${what}: ${text} is an IPv6 address, but the daemon listens on IPv4 only (set listen.host to "::" to accept IPv6)`);
  }
  return parsed.value.host;
}

export function choosePairingHost(inputs: PairingHostInputs): PairingHostChoice {
  if (inputs.requested !== undefined) return { host: checkedHost(inputs.requested, '--host', inputs.listensOnIpv6), source: 'request' };
  if (inputs.configured !== undefined) return { host: checkedHost(inputs.configured, 'pairing.host', inputs.listensOnIpv6), source: 'config' };
  if (!ANY.has(inputs.listenHost)) return { host: inputs.listenHost, source: 'listen' };
  let candidates: string[];
  try {
    candidates = candidateAddresses(inputs.interfaces(), inputs.listensOnIpv6);
  } catch (err) {
    return {
      host: FALLBACK,
      source: 'fallback',
      warning: `cannot list this VM's network addresses (${(err as Error).message}); the string names ${FALLBACK}, which works only on this VM: ${HOW_TO_CHOOSE}`,
    };
  }
  const [first, ...others] = candidates;
  if (first === undefined) {
    return { host: FALLBACK, source: 'fallback', warning: `this VM has no network address but loopback; the string names ${FALLBACK}, which works only on this VM: ${HOW_TO_CHOOSE}` };
  }
  return { host: first, source: 'interface', ...(others.length > 0 ? { otherHosts: others } : {}) };
}
