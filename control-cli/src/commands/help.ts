import type { Command } from 'commander';
import { EXIT } from '../errors.js';

/** `vmctl help [command]`, replacing commander's, which prints the general help for a command it
 *  does not know: a typo must say so, and fail like any other usage error. */
export function registerHelp(program: Command): void {
  program.helpCommand(false);
  program
    .command('help')
    .description('show the help of vmctl or of one command')
    .argument('[command]', 'a vmctl command')
    .action((name: string | undefined) => {
      if (name === undefined) return program.outputHelp();
      const command = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
      if (!command || command.name() === 'help') {
        return program.error(`vmctl: unknown command '${name}' (run vmctl --help for the list)`, { exitCode: EXIT.usage, code: 'commander.unknownCommand' });
      }
      command.outputHelp();
    });
}
