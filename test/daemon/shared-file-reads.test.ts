import test from 'ava';
import { randomBytes } from 'node:crypto';
import { open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fileIdentity, keptChunks, SharedFileReads } from '@vm-messenger/daemon/internal/v2/shared-file-reads';
import { tempDir } from '../helpers/daemon.js';

const CHUNK = 64 * 1024;
const MAX_KEPT_CHUNKS = keptChunks(CHUNK);

async function fileOf(t: Parameters<typeof tempDir>[0], bytes: Buffer, name = 'f.bin'): Promise<{ path: string; identity: string }> {
  const file = path.join(await tempDir(t), name);
  await writeFile(file, bytes);
  return { path: file, identity: fileIdentity(await stat(file)) };
}

async function opened(t: { teardown(fn: () => Promise<void>): void }, file: string): Promise<FileHandle> {
  const handle = await open(file, 'r');
  t.teardown(() => handle.close().catch(() => undefined));
  return handle;
}

test('downloads of one file at the same time get the same Buffer for each chunk, read once', async (t) => {
  const bytes = randomBytes(CHUNK * 5 + 100);
  const { path: file, identity } = await fileOf(t, bytes);
  const reads = new SharedFileReads();
  const a = reads.join(identity, CHUNK, await opened(t, file));
  const b = reads.join(identity, CHUNK, await opened(t, file));
  for (let offset = 0; offset < bytes.byteLength; offset += CHUNK) {
    const [fromA, fromB] = await Promise.all([a.read(offset, CHUNK), b.read(offset, CHUNK)]);
    t.is(fromA, fromB, `chunk at ${offset} is one Buffer`);
    t.deepEqual(fromA, bytes.subarray(offset, offset + CHUNK));
  }
  // Both have passed every chunk: nothing is kept for them.
  t.deepEqual(reads.usage, { files: 1, keptChunks: 0 });
  a.leave();
  b.leave();
  t.deepEqual(reads.usage, { files: 0, keptChunks: 0 });
});

test('a chunk stays only until the slowest reader has it, and a straggler past the cap reads for itself', async (t) => {
  const bytes = randomBytes(CHUNK * (MAX_KEPT_CHUNKS + 8));
  const { path: file, identity } = await fileOf(t, bytes);
  const reads = new SharedFileReads();
  const fast = reads.join(identity, CHUNK, await opened(t, file));
  const slow = reads.join(identity, CHUNK, await opened(t, file));
  const first = await fast.read(0, CHUNK);
  t.is(reads.usage.keptChunks, 1, 'kept for the reader that has not asked yet');
  t.is(await slow.read(0, CHUNK), first);
  t.is(reads.usage.keptChunks, 0);
  const ahead: Buffer[] = [];
  for (let i = 1; i < MAX_KEPT_CHUNKS + 8; i++) ahead.push(await fast.read(i * CHUNK, CHUNK));
  t.is(reads.usage.keptChunks, MAX_KEPT_CHUNKS, 'what one straggler can pin is capped');
  // The oldest chunks were dropped: the straggler reads them itself, and still gets the right bytes.
  const own = await slow.read(CHUNK, CHUNK);
  t.not(own, ahead[0]);
  t.deepEqual(own, bytes.subarray(CHUNK, 2 * CHUNK));
  // The newest are still shared.
  const last = MAX_KEPT_CHUNKS + 7;
  t.is(await slow.read(last * CHUNK, CHUNK), ahead[last - 1]!);
});

test('at least two chunks are kept whatever their size, and about 4 MiB of small ones', (t) => {
  t.is(keptChunks(4 * 1024 * 1024), 2);
  t.is(keptChunks(512 * 1024), 8);
  t.is(keptChunks(64 * 1024), 64);
});

test('the last chunk is as long as what is left of the file', async (t) => {
  const bytes = randomBytes(CHUNK + 10);
  const { path: file, identity } = await fileOf(t, bytes);
  const reader = new SharedFileReads().join(identity, CHUNK, await opened(t, file));
  await reader.read(0, CHUNK);
  t.deepEqual(await reader.read(CHUNK, CHUNK), bytes.subarray(CHUNK));
});

test('different files, or one file in other chunk sizes, never share', async (t) => {
  const one = await fileOf(t, randomBytes(CHUNK * 2), 'one.bin');
  const other = await fileOf(t, randomBytes(CHUNK * 2), 'other.bin');
  t.not(one.identity, other.identity);
  const reads = new SharedFileReads();
  const a = reads.join(one.identity, CHUNK, await opened(t, one.path));
  const b = reads.join(other.identity, CHUNK, await opened(t, other.path));
  const c = reads.join(one.identity, CHUNK / 2, await opened(t, one.path));
  const [fromA, fromB, fromC] = await Promise.all([a.read(0, CHUNK), b.read(0, CHUNK), c.read(0, CHUNK / 2)]);
  t.notDeepEqual(fromA, fromB);
  t.not(fromA, fromC);
  t.deepEqual(fromC, fromA.subarray(0, CHUNK / 2));
  t.is(reads.usage.files, 3);
});

test('a failed read is not kept: the next reader of that chunk goes to the disk again', async (t) => {
  const bytes = randomBytes(CHUNK * 2);
  const { path: file, identity } = await fileOf(t, bytes);
  const reads = new SharedFileReads();
  const broken = await open(file, 'r');
  await broken.close();
  const failing = reads.join(identity, CHUNK, broken);
  const healthy = reads.join(identity, CHUNK, await opened(t, file));
  await t.throwsAsync(failing.read(0, CHUNK), { code: 'EBADF' });
  t.deepEqual(await healthy.read(0, CHUNK), bytes.subarray(0, CHUNK));
});
