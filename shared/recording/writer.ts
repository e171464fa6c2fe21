/**
 * Writes recording files (docs/INTERFACES.md §3), plain or gzip by extension. Output goes to a temporary file in the
 * same folder that is renamed over the target on close(), so nobody ever sees a half-written recording; abort()
 * deletes it. The writer refuses samples that would make the file unreadable (unknown sensor, non-finite value,
 * time not increasing per sensor after rounding, more than MAX_OVERALL_DISORDER_S out of order).
 */
import { randomBytes } from 'node:crypto';
import type { WriteStream } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Gzip } from 'node:zlib';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import type { ImuSample, SensorInfo } from '../imu.ts';
import { impossibleSampleReason, isPlacement } from '../imu.ts';
import type { RecordingComment } from './format.ts';
import {
  COLUMN_HEADER,
  commentFromText,
  formatCommentLine,
  formatSampleLine,
  formatSensorLine,
  FORMAT_VERSION_LINE,
  isValidSensorId,
  MAX_OVERALL_DISORDER_S,
} from './format.ts';
import { openRecording } from './reader.ts';

export interface RecordingWriterOptions {
  readonly sensors: readonly SensorInfo[];
  /**
   * Header comments, in order: a RecordingComment (e.g. `reader.header.comments` when rewriting) or the text
   * after `# `, e.g. `athlete: Ann`. `sensor:` comments are refused: sensors go in `sensors`.
   */
  readonly comments?: readonly (RecordingComment | string)[];
}

/** Text is handed to the stream in pieces of about this many characters: one write per piece, not per row. */
const FLUSH_CHARS = 1 << 16;

type WriterState = 'open' | 'closed' | 'aborted';

export class RecordingWriter {
  readonly path: string;
  private readonly tempPath: string;
  private readonly file: WriteStream;
  /** The stream written to: the gzip compressor in front of `file`, or `file` itself. */
  private readonly head: Writable;
  private readonly gzip: Gzip | null;
  /** Settles when `file` has closed, or with the first error of any stream. */
  private readonly done: Promise<void>;
  private failure: Error | null = null;
  private state: WriterState = 'open';
  private pending = '';
  private readonly sensorIndex: Map<string, number>;
  private readonly lastTimes: number[];
  private latestTime = -Infinity;
  private samples = 0;

  private constructor(path: string, sensors: readonly SensorInfo[]) {
    this.path = path;
    this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    this.sensorIndex = new Map(sensors.map((s, i) => [s.id, i]));
    this.lastTimes = sensors.map(() => -Infinity);
    // `wx`: never reuse a file someone else created; `flush`: data is on disk before the rename publishes it.
    this.file = createWriteStream(this.tempPath, { flags: 'wx', flush: true });
    const gzip = path.toLowerCase().endsWith('.gz') ? createGzip() : null;
    this.gzip = gzip;
    this.head = gzip ?? this.file;
    this.done = new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        this.failure ??= error;
        reject(this.failure);
      };
      this.file.on('error', fail);
      this.file.on('close', () => (this.failure ? reject(this.failure) : resolve()));
      if (gzip) {
        gzip.on('error', (error) => {
          fail(error);
          this.file.destroy();
        });
        gzip.pipe(this.file);
      }
    });
    // Failures are reported by write(), drain(), close(); this keeps an unobserved rejection from crashing Node.
    this.done.catch(() => {});
  }

  /** Creates the temporary file and writes the header. Rejects if the folder is not writable. */
  static async create(path: string, options: RecordingWriterOptions): Promise<RecordingWriter> {
    const headerLines = [FORMAT_VERSION_LINE, ...checkedSensors(options.sensors).map(formatSensorLine)];
    for (const comment of options.comments ?? []) headerLines.push(formatCommentLine(checkedComment(comment)));
    headerLines.push(COLUMN_HEADER);
    const writer = new RecordingWriter(path, options.sensors);
    await new Promise<void>((resolve, reject) => {
      writer.file.once('ready', resolve);
      writer.file.once('error', reject);
    });
    writer.pending = headerLines.join('\n') + '\n';
    return writer;
  }

  get samplesWritten(): number {
    return this.samples;
  }

  /** The temporary file the recording grows in until close() renames it to `path`. */
  get inProgressPath(): string {
    return this.tempPath;
  }

  /**
   * Puts everything written so far into the temporary file, readable there as a growing recording
   * (`openRecording(inProgressPath, { growing: true })`): buffered text is written and gzip is sync-flushed.
   * Costs a little compression each time: for readers that ask now and then (a history page), not per sample.
   */
  async flush(): Promise<void> {
    this.checkOpen();
    if (this.pending.length > 0) {
      this.head.write(this.pending);
      this.pending = '';
    }
    const gzip = this.gzip;
    if (gzip) await new Promise<void>((resolve) => gzip.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
    // The compressed bytes still travel through the pipe into the file stream: wait until the file took them all.
    while ((gzip?.readableLength ?? 0) > 0 || this.file.writableLength > 0 || this.file.pending) {
      if (this.failure) throw this.failure;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    if (this.failure) throw this.failure;
  }

  /**
   * Appends one sample. Throws RangeError (and writes nothing) for a sample the format does not allow.
   * Returns false when the output is backed up: the caller should `await drain()` before writing more.
   */
  write(sample: ImuSample): boolean {
    this.checkOpen();
    const index = this.sensorIndex.get(sample.sensor);
    if (index === undefined) throw new RangeError(`sample of undeclared sensor '${sample.sensor}'`);
    const t = sample.t;
    // What the reader would refuse (non-finite, beyond any IMU's full scale) is never written.
    const impossible = impossibleSampleReason(sample);
    if (impossible !== null) throw new RangeError(`sample of sensor ${sample.sensor} at t=${t}: ${impossible}`);
    const line = formatSampleLine(sample);
    // Order is checked on the time as written: two samples 20 µs apart would round to the same text.
    const written = Number(line.slice(0, line.indexOf(',')));
    if (!(written > this.lastTimes[index])) {
      throw new RangeError(
        `time must increase for sensor ${sample.sensor}: t=${t} after t=${this.lastTimes[index]} (as written)`,
      );
    }
    if (written < this.latestTime - MAX_OVERALL_DISORDER_S) {
      throw new RangeError(`t=${t} is more than ${MAX_OVERALL_DISORDER_S} s before t=${this.latestTime} already written`);
    }
    this.lastTimes[index] = written;
    if (written > this.latestTime) this.latestTime = written;
    this.samples++;
    this.pending += line + '\n';
    return this.flushIfFull();
  }

  /** Appends a comment line at the current position (e.g. an event during a set); same rules as header comments. */
  comment(comment: RecordingComment | string): boolean {
    this.checkOpen();
    this.pending += formatCommentLine(checkedComment(comment)) + '\n';
    return this.flushIfFull();
  }

  /** Resolves when the output can take more data (immediately if it can); rejects if writing failed. */
  async drain(): Promise<void> {
    this.checkOpen();
    if (!this.head.writableNeedDrain) return;
    await Promise.race([new Promise((resolve) => this.head.once('drain', resolve)), this.done]);
    if (this.failure) throw this.failure;
  }

  /** Writes what is buffered, closes the file and renames it to `path`. On failure the temporary file is removed. */
  async close(): Promise<void> {
    if (this.state !== 'open') throw new Error(`recording writer for ${this.path} is ${this.state}`);
    this.state = 'closed';
    try {
      if (this.failure) throw this.failure;
      this.head.end(this.pending);
      this.pending = '';
      await this.done;
      await rename(this.tempPath, this.path);
    } catch (error) {
      await removeQuietly(this.tempPath);
      throw error;
    }
  }

  /** Drops everything written: the temporary file is removed and `path` is left untouched. Safe to call twice. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.pending = '';
    this.head.destroy();
    this.file.destroy();
    await this.done.catch(() => {});
    await removeQuietly(this.tempPath);
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new Error(`recording writer for ${this.path} is ${this.state}`);
    if (this.failure) throw this.failure;
  }

  private flushIfFull(): boolean {
    if (this.pending.length >= FLUSH_CHARS) {
      this.head.write(this.pending);
      this.pending = '';
    }
    return !this.head.writableNeedDrain;
  }
}

function checkedSensors(sensors: readonly SensorInfo[]): readonly SensorInfo[] {
  if (sensors.length === 0) throw new RangeError('a recording needs at least one sensor');
  const seen = new Set<string>();
  for (const { id, placement } of sensors) {
    if (!isValidSensorId(id)) throw new RangeError(`invalid sensor id '${id}'`);
    if (!isPlacement(placement)) throw new RangeError(`unknown placement '${placement}' for sensor ${id}`);
    if (seen.has(id)) throw new RangeError(`sensor id '${id}' given twice`);
    seen.add(id);
  }
  return sensors;
}

/** Re-derives the comment from its text, so key/value can never disagree with what is written. */
function checkedComment(comment: RecordingComment | string): RecordingComment {
  const checked = commentFromText(typeof comment === 'string' ? comment : comment.text);
  if (checked.key === 'sensor') throw new RangeError("'sensor:' comments are written from the sensors option only");
  return checked;
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/**
 * Copies a recording, keeping its header comments and the comments between rows at their places. Converts
 * between plain and gzip by the names; `to` may equal `from` (the rename happens after reading is done).
 * Returns the number of samples copied. Rejects with RecordingError for bad input, leaving `to` untouched.
 */
export async function copyRecording(from: string, to: string): Promise<number> {
  const reader = await openRecording(from);
  const writer = await RecordingWriter.create(to, { sensors: reader.header.sensors, comments: reader.header.comments });
  let copied = 0;
  let nextComment = 0;
  const writeCommentsUpTo = (sampleIndex: number): void => {
    const comments = reader.dataComments;
    while (nextComment < comments.length && comments[nextComment].sampleIndex <= sampleIndex) {
      writer.comment(comments[nextComment++].comment);
    }
  };
  try {
    for await (const batch of reader.batches()) {
      for (const sample of batch) {
        writeCommentsUpTo(copied);
        if (!writer.write(sample)) await writer.drain();
        copied++;
      }
    }
    writeCommentsUpTo(copied);
    await writer.close();
    return copied;
  } catch (error) {
    await reader.close();
    await writer.abort();
    throw error;
  }
}
