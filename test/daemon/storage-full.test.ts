import test from 'ava';
import { open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ClientError } from 'vm-messenger-tray/core';
import { connectClient, nextEvents, recordingLogger, startTestDaemon, tempDir } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { smallDisk } from '../helpers/tmpfs.js';
import { vmctl } from '../vmctl/harness.js';

/** Writes zeros until the disk refuses (ENOSPC); returns the file, whose removal frees the space. */
async function fillDisk(dir: string): Promise<string> {
  const file = path.join(dir, 'filler');
  const handle = await open(file, 'w');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) await handle.write(block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await handle.close();
  }
  return file;
}

test('a full disk refuses messages with storage_full, serves everyone else, shows in status, and recovers without a restart', async (t) => {
  const disk = await smallDisk(t, 8 * 1024 * 1024);
  if ('skip' in disk) {
    t.log(`skipped: ${disk.skip}`);
    t.pass();
    return;
  }
  const { logger, lines } = recordingLogger();
  const daemon = await startTestDaemon(t, {
    stateDir: path.join(disk.dir, 'state'),
    config: { controlSocket: { path: path.join(await tempDir(t), 'control.sock') }, limits: { maxTextLength: 100_000, maxFrameBytes: 1024 * 1024 } },
    logger,
  });
  const alice = await connectClient(t, daemon, 'alice');
  const bob = await connectClient(t, daemon, 'bob');
  await bob.say('before the disk filled up');
  const filler = await fillDisk(disk.dir);

  // The WAL may still have room for a message or two; a few big ones certainly do not fit.
  const big = 'x'.repeat(60_000);
  let refusal: ClientError | undefined;
  for (let i = 0; i < 50 && !refusal; i += 1) {
    refusal = await bob.say(`${i} ${big}`).then(
      () => undefined,
      (err: unknown) => err as ClientError,
    );
  }
  t.truthy(refusal, 'a message was refused');
  t.is(refusal?.code, 'storage_full');
  await t.throwsAsync(bob.say('and another'), { instanceOf: ClientError, message: /disk is full/ });

  // Everyone else is still served: history pages, status. (A client that has never been seen
  // cannot be enrolled on a full disk; that is the enrolment's own storage_full.)
  const page = await alice.history(Number.MAX_SAFE_INTEGER, 10);
  t.true(page.events.some((e) => e.kind === 'text' && e.text === 'before the disk filled up'));
  t.is(daemon.status().storage?.state, 'full');
  const status = await vmctl(['status'], { socket: daemon.controlSocketPath });
  t.regex(status.stdout, /storage\s+DISK FULL since .*free space on the disk holding/);
  const json = await vmctl(['status', '--json'], { socket: daemon.controlSocketPath });
  t.is((JSON.parse(json.stdout) as { storage: { state: string } }).storage.state, 'full');
  const said = await vmctl(['say', 'from the VM'], { socket: daemon.controlSocketPath });
  t.not(said.code, 0);
  t.regex(said.stderr, /storage_full/);
  t.is(lines.filter((l) => l.includes('storage full')).length, 1, 'the condition is logged once, not per message');
  const imageErr = await t.throwsAsync(bob.sendImage({ name: 'cat.png', bytes: await makePng(200, 150) }), { instanceOf: ClientError });
  t.is(imageErr?.code, 'storage_full');
  t.deepEqual((await readdir(daemon.config.receivedDir)).filter((f) => !f.startsWith('.')), [], 'no image file without its event');

  await rm(filler);
  const seen = nextEvents(alice, 1);
  const ack = await bob.say('after space was freed');
  t.false(ack.duplicate);
  t.is((await seen)[0]?.seq, ack.seq);
  t.is(daemon.status().storage?.state, 'ok');
  t.is(lines.filter((l) => l.includes('storage ok again')).length, 1);
});
