import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { ProtocolError } from '@vm-messenger/protocol';
import { cleanPartials, IncomingTransfer, partialDirOf } from '../helpers/daemon-images.js';
import { makeJpeg, sha256Of, tempDir } from '../helpers/images.js';

const MAX = 50 * 1024 * 1024;

async function setup(t: import('ava').ExecutionContext, data: Buffer, over: { size?: number; sha256?: string; maxBytes?: number } = {}) {
  const dir = await tempDir(t);
  const tempDirPath = partialDirOf(dir);
  const transfer = await IncomingTransfer.open({
    tempDir: tempDirPath,
    expectedSize: over.size ?? data.length,
    expectedSha256: over.sha256 ?? sha256Of(data),
    maxBytes: over.maxBytes ?? MAX,
  });
  return { dir, tempDirPath, transfer };
}

const chunks = (data: Buffer, size: number): Buffer[] =>
  Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));

test('correct bytes in chunks are verified and kept in a temp file', async (t) => {
  const data = await makeJpeg(300, 200);
  const { tempDirPath, transfer } = await setup(t, data);
  for (const chunk of chunks(data, 1000)) await transfer.write(chunk);
  t.is(transfer.received, data.length);
  const done = await transfer.finish();
  t.deepEqual(done, { tempPath: transfer.tempPath, size: data.length, sha256: sha256Of(data) });
  t.true(done.tempPath.startsWith(tempDirPath));
  t.deepEqual(await readFile(done.tempPath), data);
});

test('writes issued without awaiting still land in order', async (t) => {
  const data = await makeJpeg(120, 80);
  const { transfer } = await setup(t, data);
  await Promise.all(chunks(data, 97).map((chunk) => transfer.write(chunk)));
  const done = await transfer.finish();
  t.deepEqual(await readFile(done.tempPath), data);
});

test('a wrong sha256 fails the transfer and removes the temp file', async (t) => {
  const data = await makeJpeg();
  const { tempDirPath, transfer } = await setup(t, data, { sha256: sha256Of(Buffer.from('something else')) });
  await transfer.write(data);
  const error = await t.throwsAsync(transfer.finish(), { instanceOf: ProtocolError });
  t.is(error?.code, 'transfer_failed');
  t.regex(error?.message ?? '', /sha256 mismatch/);
  t.deepEqual(await readdir(tempDirPath), []);
});

test('a short transfer fails and removes the temp file', async (t) => {
  const data = await makeJpeg();
  const { tempDirPath, transfer } = await setup(t, data);
  await transfer.write(data.subarray(0, data.length - 10));
  const error = await t.throwsAsync(transfer.finish(), { instanceOf: ProtocolError });
  t.is(error?.code, 'transfer_failed');
  t.regex(error?.message ?? '', /short transfer: received \d+ of \d+ bytes/);
  t.deepEqual(await readdir(tempDirPath), []);
});

test('more bytes than announced fail at once and remove the temp file', async (t) => {
  const data = await makeJpeg();
  const { tempDirPath, transfer } = await setup(t, data);
  await transfer.write(data);
  const error = await t.throwsAsync(transfer.write(Buffer.from('extra')), { instanceOf: ProtocolError });
  t.is(error?.code, 'transfer_failed');
  t.regex(error?.message ?? '', /more than the announced/);
  t.deepEqual(await readdir(tempDirPath), []);
  await t.throwsAsync(transfer.finish(), { instanceOf: ProtocolError });
});

test('an announced size over maxBytes is rejected before any byte is written', async (t) => {
  const dir = await tempDir(t);
  const error = await t.throwsAsync(
    IncomingTransfer.open({ tempDir: partialDirOf(dir), expectedSize: 2000, expectedSha256: sha256Of(Buffer.alloc(0)), maxBytes: 1000 }),
    { instanceOf: ProtocolError },
  );
  t.is(error?.code, 'image_rejected');
  t.regex(error?.message ?? '', /more than the limit/);
});

test('a malformed announced sha256 is refused', async (t) => {
  const dir = await tempDir(t);
  const error = await t.throwsAsync(
    IncomingTransfer.open({ tempDir: partialDirOf(dir), expectedSize: 10, expectedSha256: 'ABC', maxBytes: 1000 }),
    { instanceOf: ProtocolError },
  );
  t.is(error?.code, 'transfer_failed');
});

test('abort leaves no file and can be called twice', async (t) => {
  const data = await makeJpeg();
  const { tempDirPath, transfer } = await setup(t, data);
  await transfer.write(data.subarray(0, 100));
  await transfer.abort();
  await transfer.abort();
  t.deepEqual(await readdir(tempDirPath), []);
  await t.throwsAsync(transfer.write(data), { instanceOf: ProtocolError });
});

test('abort after a successful finish leaves the file to the caller', async (t) => {
  const data = await makeJpeg();
  const { transfer } = await setup(t, data);
  await transfer.write(data);
  const done = await transfer.finish();
  await transfer.abort();
  t.deepEqual(await readFile(done.tempPath), data);
});

test('cleanPartials removes what a crash left behind', async (t) => {
  const dir = await tempDir(t);
  const partial = partialDirOf(dir);
  await mkdir(partial);
  await writeFile(join(partial, 'a.part'), 'half');
  await writeFile(join(partial, 'b.part'), 'written');
  await writeFile(join(dir, 'kept.png'), 'not ours to remove');
  t.is(await cleanPartials(partial), 2);
  t.deepEqual(await readdir(partial), []);
  t.deepEqual(await readdir(dir), ['.partial', 'kept.png']);
});

test('cleanPartials on a missing folder does nothing', async (t) => {
  const dir = await tempDir(t);
  t.is(await cleanPartials(join(dir, 'never-created')), 0);
});

test('verify checks the bytes at once and hands over the fsync as a promise that settles when they are durable', async (t) => {
  const data = await makeJpeg(200, 100);
  const { transfer } = await setup(t, data);
  transfer.push(data);
  const verified = await transfer.verify();
  t.like(verified, { tempPath: transfer.tempPath, size: data.length, sha256: sha256Of(data) });
  await verified.durable;
  t.deepEqual(await readFile(verified.tempPath), data);
});

test('verify refuses wrong bytes before any fsync starts', async (t) => {
  const data = await makeJpeg();
  const { tempDirPath, transfer } = await setup(t, data, { sha256: sha256Of(Buffer.from('other')) });
  transfer.push(data);
  await t.throwsAsync(transfer.verify(), { message: /sha256 mismatch/ });
  t.deepEqual(await readdir(tempDirPath), []);
});
