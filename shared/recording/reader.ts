/**
 * Streaming reader for recording files (plain or gzip). The file is read in chunks and parsed line by line, so a
 * 20-minute two-sensor recording never sits in memory as text; only the samples a caller keeps do.
 */
import { createReadStream } from 'node:fs';
import type { ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { constants as zlibConstants, createGunzip } from 'node:zlib';
import type { ImuSample } from '../imu.ts';
import { RecordingError } from './errors.ts';
import type { DataComment, RecordingHeader } from './parser.ts';
import { RecordingParser } from './parser.ts';

/** Bytes per read: large enough that per-chunk costs vanish, small enough to stay cache- and memory-friendly. */
const CHUNK_BYTES = 1 << 20;
/** A longer "line" is not a recording (e.g. a binary file): stop before buffering all of it. */
const MAX_LINE_BYTES = 1 << 20;

/**
 * Turns chunks of bytes into buffers holding whole lines only: each result's [0, end) ends just after a `\n`,
 * except the final one, which holds the last line when the input does not end with a line break.
 */
class WholeLines {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private carry: Buffer = Buffer.alloc(0);
  private ended = false;
  /** Drop a last line without a line break: in a file still being written it is a line cut in the middle. */
  private readonly wholeLinesOnly: boolean;

  constructor(chunks: AsyncIterable<Uint8Array>, wholeLinesOnly = false) {
    this.chunks = chunks[Symbol.asyncIterator]();
    this.wholeLinesOnly = wholeLinesOnly;
  }

  /** The next whole lines, or null at end of input. `linesBefore` only serves the too-long-line message. */
  async next(linesBefore: number): Promise<{ data: Buffer; end: number } | null> {
    while (!this.ended) {
      const chunk = await this.chunks.next();
      if (chunk.done) {
        this.ended = true;
        break;
      }
      const bytes = Buffer.from(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength);
      const data = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
      const end = data.lastIndexOf(10) + 1;
      // Copy the tail: a view would keep the whole chunk alive until the next read.
      this.carry = Buffer.from(data.subarray(end));
      if (this.carry.length > MAX_LINE_BYTES) {
        let lines = linesBefore + 1;
        for (let i = 0; i < end; i++) if (data[i] === 10) lines++;
        throw new RecordingError(lines, `line longer than ${MAX_LINE_BYTES} bytes: not a recording`);
      }
      if (end > 0) return { data, end };
    }
    if (this.carry.length === 0 || this.wholeLinesOnly) return null;
    const data = this.carry;
    this.carry = Buffer.alloc(0);
    return { data, end: data.length };
  }

  /** Stops reading early (releases the file). */
  async close(): Promise<void> {
    await this.chunks.return?.();
  }
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

/** The bytes to parse, and the file stream under them (whose bytesRead tells the progress through the file). */
async function openByteStream(path: string, growing: boolean): Promise<{ bytes: Readable; file: ReadStream }> {
  // Look before creating the stream: a missing file then rejects here instead of erroring a stream later.
  const gzip = await isGzipFile(path);
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  if (!gzip) return { bytes: file, file };
  // A growing file's gzip stream has no end yet: decode what is there instead of calling it truncated.
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES, ...(growing ? { finishFlush: zlibConstants.Z_SYNC_FLUSH } : {}) });
  // Errors of either stream surface through iterating `gunzip`; the callback only has to exist.
  pipeline(file, gunzip, () => {});
  return { bytes: gunzip, file };
}

/** zlib failures (truncated or corrupt .gz) are bad input, reported at the line where the text stopped. */
function asRecordingError(error: unknown, line: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return error;
  const what = code === 'Z_BUF_ERROR' ? 'gzip data is truncated (unexpected end of file)' : 'gzip data is corrupt';
  return new RecordingError(line, `${what}: ${(error as Error).message}`);
}

/**
 * An open recording. `header` is complete once the reader is opened. Iterate it once, either sample by sample
 * (`for await (const s of reader)`) or, faster, by arrays (`for await (const batch of reader.batches())`).
 *
 * Comment lines between data rows are not yielded; they are collected in `dataComments` as they are passed,
 * each with the number of samples before it, so during or after iteration a caller sees events and where they
 * fell. A RecordingError is thrown from open or from the iteration at the first bad line; samples already
 * yielded were valid. Breaking out of the iteration, or calling close(), releases the input.
 */
export class RecordingReader implements AsyncIterable<ImuSample> {
  /** The file name (or what the caller of openRecordingFrom called the input), for messages. */
  readonly name: string;
  readonly header: RecordingHeader;
  private readonly parser: RecordingParser;
  private readonly input: WholeLines;
  /** The chunk that held the column header, from the first data line on. */
  private pending: { data: Buffer; start: number; end: number } | null;
  private started = false;
  /** How far through its file the reader is, 0..1 (read ahead by up to a chunk); null for other sources. */
  progress: (() => number) | null = null;

  /** Use openRecording or openRecordingFrom. */
  constructor(
    name: string,
    parser: RecordingParser,
    input: WholeLines,
    pending: { data: Buffer; start: number; end: number } | null,
  ) {
    this.name = name;
    this.header = parser.header as RecordingHeader;
    this.parser = parser;
    this.input = input;
    this.pending = pending;
  }

  /** Comments met among the data rows so far (all of them once iteration has ended). */
  get dataComments(): readonly DataComment[] {
    return this.parser.dataComments;
  }

  /** Samples parsed so far. */
  get sampleCount(): number {
    return this.parser.sampleCount;
  }

  /** Lines read so far (the last line's number once the whole file was read). */
  get linesRead(): number {
    return this.parser.linesRead;
  }

  /** Yields the samples in file order, in arrays of up to one read chunk; no array is empty. */
  async *batches(): AsyncGenerator<ImuSample[]> {
    if (this.started) throw new Error(`recording ${this.name} can be iterated only once`);
    this.started = true;
    try {
      let range = this.pending;
      this.pending = null;
      for (; range !== null; range = await nextLines(this.input, this.parser)) {
        const samples: ImuSample[] = [];
        this.parser.consumeData(range.data, range.start, range.end, samples);
        if (samples.length > 0) yield samples;
      }
    } finally {
      await this.close();
    }
  }

  /** Sample by sample. Hand-written rather than `yield*`: an async generator costs about twice as much per item. */
  [Symbol.asyncIterator](): AsyncIterator<ImuSample> {
    const batches = this.batches();
    let batch: ImuSample[] = [];
    let i = 0;
    return {
      async next(): Promise<IteratorResult<ImuSample>> {
        while (i >= batch.length) {
          const result = await batches.next();
          if (result.done) return { done: true, value: undefined };
          batch = result.value;
          i = 0;
        }
        return { done: false, value: batch[i++] };
      },
      async return(): Promise<IteratorResult<ImuSample>> {
        await batches.return(undefined);
        return { done: true, value: undefined };
      },
    };
  }

  /** Releases the input; needed only when the reader is not iterated to its end. */
  async close(): Promise<void> {
    await this.input.close();
  }
}

async function nextLines(
  input: WholeLines,
  parser: RecordingParser,
): Promise<{ data: Buffer; start: number; end: number } | null> {
  try {
    const next = await input.next(parser.linesRead);
    return next && { data: next.data, start: 0, end: next.end };
  } catch (error) {
    throw asRecordingError(error, parser.linesRead + 1);
  }
}

/**
 * Reads a recording from any source of bytes (a file stream, stdin, an upload) up to its column header.
 * Rejects with RecordingError for a bad header; `name` is used in messages.
 */
export async function openRecordingFrom(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  options: OpenRecordingOptions = {},
): Promise<RecordingReader> {
  const input = new WholeLines(chunks, options.growing === true);
  const parser = new RecordingParser();
  try {
    for (;;) {
      const range = await nextLines(input, parser);
      if (range === null) throw parser.incompleteHeaderError();
      const dataStart = parser.consumeHeader(range.data, range.start, range.end);
      // Data lines of this chunk wait for the iteration, so opening fails only for a bad header.
      if (dataStart >= 0) return new RecordingReader(name, parser, input, { ...range, start: dataStart });
    }
  } catch (error) {
    await input.close();
    throw error;
  }
}

export interface OpenRecordingOptions {
  /**
   * The file is still being written (an open set's recording): read what it holds so far. Its gzip stream has no
   * end yet, and its last line may be cut in the middle; both are the end of what is there, not errors.
   */
  readonly growing?: boolean;
}

/** Opens a recording file, plain or gzip (by `.gz` name or content), and reads up to its column header. */
export async function openRecording(path: string, options: OpenRecordingOptions = {}): Promise<RecordingReader> {
  const { size } = await stat(path);
  const { bytes, file } = await openByteStream(path, options.growing === true);
  const reader = await openRecordingFrom(bytes, path, options);
  reader.progress = () => (size > 0 ? Math.min(1, file.bytesRead / size) : 1);
  return reader;
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
