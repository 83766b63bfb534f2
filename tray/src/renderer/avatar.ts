/** A sender's avatar: an initial on a colour chosen from the sender's stable id, so the same person
 *  always looks the same and two people rarely alike. The VM has its own shape and colour. */

/** How many colours styles.css defines (`.avatar[data-hue="0…7"]`; white text on each ≥ 4.5:1). */
export const AVATAR_HUES = 8;

export interface Avatar {
  initial: string;
  /** 0…AVATAR_HUES-1, or 'vm' for the VM's own colour. */
  hue: number | 'vm';
}

/** FNV-1a: small, stable across runs and platforms. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The first letter or digit a person would read (skipping emoji, quotes and spaces). */
export function initialOf(name: string): string {
  const m = /[\p{L}\p{N}]/u.exec(name);
  return m ? m[0].toLocaleUpperCase() : '?';
}

export function avatarFor(senderId: string, name: string, kind: 'vm' | 'client' | 'legacy'): Avatar {
  if (kind === 'vm') return { initial: 'VM', hue: 'vm' };
  return { initial: initialOf(name), hue: hash(senderId) % AVATAR_HUES };
}
