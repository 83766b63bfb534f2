/** `vmctl clients`: the paired clients, connected or not, and the legacy clients connected now, one
 *  row each however many connections a client holds. */
import type { ClientInfo, ClientListEntry } from '@vm-messenger/protocol';
import type { PairedClient } from './paired-clients.js';

function summary(connections: ClientInfo[]): Pick<ClientListEntry, 'connections' | 'bytesIn' | 'bytesOut'> & { newest?: ClientInfo; oldestAt?: number } {
  const sorted = [...connections].sort((a, b) => a.connectedAt - b.connectedAt);
  return {
    connections: sorted.length,
    bytesIn: sorted.reduce((n, c) => n + c.bytesIn, 0),
    bytesOut: sorted.reduce((n, c) => n + c.bytesOut, 0),
    ...(sorted.length > 0 ? { newest: sorted.at(-1)!, oldestAt: sorted[0]!.connectedAt } : {}),
  };
}

export function clientListing(paired: readonly PairedClient[], connected: readonly ClientInfo[], opts: { all: boolean; now: number }): ClientListEntry[] {
  const byId = new Map<string, ClientInfo[]>();
  for (const c of connected) byId.set(c.id, [...(byId.get(c.id) ?? []), c]);
  const rows: ClientListEntry[] = [];
  for (const record of paired) {
    const conns = byId.get(record.id) ?? [];
    byId.delete(record.id);
    if (record.revokedAt !== undefined && !opts.all) continue;
    const { newest, oldestAt, ...counts } = summary(conns);
    const address = newest?.address ?? record.lastAddress;
    const lastSeen = newest ? opts.now : record.lastSeen;
    rows.push({
      id: record.id,
      name: newest?.name ?? record.name,
      protocol: 'v2',
      state: record.revokedAt !== undefined ? 'revoked' : newest ? 'connected' : 'offline',
      ...counts,
      ...(address !== undefined ? { address } : {}),
      ...(oldestAt !== undefined ? { connectedAt: oldestAt } : {}),
      ...(lastSeen !== undefined ? { lastSeen } : {}),
      pairedAt: record.pairedAt,
      ...(record.revokedAt !== undefined ? { revokedAt: record.revokedAt } : {}),
    });
  }
  // What is left has no record: legacy connections (known only by their address).
  for (const [id, conns] of byId) {
    const { newest, oldestAt, ...counts } = summary(conns);
    rows.push({
      id,
      name: newest!.name,
      protocol: newest!.protocol,
      state: 'connected',
      ...counts,
      address: newest!.address,
      ...(oldestAt !== undefined ? { connectedAt: oldestAt } : {}),
      lastSeen: opts.now,
    });
  }
  return rows;
}
