/** Conversations and images for the browser suite: real images made with sharp. */
import sharp from 'sharp';
import type { ChatItem } from 'vm-messenger-tray/core';
import { makePng } from '../../helpers/images.js';
import { item } from './scripted-api.js';
import { minutesAgo } from './suite.js';

/** A thumbnail as the daemon makes one: small WebP as a data URL. */
export async function thumbnailDataUrl(width: number, height: number): Promise<{ dataUrl: string; width: number; height: number }> {
  const png = await makePng(width, height);
  const { data, info } = await sharp(png).resize(240, 240, { fit: 'inside' }).webp().toBuffer({ resolveWithObject: true });
  return { dataUrl: `data:image/webp;base64,${data.toString('base64')}`, width: info.width, height: info.height };
}

export async function imageItem(seq: number, fields: Partial<ChatItem> & { ts: number; name?: string; w?: number; h?: number }): Promise<ChatItem> {
  const thumb = await thumbnailDataUrl(fields.w ?? 1600, fields.h ?? 1000);
  const { name, w, h, ...rest } = fields;
  return item(seq, {
    kind: 'image',
    text: undefined,
    image: { originalName: name ?? 'screenshot.png', size: 482_133, width: thumb.width, height: thumb.height, mime: 'image/png', thumbnailDataUrl: thumb.dataUrl, saved: true },
    ...rest,
  });
}

export async function sampleConversation(): Promise<ChatItem[]> {
  return [
    item(1, { ts: minutesAgo(26 * 60), text: 'Build finished on the VM. 412 tests passed.' }),
    item(2, { ts: minutesAgo(26 * 60 - 1), mine: true, senderName: 'DESKTOP-7K3', text: 'Great, thanks! Can you send the coverage report?' }),
    item(3, { ts: minutesAgo(42), text: 'Morning! The nightly job is green again.' }),
    item(4, { ts: minutesAgo(41), text: 'I pushed the fix for the flaky socket test too.' }),
    item(5, { ts: minutesAgo(12), mine: true, senderName: 'DESKTOP-7K3', text: 'Nice. Here is what I see on Windows after the update:' }),
    await imageItem(6, { ts: minutesAgo(11), mine: true, senderName: 'DESKTOP-7K3', name: 'settings-dialog.png', w: 1600, h: 1000 }),
    item(7, { ts: minutesAgo(3), senderName: 'laptop', text: 'Looks right to me. The new spacing is much better' }),
    item(8, { ts: minutesAgo(2), text: 'Same here. Shipping it.\nRelease notes are in ~/release/NOTES.md' }),
  ];
}
