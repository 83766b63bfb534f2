import net from 'node:net';

/** Which source networks may use the unauthenticated legacy protocol (`legacy.allow`). */
export interface AllowList {
  /** True when `address` may connect; an empty list allows everyone. */
  allows(address: string): boolean;
  readonly description: string;
}

type Network = { address: string; prefix: number; family: 'ipv4' | 'ipv6' };

/** `192.168.56.0/24`, `fd00::/8`, or a single address (a /32 or /128). Undefined when malformed. */
export function parseNetwork(entry: string): Network | undefined {
  const [address = '', prefixText, ...rest] = entry.trim().split('/');
  if (rest.length > 0) return undefined;
  const version = net.isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= max ? { address, prefix, family } : undefined;
}

export const isNetwork = (entry: string): boolean => parseNetwork(entry) !== undefined;

/** `::ffff:192.168.56.1` (an IPv4 peer on a dual-stack socket) → `192.168.56.1`: what people
 *  recognise, what IPv4 rules match, and what an original client compares against its own IP. */
export const plainAddress = (address: string | undefined): string => (address ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/** Builds the allow-list; entries must already have passed `isNetwork` (the config schema checks). */
export function createAllowList(entries: readonly string[]): AllowList {
  if (entries.length === 0) return { allows: () => true, description: 'any address' };
  const list = new net.BlockList();
  for (const entry of entries) {
    const network = parseNetwork(entry);
    if (!network) throw new Error(`invalid network in legacy.allow: ${entry}`);
    list.addSubnet(network.address, network.prefix, network.family);
  }
  return {
    allows(address) {
      const plain = plainAddress(address);
      const version = net.isIP(plain);
      if (version === 0) return false;
      return list.check(plain, version === 4 ? 'ipv4' : 'ipv6');
    },
    description: entries.join(', '),
  };
}
