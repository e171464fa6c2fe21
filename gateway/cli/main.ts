import type { Command, CommandIo } from './command.ts';
import { PathError, UsageError } from './command.ts';
import { simCommand } from '../../firmware-sim/cli/sim-command.ts';
import { orientCommand } from './orient-command.ts';
import { analyzeCommand } from './analyze-command.ts';
import { startCommand } from './start-command.ts';

const COMMANDS: readonly Command[] = [startCommand, simCommand, analyzeCommand, orientCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'squatmon — lower-back monitor for squats (pelvic tilt, lumbar flexion, depth, butt wink)',
    '',
    'Usage: squatmon <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `squatmon <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`squatmon: unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`squatmon ${command.name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (err instanceof PathError) {
      io.stderr.write(`squatmon ${command.name}: ${err.message}\n`);
      return 2;
    }
    // A file-system error no command anticipated (a disk that filled up, a file removed meanwhile): still one
    // line, not a stack trace.
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      io.stderr.write(`squatmon ${command.name}: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}
