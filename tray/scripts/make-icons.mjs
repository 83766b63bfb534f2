// Draws the app and tray icons as SVG and renders them with sharp into tray/assets/ (the generated
// files are committed; run again only after changing a drawing): icon.svg, icon.png (512 px),
// icon.ico (16–256 px, PNG-compressed entries) and tray/<state>[-unread]-<16|32>.png.
// sharp comes from the workspace (the daemon depends on it); the app does not need it at runtime.
import { mkdirSync, writeFileSync } from 'node:fs';
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

const STATE_COLOURS = {
  connected: '#2ea043',
  reconnecting: '#e3a21a',
  disconnected: '#8a8d95',
  'auth-failed': '#d1242f',
};

/** The tray glyph on a 32-unit grid: a bubble readable on light and dark taskbars, a state dot at
 *  the bottom right, and an unread badge at the top right. */
export function trayIconSvg(state, unread) {
  const dim = state === 'disconnected' ? ' opacity=".6"' : '';
  const badge = unread ? '<circle cx="25" cy="7" r="6" fill="#0f6cbd" stroke="#ffffff" stroke-width="2"/>' : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <g${dim}>
    <path d="M6 4h16a4 4 0 0 1 4 4v11a4 4 0 0 1-4 4H13l-6 5v-5H6a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z" fill="#ffffff" stroke="#1b1c1f" stroke-width="2" stroke-linejoin="round"/>
    <path d="M8 11l4 3-4 3M14 17h5" fill="none" stroke="#1b1c1f" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
  </g>
  <circle cx="25" cy="25" r="6" fill="${STATE_COLOURS[state]}" stroke="#ffffff" stroke-width="2"/>
  ${badge}
</svg>`;
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
  for (const state of Object.keys(STATE_COLOURS)) {
    for (const unread of [false, true]) {
      for (const size of [16, 32]) {
        writeFileSync(join(assets, 'tray', `${state}${unread ? '-unread' : ''}-${size}.png`), await render(trayIconSvg(state, unread), size));
      }
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
