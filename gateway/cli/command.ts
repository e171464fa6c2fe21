/** A `squatmon` subcommand: its name, a one-line summary, its --help text and what it does. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the process exit code: 0 success, 1 failure, 2 bad input or usage. */
  run(args: string[], io: CommandIo): Promise<number>;
}

/** Where a command writes. Tests pass their own; the CLI passes the process streams. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** A usage error: the CLI prints the message and the command's usage, and exits with code 2. */
export class UsageError extends Error {}
