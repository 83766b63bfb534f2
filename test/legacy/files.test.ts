import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connectClient, nextEvents, startTestDaemon } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { LegacyPeer, legacyConfig } from './legacy-peer.js';

test('a file event reaches a legacy client as one text line naming the file and its size, never its bytes', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  const legacy = await LegacyPeer.connect(t, daemon.port);
  // The first ping means the daemon has taken it for a legacy client and will broadcast to it.
  await legacy.takePrefix('ping');
  const alice = await connectClient(t, daemon, 'alice');
  const seen = nextEvents(alice, 1);
  await alice.sendImage({ name: 'build.log', bytes: Buffer.alloc(2_300_000, 0x61), kind: 'file' });
  await seen;
  const line = await legacy.takePrefix('MESSAGE:');
  t.regex(line, /sent a file: build\.log \(2\.3 MB\)/);
  t.false(legacy.messages().some((l) => l.startsWith('SERVER_IMAGE:')), 'no bytes pushed');
  t.true(legacy.messages().every((l) => l.length < 1000), 'nothing the size of the file');
});

test('the library lists only images to legacy clients, and a library file is not found for them', async (t) => {
  const daemon = await startTestDaemon(t, { config: legacyConfig() });
  await writeFile(path.join(daemon.config.libraryDir, 'cat.png'), await makePng(8, 8));
  await writeFile(path.join(daemon.config.libraryDir, 'notes.txt'), 'not for the original client\n');
  const legacy = await LegacyPeer.connect(t, daemon.port);
  legacy.send('REQUEST_LIST');
  t.is(await legacy.takePrefix('IMAGE_LIST:'), 'IMAGE_LIST:["cat.png"]');
  legacy.send('REQUEST_IMAGE:notes.txt');
  t.regex(await legacy.take((l) => l.includes('notes.txt'), 'the refusal'), /File not found: notes\.txt/);
  t.false(legacy.messages().some((l) => l.startsWith('SERVER_IMAGE:notes')));
});
