import { readFileSync } from 'node:fs';
import type { Command, CommandIo } from './command.ts';
import { PathError, UsageError } from './command.ts';

/**
 * The commands. Each one's module is imported only when it runs (or prints its --help): `squatmon --help` and
 * `squatmon analyze` do not load the gateway's web server, broker, database and Bluetooth packages.
 */
interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'start',
    summary: 'run the gateway: sensors (or simulator), MQTT broker, history, dashboard',
    load: async () => (await import('./start-command.ts')).startCommand,
  },
  {
    name: 'sim',
    summary: 'simulate a set of squats and write its recording and ground truth',
    load: async () => (await import('./sim-command.ts')).simCommand,
  },
  {
    name: 'analyze',
    summary: 'reps, depth, lumbar flexion, pelvic tilt, butt wink and coaching for a recording',
    load: async () => (await import('./analyze-command.ts')).analyzeCommand,
  },
  {
    name: 'orient',
    summary: 'print the orientation filter output (quaternions) for every sample of a recording',
    load: async () => (await import('./orient-command.ts')).orientCommand,
  },
];

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
    'Run `squatmon <command> --help` for the options of a command; `squatmon --version` for the version.',
    '',
  ].join('\n');
}

/** `squatmon 0.1.0 (built command)`: the version, and whether bin/squatmon.js ran the build or the sources. */
function version(): string {
  // Two folders below the root, as the built command (dist/cli/) is too.
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `squatmon ${version} (${process.env.SQUATMON_RUNS_FROM ?? 'run in-process'})\n`;
}

export async function main(argv: string[], io: CommandIo = process): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.stdout.write(version());
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`squatmon: unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`squatmon ${entry.name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (err instanceof PathError) {
      io.stderr.write(`squatmon ${entry.name}: ${err.message}\n`);
      return 2;
    }
    // A file-system error no command anticipated (a disk that filled up, a file removed meanwhile): still one
    // line, not a stack trace.
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      io.stderr.write(`squatmon ${entry.name}: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}
