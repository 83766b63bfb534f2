// Draws the app and tray icons as SVG and renders them with sharp into tray/assets/ (the generated
// files are committed; run again only after changing a drawing): icon.svg, icon.png (512 px),
// icon.ico (16–256 px, PNG-compressed entries), tray/<light|dark>/<state>[-<badge>]-<size>.png and
// tray/overlay/<badge>-<16|32>.png (the taskbar overlay while the window is open).
// sharp comes from the workspace (the daemon depends on it); the app does not need it at runtime.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');

/** Two overlapping speech bubbles (the VM and the PC) on a blue tile. */
export const appIconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#2b88d8"/><stop offset=".55" stop-color="#0f6cbd"/><stop offset="1" stop-color="#0b4a80"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="56" fill="url(#bg)"/>
  <path d="M60 64h96a20 20 0 0 1 20 20v52a20 20 0 0 1-20 20H104l-30 26v-26H60a20 20 0 0 1-20-20V84a20 20 0 0 1 20-20z" fill="#ffffff" opacity=".95"/>
  <path d="M70 96l18 14-18 14" fill="none" stroke="#0f6cbd" stroke-width="10" stroke-linecap="round" stroke-linejoin="round"/>
  <path d="M98 126h28" stroke="#0f6cbd" stroke-width="10" stroke-linecap="round"/>
  <path d="M196 112h-8v28a28 28 0 0 1-28 28h-44v6a18 18 0 0 0 18 18h40l26 22v-22h-4 0a18 18 0 0 0 18-18v-44a18 18 0 0 0-18-18z" fill="#9fd3ff"/>
</svg>`;

/** Tray icons: a monochrome glyph in the Windows 11 style, dark on a light taskbar and white on a
 *  dark one. The state is in the SHAPE (solid bubble = connected, outline with dots = trying,
 *  outline with a slash = offline, outline with "!" = pairing rejected), so it reads without
 *  colour; only the error and the unread count add colour, as Windows' own badges do. */
export const TRAY_STATES = ['connected', 'reconnecting', 'disconnected', 'auth-failed'];
export const TRAY_SIZES = [16, 20, 24, 32, 48];
export const TRAY_THEMES = { light: '#1b1c1f', dark: '#ffffff' };
/** Unread badges: 1–9, then "9+". */
export const BADGES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '9plus'];

const BUBBLE = 'M7 5h16a4 4 0 0 1 4 4v10a4 4 0 0 1-4 4H14l-6 5v-5H7a4 4 0 0 1-4-4V9a4 4 0 0 1 4-4z';

function glyph(state, ink) {
  switch (state) {
    case 'connected':
      return `<path d="${BUBBLE}" fill="${ink}"/>`;
    case 'reconnecting':
      return `<path d="${BUBBLE}" fill="none" stroke="${ink}" stroke-width="2.4" stroke-linejoin="round"/>` +
        [10, 15, 20].map((x) => `<circle cx="${x}" cy="14" r="1.9" fill="${ink}"/>`).join('');
    case 'disconnected':
      return `<path d="${BUBBLE}" fill="none" stroke="${ink}" stroke-width="2.4" stroke-linejoin="round" opacity=".8"/>` +
        `<path d="M4 29 29 3" stroke="${ink}" stroke-width="2.6" stroke-linecap="round"/>`;
    case 'auth-failed':
      return `<path d="${BUBBLE}" fill="none" stroke="${ink}" stroke-width="2.4" stroke-linejoin="round"/>` +
        `<circle cx="24" cy="24" r="7.5" fill="#c42b1c" stroke="${ink === '#ffffff' ? '#1b1c1f' : '#ffffff'}" stroke-width="1.5"/>` +
        `<path d="M24 19.5v5.2" stroke="#ffffff" stroke-width="2.4" stroke-linecap="round"/><circle cx="24" cy="28" r="1.4" fill="#ffffff"/>`;
  }
  throw new Error(`no tray state ${state}`);
}

/** The count badge at the top right: Windows accent blue, white digits, a ring in the taskbar colour. */
function badge(label, ring) {
  const text = label === '9plus' ? '9+' : label;
  const wide = text.length > 1;
  return `<rect x="${wide ? 13 : 17}" y="0" width="${wide ? 19 : 15}" height="15" rx="7.5" fill="#0f6cbd" stroke="${ring}" stroke-width="1.5"/>` +
    `<text x="${wide ? 22.5 : 24.5}" y="12" text-anchor="middle" font-family="DejaVu Sans, Segoe UI, Arial" font-weight="700" font-size="${wide ? 11 : 12}" fill="#ffffff">${text}</text>`;
}

export function trayIconSvg(state, theme, unreadBadge) {
  const ink = TRAY_THEMES[theme];
  const ring = theme === 'dark' ? '#1b1c1f' : '#ffffff';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${glyph(state, ink)}${unreadBadge ? badge(unreadBadge, ring) : ''}</svg>`;
}

/** The taskbar overlay (bottom right of the taskbar button while the window is open): the count alone. */
export function overlaySvg(label) {
  const text = label === '9plus' ? '9+' : label;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#0f6cbd" stroke="#ffffff" stroke-width="2"/>` +
    `<text x="16" y="22.5" text-anchor="middle" font-family="DejaVu Sans, Segoe UI, Arial" font-weight="700" font-size="${text.length > 1 ? 15 : 19}" fill="#ffffff">${text}</text></svg>`;
}

/** An .ico whose entries are PNGs (valid since Windows Vista; electron-builder accepts it). */
export function buildIco(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e);
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt8(0, e + 2);
    header.writeUInt8(0, e + 3);
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(data.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...pngs.map((p) => p.data)]);
}

const render = (svg, size) => sharp(Buffer.from(svg), { density: Math.max(72, (72 * size) / 32) }).resize(size, size).png({ compressionLevel: 9 }).toBuffer();

async function main() {
  mkdirSync(join(assets, 'tray'), { recursive: true });
  writeFileSync(join(assets, 'icon.svg'), appIconSvg);
  writeFileSync(join(assets, 'icon.png'), await render(appIconSvg, 512));
  const sizes = [16, 24, 32, 48, 64, 128, 256];
  const pngs = await Promise.all(sizes.map(async (size) => ({ size, data: await render(appIconSvg, size) })));
  writeFileSync(join(assets, 'icon.ico'), buildIco(pngs));
  rmSync(join(assets, 'tray'), { recursive: true, force: true });
  for (const theme of Object.keys(TRAY_THEMES)) {
    mkdirSync(join(assets, 'tray', theme), { recursive: true });
    for (const state of TRAY_STATES) {
      for (const unread of [undefined, ...BADGES]) {
        for (const size of TRAY_SIZES) {
          const name = `${state}${unread ? `-${unread}` : ''}-${size}.png`;
          writeFileSync(join(assets, 'tray', theme, name), await render(trayIconSvg(state, theme, unread), size));
        }
      }
    }
  }
  mkdirSync(join(assets, 'tray', 'overlay'), { recursive: true });
  for (const label of BADGES) {
    for (const size of [16, 32]) writeFileSync(join(assets, 'tray', 'overlay', `${label}-${size}.png`), await render(overlaySvg(label), size));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
