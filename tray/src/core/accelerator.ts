/** The global shortcut setting: an Electron accelerator ("Ctrl+Alt+M"), checked here so a typo is
 *  refused with a clear message instead of failing silently in `globalShortcut.register`. At least
 *  one modifier is required: a bare key taken system-wide would break typing everywhere. */

const MODIFIERS = new Map(
  ['Command', 'Cmd', 'Control', 'Ctrl', 'CommandOrControl', 'CmdOrCtrl', 'Alt', 'Option', 'AltGr', 'Shift', 'Super', 'Meta'].map((m) => [m.toLowerCase(), m]),
);
const NAMED_KEYS = [
  'Plus', 'Space', 'Tab', 'Capslock', 'Numlock', 'Scrolllock', 'Backspace', 'Delete', 'Insert', 'Return', 'Enter',
  'Up', 'Down', 'Left', 'Right', 'Home', 'End', 'PageUp', 'PageDown', 'Escape', 'Esc', 'PrintScreen',
  'num0', 'num1', 'num2', 'num3', 'num4', 'num5', 'num6', 'num7', 'num8', 'num9', 'numdec', 'numadd', 'numsub', 'nummult', 'numdiv',
];
const KEYS = new Map(NAMED_KEYS.map((k) => [k.toLowerCase(), k]));

function keyName(part: string): string | undefined {
  if (/^[a-z0-9]$/i.test(part)) return part.toUpperCase();
  if (/^f([1-9]|1[0-9]|2[0-4])$/i.test(part)) return part.toUpperCase();
  if (/^[)!@#$%^&*(:;:+=<,_\-.>?/~`{\][|\\}'"]$/.test(part)) return part;
  return KEYS.get(part.toLowerCase());
}

export type AcceleratorResult = { ok: true; value: string } | { ok: false; message: string };

/** '' is valid (no shortcut). Otherwise normalises spelling ("ctrl + alt + m" → "Ctrl+Alt+M"). */
export function parseAccelerator(input: string): AcceleratorResult {
  const text = input.trim();
  if (text === '') return { ok: true, value: '' };
  const parts = text.split(/\s*\+\s*/).filter((p) => p !== '');
  // "Ctrl++" means Ctrl and the plus key.
  if (text.endsWith('++')) parts.push('Plus');
  const key = parts.pop();
  const mods = parts.map((p) => MODIFIERS.get(p.toLowerCase()));
  if (!key || mods.length === 0) return { ok: false, message: `"${text}" needs a modifier and a key, like Ctrl+Alt+M` };
  if (mods.some((m) => m === undefined)) return { ok: false, message: `"${text}" has an unknown modifier (use Ctrl, Alt, Shift or Super)` };
  if (new Set(mods).size !== mods.length) return { ok: false, message: `"${text}" repeats a modifier` };
  const name = keyName(key);
  if (!name) return { ok: false, message: `"${key}" is not a key name Electron knows` };
  return { ok: true, value: [...(mods as string[]), name].join('+') };
}
