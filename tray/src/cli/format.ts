/** How the terminal client shows things to a person. */
import type { ChatItem, ConnectionState } from '../core/bridge-api.js';
import { notPairedMessage } from './cli-error.js';

const pad = (n: number): string => String(n).padStart(2, '0');

export function clock(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatItem(item: ChatItem): string {
  const who = item.mine ? 'You' : item.senderName;
  if (item.kind === 'text') return `[${clock(item.ts)}] ${who}: ${item.text ?? ''}`;
  if (item.kind === 'file') {
    const file = item.file;
    const type = file?.mime ? `, ${file.mime}` : '';
    const warning = file?.executable ? ' — a program or script: check it before running it' : '';
    return `[${clock(item.ts)}] ${who} sent a file: ${file?.originalName ?? '?'} (${formatSize(file?.size ?? 0)}${type})${warning}`;
  }
  const img = item.image;
  const dims = img?.width && img.height ? `${img.width}×${img.height}, ` : '';
  return `[${clock(item.ts)}] ${who} sent an image: ${img?.originalName ?? '?'} (${dims}${formatSize(img?.size ?? 0)})`;
}

export function formatState(state: ConnectionState): string {
  switch (state.status) {
    case 'unpaired':
      return notPairedMessage(process.env);
    case 'disconnected':
      return 'disconnected';
    case 'connecting':
      return state.attempt > 1 ? `connecting (attempt ${state.attempt})…` : 'connecting…';
    case 'connected':
      return `connected to ${state.serverName}`;
    case 'reconnecting':
      return `connection lost (${state.lastError ?? 'unknown'}); retrying in ${Math.max(0, Math.round((state.nextRetryAt - Date.now()) / 100) / 10)} s`;
    case 'auth-failed':
      return `cannot connect: ${state.reason}`;
  }
}
