import type { Command } from 'commander';
import { formatLibrary } from '../format.js';
import { print, printJson, withClient } from '../session.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('the server library: images and other files `vmctl send <name>` can push')
    .option('--json', 'print the daemon\'s reply as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { images, libraryDir } = await withClient(cmd, async (c) => {
        const { images } = await c.request('list', {});
        return { images, libraryDir: images.length === 0 ? (await c.request('status', {})).libraryDir : undefined };
      });
      if (opts.json) printJson({ images });
      else print(formatLibrary(images, libraryDir));
    });
}
