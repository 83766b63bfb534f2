/** A long file name shortened in the middle, so its start and its extension stay readable:
 *  `quarterly-report-final-….pdf`. Pure, so the bubble and its tests agree on one rule. */
export function middleCut(name: string, maxChars: number): string {
  const chars = Array.from(name);
  if (chars.length <= maxChars) return name;
  const dot = name.lastIndexOf('.');
  // The extension (with a few characters before it) is what tells a .exe from a .pdf.
  const ext = dot > 0 && name.length - dot <= 12 ? Array.from(name.slice(dot)) : [];
  const tail = Math.min(chars.length - 1, Math.max(ext.length + 4, Math.floor(maxChars / 3)));
  const head = Math.max(1, maxChars - tail - 1);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}
