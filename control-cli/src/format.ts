import { senderLabel, type ClientListEntry, type ConversationEvent, type LibraryEntry, type StatusResult, type StorageStatus } from '@vm-messenger/protocol';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** Local time, `YYYY-MM-DD HH:MM:SS`: sortable, and what journalctl users read every day. */
export function humanTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const parts: [number, string][] = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  return shown.length === 0 ? '0s' : shown.map(([n, u]) => `${n}${u}`).join(' ');
}

/** Left-aligned columns separated by two spaces, like `docker ps`. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Key/value lines with aligned values, like `systemctl status`'s header. */
export function keyValues(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

export const fingerprintText = (hex: string): string => `sha256:${hex}`;

/** `on, allow 192.168.56.0/24 fd00::/8, legacy-only port 12346`: what an operator checks before
 *  trusting the unauthenticated protocol on a network. */
export function legacyText(legacy: StatusResult['legacy']): string {
  if (!legacy.enabled) return 'off';
  const parts = ['on'];
  if (legacy.allow !== undefined) parts.push(`allow ${legacy.allow.length > 0 ? legacy.allow.join(' ') : 'any address'}`);
  if (legacy.port !== undefined) parts.push(`legacy-only port ${legacy.port}`);
  return parts.join(', ');
}

export function formatStatus(s: StatusResult): string {
  return keyValues([
    ['version', `${s.version} (pid ${s.pid})`],
    ['server name', s.serverName],
    ['uptime', humanDuration(s.uptimeSec)],
    ['listening', `${s.listen.host}:${s.listen.port}`],
    ['legacy', legacyText(s.legacy)],
    ['clients', String(s.clients)],
    ['history', `${s.historySize} events (last seq ${s.lastSeq})`],
    ...(s.storage ? [['storage', storageText(s.storage, s.stateDir)] as [string, string]] : []),
    ['fingerprint', fingerprintText(s.fingerprint)],
    ['state dir', s.stateDir],
    ['library', s.libraryDir],
  ]);
}

/** The storage condition with what the operator can do about it. */
export function storageText(storage: StorageStatus, stateDir: string): string {
  if (storage.state === 'ok') return 'ok';
  const since = `since ${humanTime(storage.since ?? Date.now())}, ${storage.failures} operation(s) refused`;
  switch (storage.state) {
    case 'full':
      return `DISK FULL ${since}: free space on the disk holding ${stateDir}; no restart needed`;
    case 'busy':
      return `LOCKED ${since}: another program holds ${stateDir}/history.sqlite3 locked (close it)`;
    case 'failed':
      return `FAILING ${since}: ${storage.detail ?? 'I/O error'}; see journalctl -u vm-messenger`;
  }
}

function stateText(c: ClientListEntry): string {
  return c.state === 'connected' && c.connections > 1 ? `connected (${c.connections})` : c.state;
}

function lastSeenText(c: ClientListEntry): string {
  if (c.state === 'connected') return 'now';
  return c.lastSeen !== undefined ? humanTime(c.lastSeen) : 'never';
}

/** Paired clients, connected or not, and connected legacy clients: one row per client. */
export function formatClients(clients: ClientListEntry[]): string {
  if (clients.length === 0) return 'no clients paired or connected (pair one with the string from vmctl pair)';
  return table(
    ['ID', 'NAME', 'STATE', 'ADDRESS', 'LAST SEEN', 'PROTOCOL', 'IN', 'OUT'],
    clients.map((c) => [c.id, c.name, stateText(c), c.address ?? '-', lastSeenText(c), c.protocol, humanSize(c.bytesIn), humanSize(c.bytesOut)]),
  );
}

export function formatLibrary(entries: LibraryEntry[], libraryDir?: string): string {
  if (entries.length === 0) return `the library is empty${libraryDir ? ` (add images or other files to ${libraryDir})` : ''}`;
  return table(
    ['NAME', 'SIZE', 'DIMENSIONS', 'TYPE', 'MODIFIED'],
    entries.map((e) => [
      e.name,
      humanSize(e.size),
      e.kind === 'file' ? '-' : `${e.width}x${e.height}`,
      e.kind === 'file' ? e.mime : e.mime.replace('image/', ''),
      humanTime(e.mtime),
    ]),
  );
}

/** `VM`, `10.0.2.2 [legacy]`, or `alice [client c3] (10.0.2.2)`: the kind always shown, and the
 *  id an operator can pass to `vmctl revoke`. */
function senderText(event: ConversationEvent): string {
  const s = event.sender;
  const label = senderLabel(s, { withId: true });
  return s.kind === 'client' && s.address ? `${label} (${s.address})` : label;
}

/** One conversation line: `2025-01-31 14:02:11 #42 alice [client c3] (10.0.2.2): hello`. */
export function formatEvent(event: ConversationEvent): string {
  const head = `${humanTime(event.ts)} #${event.seq} ${senderText(event)}${event.to ? ` → ${event.to}` : ''}`;
  if (event.kind === 'text') return `${head}: ${event.text}`;
  if (event.kind === 'file') return `${head}: [file ${event.storedName}, ${humanSize(event.size)}, ${event.mime}]`;
  return `${head}: [image ${event.storedName}, ${event.width}x${event.height}, ${humanSize(event.size)}]`;
}
