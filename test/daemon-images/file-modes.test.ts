import test from 'ava';
import { chmod, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startTestDaemon } from '../helpers/daemon.js';
import { makePng } from '../helpers/images.js';
import { imageOf } from '../helpers/event-kinds.js';

test('an image copied from the library is stored 0600, like every other received file', async (t) => {
  const daemon = await startTestDaemon(t);
  const source = path.join(daemon.config.libraryDir, 'shared.png');
  await writeFile(source, await makePng(30, 20));
  await chmod(source, 0o644);
  const event = imageOf(await daemon.sendImage({ kind: 'library', name: 'shared.png' }));
  t.is((await stat(path.join(daemon.config.receivedDir, event.storedName))).mode & 0o777, 0o600);
  t.is((await stat(source)).mode & 0o777, 0o644, 'the library file itself is left alone');
});
