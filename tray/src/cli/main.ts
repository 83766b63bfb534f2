#!/usr/bin/env node
/** vmm: the terminal client. Pair once, then chat, send from scripts, or stream events as JSON. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { EXIT_CODES, exitCodesHelp } from '@vm-messenger/protocol';
import { CliError } from './cli-error.js';

// Each command loads only what it needs: a script calling `vmm send` in a loop should not pay for
// the whole core at every start.
const contextModule = () => import('./client-context.js');

// `vmm listen --json | head` closes our stdout: that is the reader saying
// it has had enough, not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command();

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

program
  .name('vmm')
  .description('VM Messenger terminal client: text, images and files with the VM')
  .option('--config-dir <dir>', 'where settings, token and outbox live (env VMM_CLIENT_DIR)')
  .showHelpAfterError('(run vmm --help for usage)')
  // Usage errors exit 2, as vmctl's do; commander would exit 1 on its own.
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'vmm: ')) })
  .addHelpText(
    'after',
    `\nExit codes (shared with vmctl):\n${exitCodesHelp('vmm')}`,
  );

const context = async () => (await contextModule()).openContext(program.opts<{ configDir?: string }>().configDir);

program
  .command('pair')
  .description('pair with a daemon (the string `vmctl pair` prints on the VM)')
  .argument('<pairing>', 'the string from vmctl pair, quoted: vmm://HOST:PORT/?token=…&fp=sha256%3A…&name=…')
  .option('--name <name>', 'the name others see for this client (default: this computer\'s name)')
  .action(async (pairing: string, opts: { name?: string }) => {
    const ctx = await context();
    const core = (await contextModule()).openCore(ctx);
    const result = await core.api.pair(pairing, opts.name);
    await core.stop();
    if (!result.ok) throw new CliError(EXIT_CODES.failed, result.message);
    const s = (await core.api.getSnapshot()).settings;
    console.log(`paired with ${s.serverLabel ?? 'the daemon'} as "${s.clientName}"; settings in ${ctx.dir}`);
  });

program
  .command('connect')
  .description('interactive chat: type to send; /image <path>, /file <path>, /list, /get <name>, /quit')
  .option('--json', 'print one JSON object per line instead of chat lines')
  .option('--toasts', 'also show desktop notifications')
  .action(async (opts: { json?: boolean; toasts?: boolean }) => {
    const ctx = await context();
    const { runSession } = await import('./chat-session.js');
    process.exitCode = await runSession((await contextModule()).openCore(ctx, { toasts: Boolean(opts.toasts) }), { json: Boolean(opts.json), interactive: true, out: process.stdout, input: process.stdin });
  });

program
  .command('listen')
  .description('print incoming messages until interrupted (with --json: an NDJSON event stream)')
  .option('--json', 'one JSON object per line: {type:"event"|"connection"|"image-saved"|"file-saved"|"failed", …}')
  .action(async (opts: { json?: boolean }) => {
    const ctx = await context();
    const { runSession } = await import('./chat-session.js');
    process.exitCode = await runSession((await contextModule()).openCore(ctx), { json: Boolean(opts.json), interactive: false, out: process.stdout, input: process.stdin });
  });

program
  .command('send')
  .description('send one text message; exits 0 once the daemon has accepted it')
  .argument('<text...>', 'the message (words are joined with spaces)')
  .option('--timeout <ms>', 'give up after this long', positiveInt, 15_000)
  .action(async (words: string[], opts: { timeout: number }) => {
    const { sendText } = await import('./one-shot.js');
    printAccepted(await sendText(await context(), words.join(' '), opts.timeout));
  });

program
  .command('send-image')
  .description('send one image file; exits 0 once the daemon has accepted it')
  .argument('<path>', 'a PNG, JPEG, GIF, BMP or WebP file')
  .option('--timeout <ms>', 'give up after this long', positiveInt, 60_000)
  .action(async (file: string, opts: { timeout: number }) => {
    const { sendImageFile } = await import('./one-shot.js');
    printAccepted(await sendImageFile(await context(), file, opts.timeout));
  });

program
  .command('send-file')
  .description('send any regular file (images keep their preview); exits 0 once the daemon has accepted it')
  .argument('<path>', 'the file to send')
  .option('--timeout <ms>', 'give up after this long', positiveInt, 600_000)
  .action(async (file: string, opts: { timeout: number }) => {
    const { sendAnyFile } = await import('./one-shot.js');
    printAccepted(await sendAnyFile(await context(), file, opts.timeout));
  });

/** The one line the one-shot senders print once the daemon has stored what they sent. */
function printAccepted(accepted: { seq: number; duplicate: boolean }): void {
  console.log(`accepted (seq ${accepted.seq}${accepted.duplicate ? ', duplicate' : ''})`);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // commander has printed what was wrong (or the help / version asked for).
    const asked = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code) && err.exitCode === 0;
    process.exitCode = asked ? EXIT_CODES.ok : EXIT_CODES.usage;
    return;
  }
  process.stderr.write(`vmm: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : EXIT_CODES.failed;
});
