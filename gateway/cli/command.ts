import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A `squatmon` subcommand's --help text and what it does. Its name and one-line summary are in the registry
 * (main.ts), which loads the command's module only when the command runs.
 */
export interface Command {
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

/**
 * A file or folder named on the command line cannot be used (a missing folder, no permission…): the CLI prints
 * the one-line message and exits with code 2, without a stack trace.
 */
export class PathError extends Error {}

/**
 * Checks, before any work is done, that `path` can be created: its folder exists and is a folder. Throws
 * PathError naming the option and the folder otherwise.
 */
export async function checkOutputPath(path: string, option: string): Promise<void> {
  const folder = dirname(path);
  let isFolder: boolean;
  try {
    isFolder = (await stat(folder)).isDirectory();
  } catch {
    throw new PathError(`--${option} ${path}: the folder ${folder} does not exist`);
  }
  if (!isFolder) throw new PathError(`--${option} ${path}: ${folder} is not a folder`);
}
