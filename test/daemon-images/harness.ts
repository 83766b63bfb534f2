import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import sharp from 'sharp';
import type { ImageEvent } from '@vm-messenger/protocol';
import type { Daemon } from '@vm-messenger/daemon';
import type { V2Client } from 'vm-messenger-tray/core';
import { nextEvents } from '../helpers/daemon.js';
import { sha256Of } from '../helpers/images.js';

/** Shared checks for the image end-to-end suites. */

/** Random noise as an uncompressed PNG: about width × height × 3 bytes, incompressible, quick to make. */
export const noisePng = (width: number, height: number): Promise<Buffer> =>
  sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0, adaptiveFiltering: false })
    .toBuffer();

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `YYYYMMDD-HHMMSS_<sender>_<name>.<ext>` with a plausible date and time. */
export function storedNamePattern(sender: string, ext: string): RegExp {
  return new RegExp(`^20\\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])-([01]\\d|2[0-3])[0-5]\\d[0-5]\\d_${escape(sender)}_.+\\.${escape(ext)}$`);
}

/** The next `count` conversation events a client receives. */
export { nextEvents };

export async function nextImageEvent(client: V2Client): Promise<ImageEvent> {
  const [event] = await nextEvents(client, 1);
  if (event?.kind !== 'image') throw new Error(`expected an image event, got ${JSON.stringify(event)}`);
  return event;
}

/** Final files in received_images (the `.partial/` temp folder excluded). */
export async function receivedFiles(daemon: Daemon): Promise<string[]> {
  return (await readdir(daemon.config.receivedDir)).filter((name) => name !== '.partial').sort();
}

/** Temp files of uploads in progress. */
export async function partialFiles(daemon: Daemon): Promise<string[]> {
  try {
    return await readdir(path.join(daemon.config.receivedDir, '.partial'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export const storedBytes = (daemon: Daemon, event: ImageEvent): Promise<Buffer> => readFile(path.join(daemon.config.receivedDir, event.storedName));

/** Fetches an image event's bytes into memory and checks them against the event and `expected`. */
export async function fetchAndCompare(t: ExecutionContext, client: V2Client, event: ImageEvent, expected: Buffer): Promise<void> {
  const result = await client.fetchImage(event.seq, { kind: 'memory' });
  t.is(result.sha256, event.sha256);
  t.is(sha256Of(result.bytes!), sha256Of(expected));
  t.true(result.bytes!.equals(expected), 'byte-identical download');
}

/** The thumbnail decodes as JPEG and fits 256 px, with the dimensions it claims. */
export async function checkThumbnail(t: ExecutionContext, event: ImageEvent): Promise<void> {
  const thumbnail = event.thumbnail;
  if (!thumbnail) return void t.fail('the image event has no thumbnail');
  const meta = await sharp(Buffer.from(thumbnail.data, 'base64')).metadata();
  t.is(meta.format, 'jpeg');
  t.is(meta.width, thumbnail.width);
  t.is(meta.height, thumbnail.height);
  t.true(Math.max(meta.width ?? 0, meta.height ?? 0) <= 256, 'thumbnail at most 256 px');
}
