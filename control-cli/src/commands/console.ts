import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { formatClients, formatEvent, formatLibrary } from '../format.js';
import { ControlClient } from '../control-client.js';
import { VmctlError, formatError } from '../errors.js';
import { socketPathOf } from '../session.js';
import { describeSent, sendImage } from './send.js';

export const CONSOLE_HELP = `The original daemon's console language, one command per line:
  <text>        say the text to every client
  say <text>    say it even if it starts with one of the words below
  list          show the server image library
  send <file>   push an image (a file path, or a library name) to every client
  clients       show connected clients
  help          this list
  quit          STOP THE DAEMON and leave (as the original did)
A line that starts with one of these words is never sent as text.
End of input (Ctrl-D) leaves the console without stopping the daemon.
Messages from clients are shown as they arrive.`;

type Outcome = 'quit' | 'continue';

/** The console's words, with what each takes after it. */
const CONSOLE_WORDS = { quit: 'none', list: 'none', clients: 'none', help: 'none', send: 'one', say: 'rest' } as const;
type ConsoleWord = keyof typeof CONSOLE_WORDS;

export type ConsoleLine =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'command'; word: ConsoleWord; rest: string }
  | { kind: 'usage'; message: string };

/** What one console line means. A line starting with a console word is a command, always: the
 *  original sent `help` to every client, so a word meant for the console must never leak. */
export function parseConsoleLine(line: string): ConsoleLine {
  const trimmed = line.trim();
  if (trimmed === '') return { kind: 'empty' };
  const [first = '', ...others] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  if (!Object.hasOwn(CONSOLE_WORDS, word)) return { kind: 'text', text: line };
  const w = word as ConsoleWord;
  const rest = trimmed.slice(first.length).trim();
  if (CONSOLE_WORDS[w] === 'none' && others.length > 0) return { kind: 'usage', message: `usage: ${w} (takes nothing after it; to say this line, start it with: say)` };
  if (CONSOLE_WORDS[w] !== 'none' && rest === '') return { kind: 'usage', message: w === 'send' ? 'usage: send <file>' : 'usage: say <text>' };
  return { kind: 'command', word: w, rest };
}

/** One console line, run. */
async function runLine(client: ControlClient, line: string, out: (text: string) => void): Promise<Outcome> {
  const parsed = parseConsoleLine(line);
  switch (parsed.kind) {
    case 'empty':
      return 'continue';
    case 'usage':
      out(parsed.message);
      return 'continue';
    case 'text':
      await client.request('say', { text: parsed.text });
      return 'continue';
  }
  switch (parsed.word) {
    case 'quit':
      await client.request('stop', {});
      out('the daemon is stopping');
      return 'quit';
    case 'list':
      out(formatLibrary((await client.request('list', {})).images));
      break;
    case 'clients':
      out(formatClients((await client.request('clients', {})).clients));
      break;
    case 'help':
      out(CONSOLE_HELP);
      break;
    case 'send':
      out(describeSent(await sendImage(client, parsed.rest)));
      break;
    case 'say':
      await client.request('say', { text: parsed.rest });
      break;
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
