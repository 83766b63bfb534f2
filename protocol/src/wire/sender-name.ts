/** What a client may be called. A name is shown beside everything its client says, so it must not
 *  be able to pass for another sender: not for the VM, not for a legacy client (known by its IP
 *  address), not for another client, and not by characters that reorder or hide text on screen. */
import { DEFAULT_LIMITS } from '../limits.js';

/** The name shown for the VM side (vmctl, the daemon itself). No client may take it. */
export const VM_NAME = 'VM';

/** What a client is called when nothing usable is left of the name it asked for. */
export const FALLBACK_CLIENT_NAME = 'client';

/** Format characters (bidi overrides and isolates, zero-width characters, BOM), private-use,
 *  unassigned and lone surrogate code points: none has a place in a name, and several make a name
 *  display as something else ("\u202eMV" shows as "VM"). */
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cn}\p{Cs}]/gu;
/** Controls (newline, tab …) and line or paragraph separators separate words: they become spaces. */
const BREAKS = /[\p{Cc}\p{Zl}\p{Zp}]/gu;

/** Square brackets are kept for the kind tag displays add (`alice [client]`), so a name cannot end
 *  in a tag of its own. */
const BRACKETS: Record<string, string> = { '[': '(', ']': ')' };

/** The visible text of a name: invisible characters dropped, every run of white space one space,
 *  NFC. Display code applies it too, to names stored before names were normalised. */
export function visibleName(raw: string): string {
  return raw.normalize('NFC').replace(INVISIBLE, '').replace(BREAKS, ' ').replace(/\s+/gu, ' ').trim();
}

/** First `max` code points, so a surrogate pair or a base letter is never cut in half. */
function truncate(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : points.slice(0, max).join('').trimEnd();
}

/** The key two names are compared by: compatibility forms folded (fullwidth `ＶＭ` is `VM`) and
 *  case ignored, so "Desktop" and "DESKTOP" cannot be two different clients. */
export function nameKey(name: string): string {
  return visibleName(name).normalize('NFKC').toLowerCase();
}

/** True for anything an IP address parser accepts, in the forms WHATWG URL and inet_aton know
 *  (`127.1`, `0x7f.0.0.1`, `2130706433`, `::ffff:127.0.0.1`, `[::1]`, `fe80::1%eth0`). */
export function looksLikeIpAddress(text: string): boolean {
  const candidate = text.normalize('NFKC').trim().replace(/^\[(.*)\]$/, '$1');
  if (candidate === '') return false;
  if (candidate.includes(':')) {
    try {
      new URL(`http://[${candidate.replace(/%[\w.-]+$/, '')}]/`);
      return true;
    } catch {
      return false;
    }
  }
  if (!/^[0-9a-fx.]+$/i.test(candidate)) return false;
  try {
    return /^\d+\.\d+\.\d+\.\d+$/.test(new URL(`http://${candidate}/`).hostname);
  } catch {
    return false;
  }
}

/** `VM` and IP addresses belong to the VM and to legacy clients. */
export function isReservedName(name: string): boolean {
  return nameKey(name) === VM_NAME.toLowerCase() || looksLikeIpAddress(name);
}

/** The name a client gets for the one it asked for: visible characters only, brackets replaced,
 *  at most `maxNameLength` characters, and a reserved name marked as a client's. Uniqueness is
 *  the daemon's job (it knows the other clients). */
export function normalizeClientName(raw: string, maxLength: number = DEFAULT_LIMITS.maxNameLength): string {
  const suffix = ' (client)';
  const visible = visibleName(raw).replace(/[[\]]/g, (c) => BRACKETS[c] ?? c);
  const name = truncate(visible, maxLength) || FALLBACK_CLIENT_NAME;
  if (!isReservedName(name)) return name;
  return `${truncate(name, maxLength - suffix.length)}${suffix}`;
}

/** `wanted`, or `wanted (2)`, `wanted (3)` … : the first whose key `taken` does not hold. */
export function uniqueName(wanted: string, taken: (key: string) => boolean, maxLength: number = DEFAULT_LIMITS.maxNameLength): string {
  if (!taken(nameKey(wanted))) return wanted;
  for (let n = 2; ; n += 1) {
    const suffix = ` (${n})`;
    const candidate = `${truncate(wanted, maxLength - suffix.length)}${suffix}`;
    if (!taken(nameKey(candidate))) return candidate;
  }
}
