/**
 * Streaming reader for recording files (plain or gzip). The file is read in chunks and parsed line by line, so a
 * 20-minute two-sensor recording never sits in memory as text; only the samples a caller keeps do.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ImuSample } from '../imu.ts';
import { RecordingError } from './errors.ts';
import type { DataComment, RecordingHeader } from './parser.ts';
import { RecordingParser } from './parser.ts';

/** Bytes per read: large enough that per-chunk costs vanish, small enough to stay cache- and memory-friendly. */
const CHUNK_BYTES = 1 << 20;
/** A longer "line" is not a recording (e.g. a binary file): stop before buffering all of it. */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * Splits a stream of text chunks into arrays of complete lines (without `\n`; a CR of CRLF stays on the line).
 * The last line is yielded even without a final line break; an empty remainder after a final `\n` is not a line.
 */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<string[]> {
  let rest = '';
  let linesDone = 0;
  for await (const chunk of chunks) {
    const lines = chunk.split('\n');
    lines[0] = rest + lines[0];
    rest = lines.pop() as string;
    if (rest.length > MAX_LINE_CHARS) {
      throw new RecordingError(linesDone + lines.length + 1, `line longer than ${MAX_LINE_CHARS} characters: not a recording`);
    }
    if (lines.length > 0) {
      linesDone += lines.length;
      yield lines;
    }
  }
  if (rest !== '') yield [rest];
}

/** Gzip is recognised by a `.gz` name or by its magic bytes 1f 8b, so a renamed file still reads. */
async function isGzipFile(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith('.gz')) return true;
  const file = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await file.close();
  }
}

async function openTextStream(path: string): Promise<Readable> {
  if (!(await isGzipFile(path))) return createReadStream(path, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  // Errors of either stream surface through iterating `gunzip`; the callback only has to exist.
  pipeline(createReadStream(path, { highWaterMark: CHUNK_BYTES }), gunzip, () => {});
  gunzip.setEncoding('utf8');
  return gunzip;
}

/** zlib failures (truncated or corrupt .gz) are bad input, reported at the line where the text stopped. */
function asRecordingError(error: unknown, line: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return error;
  const what = code === 'Z_BUF_ERROR' ? 'gzip data is truncated (unexpected end of file)' : 'gzip data is corrupt';
  return new RecordingError(line, `${what}: ${(error as Error).message}`);
}

/**
 * An open recording. `header` is complete once `openRecording` resolves. Iterate it once, either sample by
 * sample (`for await (const s of reader)`) or, faster, by arrays (`for await (const batch of reader.batches())`).
 *
 * Comment lines between data rows are not yielded; they are collected in `dataComments` as they are passed,
 * each with the number of samples before it, so after (or during) iteration a caller can see events and where
 * they fell. A RecordingError is thrown from open or from the iteration at the first bad line; samples already
 * yielded were valid. Breaking out of the iteration, or calling close(), releases the file.
 */
export class RecordingReader implements AsyncIterable<ImuSample> {
  readonly path: string;
  readonly header: RecordingHeader;
  private readonly parser: RecordingParser;
  private readonly stream: Readable;
  private readonly lineBatches: AsyncGenerator<string[]>;
  /** Lines of the chunk that held the column header, from the first data line on. */
  private pendingLines: string[];
  private started = false;

  /** Use openRecording. */
  constructor(
    path: string,
    parser: RecordingParser,
    stream: Readable,
    lineBatches: AsyncGenerator<string[]>,
    pendingLines: string[],
  ) {
    this.path = path;
    this.header = parser.header as RecordingHeader;
    this.parser = parser;
    this.stream = stream;
    this.lineBatches = lineBatches;
    this.pendingLines = pendingLines;
  }

  /** Comments met among the data rows so far (all of them once iteration has ended). */
  get dataComments(): readonly DataComment[] {
    return this.parser.dataComments;
  }

  /** Samples parsed so far. */
  get sampleCount(): number {
    return this.parser.sampleCount;
  }

  /** Yields the samples in file order, in arrays of up to one read chunk; no array is empty. */
  async *batches(): AsyncGenerator<ImuSample[]> {
    if (this.started) throw new Error(`recording ${this.path} can be iterated only once`);
    this.started = true;
    try {
      let lines: string[] | null = this.pendingLines;
      this.pendingLines = [];
      for (; lines !== null; lines = await nextLines(this.lineBatches, this.parser)) {
        const samples: ImuSample[] = [];
        this.parser.consumeData(lines, 0, samples);
        if (samples.length > 0) yield samples;
      }
    } finally {
      this.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ImuSample> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Releases the file; needed only when the reader is not iterated to its end. */
  close(): void {
    this.stream.destroy();
  }
}

async function nextLines(lineBatches: AsyncGenerator<string[]>, parser: RecordingParser): Promise<string[] | null> {
  try {
    const next = await lineBatches.next();
    return next.done ? null : next.value;
  } catch (error) {
    throw asRecordingError(error, parser.linesRead + 1);
  }
}

/** Opens a recording and reads up to its column header. Rejects with RecordingError for a bad header. */
export async function openRecording(path: string): Promise<RecordingReader> {
  const stream = await openTextStream(path);
  const lineBatches = splitLines(stream);
  const parser = new RecordingParser();
  try {
    for (;;) {
      const lines = await nextLines(lineBatches, parser);
      if (lines === null) throw parser.incompleteHeaderError();
      const dataStart = parser.consumeHeader(lines, 0);
      // Data lines of this chunk wait for the iteration, so open fails only for a bad header.
      if (dataStart >= 0) return new RecordingReader(path, parser, stream, lineBatches, lines.slice(dataStart));
    }
  } catch (error) {
    stream.destroy();
    throw error;
  }
}

/** Reads a whole recording into memory (offline analysis needs all samples anyway). */
export async function readRecording(path: string): Promise<{
  header: RecordingHeader;
  samples: ImuSample[];
  dataComments: readonly DataComment[];
}> {
  const reader = await openRecording(path);
  const samples: ImuSample[] = [];
  for await (const batch of reader.batches()) {
    for (const sample of batch) samples.push(sample);
  }
  return { header: reader.header, samples, dataComments: reader.dataComments };
}
