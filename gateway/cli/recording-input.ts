/** Opening a recording named on the command line, with the contract's error behaviour (docs/INTERFACES.md §3). */
import type { CommandIo } from './command.ts';
import { formatRecordingError, openRecording, RecordingError } from '../../shared/recording/index.ts';
import type { RecordingReader } from '../../shared/recording/index.ts';

/** Exit code for bad input: a bad recording, reported as `path:line: message` on stderr. */
export const EXIT_BAD_INPUT = 2;

/**
 * Runs `body` over the recording at `path`. A bad recording (or a missing file) is reported on stderr and gives
 * exit code 2; the body's own output should only be written once the whole input was read, so that a bad
 * line leaves nothing half-written on stdout.
 */
export async function withRecording(
  path: string,
  io: CommandIo,
  body: (reader: RecordingReader) => Promise<number>,
): Promise<number> {
  let reader: RecordingReader;
  try {
    reader = await openRecording(path);
  } catch (err) {
    return reportInputError(path, err, io);
  }
  try {
    return await body(reader);
  } catch (err) {
    return reportInputError(path, err, io);
  } finally {
    await reader.close();
  }
}

/**
 * After the whole recording was read: one without a single sample row is bad input too — there is nothing to
 * analyse, and a report of it (no reps, default posture advice) would look like a result.
 */
export function requireSamples(reader: RecordingReader): void {
  if (reader.sampleCount === 0) throw new RecordingError(Math.max(1, reader.linesRead), 'no samples: the recording has a header but no sample rows');
}

/** Why a recording named on the command line cannot be read, in words, by error code. */
const UNREADABLE: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
};

function reportInputError(path: string, err: unknown, io: CommandIo): number {
  if (err instanceof RecordingError) {
    io.stderr.write(`${formatRecordingError(path, err)}\n`);
    return EXIT_BAD_INPUT;
  }
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === undefined ? undefined : UNREADABLE[code];
  if (why !== undefined) {
    io.stderr.write(`${path}: cannot read the recording: ${why} (${code})\n`);
    return EXIT_BAD_INPUT;
  }
  throw err;
}
