/**
 * The one error type for bad recording input (docs/INTERFACES.md §3): every problem a reader finds in a file is a
 * RecordingError carrying the 1-based line it was found on, so the CLI can print `path:line: message` and exit 2.
 */
export class RecordingError extends Error {
  /** 1-based line number of the offending line (the line after the last one for problems found at end of file). */
  readonly line: number;

  constructor(line: number, message: string) {
    super(message);
    this.name = 'RecordingError';
    this.line = line;
  }
}

/** `path:line: message`, the form compilers use, so editors and terminals can jump to the line. */
export function formatRecordingError(path: string, error: RecordingError): string {
  return `${path}:${error.line}: ${error.message}`;
}
