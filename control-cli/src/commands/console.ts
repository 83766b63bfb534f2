import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { formatClients, formatEvent, formatLibrary } from '../format.js';
import { ControlClient } from '../control-client.js';
import { VmctlError, formatError } from '../errors.js';
import { socketPathOf } from '../session.js';
import { describeSent, sendImage } from './send.js';

export const CONSOLE_HELP = `The original daemon's console language, one command per line:
  <text>        say the text to every client
  list          show the server image library
  send <file>   push an image (a file path, or a library name) to every client
  clients       show connected clients
  quit          STOP THE DAEMON and leave (as the original did)
End of input (Ctrl-D) leaves the console without stopping the daemon.
Messages from clients are shown as they arrive.`;

type Outcome = 'quit' | 'continue';

/** One console line, exactly as the original interpreted it: the four words are commands, any
 *  other line is a message. */
async function runLine(client: ControlClient, line: string, out: (text: string) => void): Promise<Outcome> {
  const trimmed = line.trim();
  if (trimmed === '') return 'continue';
  if (trimmed === 'quit') {
    await client.request('stop', {});
    out('the daemon is stopping');
    return 'quit';
  }
  if (trimmed === 'list') {
    out(formatLibrary((await client.request('list', {})).images));
  } else if (trimmed === 'clients') {
    out(formatClients((await client.request('clients', {})).clients));
  } else if (trimmed === 'send' || trimmed.startsWith('send ')) {
    const file = trimmed.slice(4).trim();
    if (!file) out('usage: send <file>');
    else out(describeSent(await sendImage(client, file)));
  } else {
    await client.request('say', { text: line });
  }
  return 'continue';
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('interactive VM> prompt with the original console language (quit stops the daemon)')
    .addHelpText('after', `\n${CONSOLE_HELP}`)
    .action(async (_opts: unknown, cmd: Command) => {
      const client = await ControlClient.connect(socketPathOf(cmd));
      const out = (text: string) => process.stdout.write(`${text}\n`);
      let rl: ReturnType<typeof createInterface> | undefined;
      // Show what others say, above the prompt; our own lines are already on screen.
      await client.watch(undefined, (event) => {
        if (event.sender.kind === 'vm') return;
        process.stdout.write(`\r${formatEvent(event)}\n`);
        rl?.prompt(true);
      });
      // Created only now: readline starts reading at once, and lines read before the loop below
      // asks for them would be lost.
      rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'VM> ' });
      let leaving = false;
      const daemonGone = client.closed.then((err) => {
        if (leaving) return undefined;
        out(`vmctl: ${err.message}`);
        rl?.close();
        return err;
      });
      rl.prompt();
      let quit = false;
      for await (const line of rl) {
        try {
          if ((await runLine(client, line, out)) === 'quit') {
            quit = true;
            break;
          }
        } catch (err) {
          if (!(err instanceof VmctlError)) throw err;
          out(formatError(err));
          if (err.exitCode !== 1) break;
        }
        rl.prompt();
      }
      rl.close();
      const gone = await Promise.race([daemonGone, Promise.resolve(undefined)]);
      leaving = true;
      client.close();
      if (gone && !quit) throw gone;
    });
}
