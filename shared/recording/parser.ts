/**
 * The line-by-line state machine shared by the streaming reader and parseRecordingText: header lines first, then
 * data rows, each checked against docs/INTERFACES.md §3 with its line number.
 *
 * It works on UTF-8 bytes, not strings: rows in the writer's form are parsed straight from the buffer (no
 * decoding, splitting or slicing), which is what makes > 1 M rows/s possible. Header lines, comments and any row
 * the fast path declines are decoded and handled as text. A `\n` byte never occurs inside a multi-byte UTF-8
 * character, so splitting bytes at `\n` splits the text at the same places.
 */
import type { ImuSample, SensorInfo } from '../imu.ts';
import { impossibleSampleReason } from '../imu.ts';
import { RecordingError } from './errors.ts';
import type { RecordingComment } from './format.ts';
import {
  COLUMN_HEADER,
  COLUMNS,
  FORMAT_VERSION_LINE,
  formatFixed,
  MAX_OVERALL_DISORDER_S,
  parseCommentLine,
  parseDecimal,
  POW10,
  parseSensorDeclaration,
  TIME_DECIMALS,
} from './format.ts';

export interface RecordingHeader {
  readonly version: 1;
  readonly sensors: readonly SensorInfo[];
  /** Comment lines before the column header, in file order, without the version and `sensor:` lines. */
  readonly comments: readonly RecordingComment[];
}

/**
 * A comment line found among the data rows (an extension of §3: the gateway writes events during a set).
 * `sampleIndex` is the number of samples that came before it in the file, so a rewrite can put it back in place.
 */
export interface DataComment {
  readonly comment: RecordingComment;
  readonly line: number;
  readonly sampleIndex: number;
}

/**
 * Bounds that keep a hostile file from filling the memory (readers hold the header and the comments): a
 * recording has a sensor or two (the format allows a handful), a few header lines and a few dozen event
 * comments. Beyond these the file is refused at the line that crosses them.
 */
export const MAX_SENSORS = 16;
export const MAX_HEADER_LINES = 1_000;
export const MAX_COMMENT_LINES = 10_000;
export const MAX_COMMENT_BYTES = 1 << 20;

/** Parser phases, in file order. */
const Phase = { VersionLine: 0, HeaderLines: 1, Data: 2 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

export class RecordingParser {
  /** Number of lines consumed so far; the line being parsed while a method runs. */
  private lineNumber = 0;
  private phase: Phase = Phase.VersionLine;
  private readonly sensors: SensorInfo[] = [];
  private readonly comments: RecordingComment[] = [];
  private readonly sensorIndex = new Map<string, number>();
  private lastTimes: number[] = [];
  private lastLines: number[] = [];
  private latestTime = -Infinity;
  private latestLine = 0;
  private samples = 0;
  /** The ids as bytes, for matching rows without decoding them. */
  private sensorIdBytes: Buffer[] = [];
  /** Scratch state of the row being parsed: read position, and the index of its sensor. */
  private cursor = 0;
  private rowSensor = 0;
  readonly dataComments: DataComment[] = [];
  header: RecordingHeader | null = null;
  private commentLines = 0;
  private commentBytes = 0;

  get sampleCount(): number {
    return this.samples;
  }

  get linesRead(): number {
    return this.lineNumber;
  }

  /**
   * Consumes header lines from data[start, end), which must hold whole lines (the last one may lack its `\n`).
   * Returns the offset of the first line after the column header, or -1 when the range ended first.
   */
  consumeHeader(data: Buffer, start: number, end: number): number {
    let pos = start;
    while (pos < end) {
      const next = lineEnd(data, pos, end);
      this.lineNumber++;
      const isColumnHeader = this.headerLine(stripCr(data.toString('utf8', pos, next)));
      pos = next + 1;
      if (isColumnHeader) return Math.min(pos, end);
    }
    return -1;
  }

  /** Consumes data rows and comments from data[start, end) (whole lines) and appends the samples to `out`. */
  consumeData(data: Buffer, start: number, end: number, out: ImuSample[]): void {
    let pos = start;
    while (pos < end) {
      const next = lineEnd(data, pos, end);
      this.lineNumber++;
      const first = data[pos];
      if ((first >= 48 && first <= 57) || first === 45 /* - */) {
        // Rows start with a digit or a minus sign: try the byte-level parser first.
        out.push(this.row(this.parseRowFast(data, pos, next) ?? this.parseRowStrict(data.toString('utf8', pos, next))));
      } else if (first === 35 /* # */) {
        this.dataComment(stripCr(data.toString('utf8', pos, next)));
      } else {
        const line = data.toString('utf8', pos, next);
        if (!isBlank(line)) {
          if (stripCr(line) === COLUMN_HEADER) {
            throw new RecordingError(this.lineNumber, 'column header repeated (are two recordings concatenated?)');
          }
          out.push(this.row(this.parseRowStrict(line)));
        }
      }
      pos = next + 1;
    }
  }

  /** Call at end of input: a file that stops before its column header is invalid. */
  finish(): void {
    if (this.phase !== Phase.Data) throw this.incompleteHeaderError();
  }

  /** The error for input that ended before the column header. */
  incompleteHeaderError(): RecordingError {
    if (this.phase === Phase.VersionLine) {
      return new RecordingError(1, `missing '${FORMAT_VERSION_LINE}' first line (the file is empty)`);
    }
    return new RecordingError(this.lineNumber + 1, `missing column header '${COLUMN_HEADER}' (end of file reached)`);
  }

  /** Returns true when `line` was the column header. */
  private headerLine(line: string): boolean {
    if (this.phase === Phase.VersionLine) {
      const text = this.lineNumber === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
      if (text.trimEnd() === FORMAT_VERSION_LINE) {
        this.phase = Phase.HeaderLines;
        return false;
      }
      const version = /^#\s*squatmon-recording\s+(\S+)/.exec(text);
      throw new RecordingError(
        this.lineNumber,
        version
          ? `unsupported recording version '${version[1]}' (this reader supports v1)`
          : `missing '${FORMAT_VERSION_LINE}' first line`,
      );
    }
    if (this.lineNumber > MAX_HEADER_LINES) {
      throw new RecordingError(this.lineNumber, `no column header in the first ${MAX_HEADER_LINES} lines: not a recording`);
    }
    if (isBlank(line)) return false;
    if (line.charCodeAt(0) === 35 /* # */) {
      const comment = this.comment(line);
      if (comment.key === 'sensor') this.declareSensor(comment.value);
      else this.comments.push(comment);
      return false;
    }
    const columns = line.trimEnd();
    if (columns !== COLUMN_HEADER) {
      const looksLikeData = /^[-+.\d]/.test(columns);
      throw new RecordingError(
        this.lineNumber,
        looksLikeData
          ? `missing column header '${COLUMN_HEADER}' before the first data row`
          : `wrong column header '${truncate(columns)}' (expected '${COLUMN_HEADER}')`,
      );
    }
    if (this.sensors.length === 0) {
      throw new RecordingError(this.lineNumber, "no '# sensor: id=... placement=...' line before the column header");
    }
    this.phase = Phase.Data;
    this.lastTimes = this.sensors.map(() => -Infinity);
    this.lastLines = this.sensors.map(() => 0);
    this.sensorIdBytes = this.sensors.map((sensor) => Buffer.from(sensor.id, 'latin1'));
    this.header = { version: 1, sensors: this.sensors, comments: this.comments };
    return true;
  }

  private declareSensor(value: string): void {
    const parsed = parseSensorDeclaration(value);
    if (typeof parsed === 'string') throw new RecordingError(this.lineNumber, parsed);
    if (this.sensorIndex.has(parsed.id)) throw new RecordingError(this.lineNumber, `sensor id '${parsed.id}' is declared twice`);
    if (this.sensors.length >= MAX_SENSORS) throw new RecordingError(this.lineNumber, `more than ${MAX_SENSORS} sensors declared`);
    this.sensorIndex.set(parsed.id, this.sensors.length);
    this.sensors.push(parsed);
  }

  /** A CR inside a line cannot be written back faithfully (readers strip a final CR), so it is refused. */
  private comment(line: string): RecordingComment {
    if (line.includes('\r')) throw new RecordingError(this.lineNumber, 'stray carriage return inside a comment line');
    this.commentLines++;
    this.commentBytes += line.length;
    if (this.commentLines > MAX_COMMENT_LINES || this.commentBytes > MAX_COMMENT_BYTES) {
      throw new RecordingError(
        this.lineNumber,
        `more than ${MAX_COMMENT_LINES} comment lines or ${MAX_COMMENT_BYTES / 1024} KiB of comments: not a recording (events are a few dozen lines)`,
      );
    }
    return parseCommentLine(line);
  }

  private dataComment(line: string): void {
    const comment = this.comment(line);
    if (comment.key === 'sensor') {
      throw new RecordingError(this.lineNumber, "'# sensor:' lines must come before the column header");
    }
    this.dataComments.push({ comment, line: this.lineNumber, sampleIndex: this.samples });
  }

  /**
   * One left-to-right pass over the bytes of a row in the form the writer produces (plain decimals of at most 15
   * digits, a declared sensor id): no decoding, slicing or hashing. Returns null for anything else, which then
   * goes through parseRowStrict; both give identical samples for the rows this path accepts.
   */
  private parseRowFast(data: Buffer, start: number, end: number): ImuSample | null {
    if (data[end - 1] === 13 /* CR */) end--;
    this.cursor = start;
    const t = this.fastNumber(data, end, 44);
    if (t !== t) return null;
    const index = this.fastSensor(data, end);
    if (index < 0) return null;
    const ax = this.fastNumber(data, end, 44);
    const ay = this.fastNumber(data, end, 44);
    const az = this.fastNumber(data, end, 44);
    const gx = this.fastNumber(data, end, 44);
    const gy = this.fastNumber(data, end, 44);
    const gz = this.fastNumber(data, end, -1);
    // NaN propagates through the sum: one test covers all six.
    const check = ax + ay + az + gx + gy + gz;
    if (check !== check) return null;
    this.rowSensor = index;
    return { sensor: this.sensors[index].id, t, ax, ay, az, gx, gy, gz };
  }

  /**
   * Reads `[+-]digits[.digits]` from this.cursor up to the `terminator` byte (44 = comma, -1 = end of line) and
   * moves the cursor past it; NaN when the field has another form or more than 15 digits. Exact: the mantissa is
   * an integer below 2^53 and 10^f is exact, so m / 10^f is one correctly rounded division, the same double
   * `Number(text)` gives (Clinger's fast path).
   */
  private fastNumber(data: Buffer, end: number, terminator: number): number {
    let i = this.cursor;
    let c = i < end ? data[i] : -1;
    let negative = false;
    if (c === 45 /* - */ || c === 43 /* + */) {
      negative = c === 45;
      c = ++i < end ? data[i] : -1;
    }
    let mantissa = 0;
    let digits = 0;
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      c = ++i < end ? data[i] : -1;
    }
    let fractionDigits = 0;
    if (c === 46 /* . */) {
      c = ++i < end ? data[i] : -1;
      while (c >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        fractionDigits++;
        c = ++i < end ? data[i] : -1;
      }
    }
    digits += fractionDigits;
    if (c !== terminator || digits === 0 || digits > 15) return NaN;
    this.cursor = i + 1;
    const magnitude = mantissa / POW10[fractionDigits];
    // `+ 0` turns -0 into 0, as parseDecimal does.
    return negative ? -magnitude + 0 : magnitude;
  }

  /** Matches a declared id followed by a comma at this.cursor; -1 if none matches. */
  private fastSensor(data: Buffer, end: number): number {
    const at = this.cursor;
    for (let k = 0; k < this.sensorIdBytes.length; k++) {
      const id = this.sensorIdBytes[k];
      const n = id.length;
      if (at + n >= end || data[at + n] !== 44) continue;
      let same = true;
      for (let j = 0; j < n && same; j++) same = data[at + j] === id[j];
      if (same) {
        this.cursor = at + n + 1;
        return k;
      }
    }
    return -1;
  }

  /**
   * The reference row parser: finds the fields with indexOf and reports the first problem in the order field
   * count, sensor id, numbers. Used for every row the fast path declines, so all errors come from here.
   */
  private parseRowStrict(line: string): ImuSample {
    // A trailing CR (CRLF files) ends the last field.
    let end = line.length;
    if (line.charCodeAt(end - 1) === 13 /* CR */) end--;
    const c1 = line.indexOf(',');
    const c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : line.indexOf(',', c2 + 1);
    const c4 = c3 < 0 ? -1 : line.indexOf(',', c3 + 1);
    const c5 = c4 < 0 ? -1 : line.indexOf(',', c4 + 1);
    const c6 = c5 < 0 ? -1 : line.indexOf(',', c5 + 1);
    const c7 = c6 < 0 ? -1 : line.indexOf(',', c6 + 1);
    if (c7 < 0 || line.indexOf(',', c7 + 1) >= 0) {
      const found = line.slice(0, end).split(',').length;
      throw new RecordingError(this.lineNumber, `expected ${COLUMNS.length} fields, found ${found}`);
    }
    const id = line.slice(c1 + 1, c2);
    const index = this.sensorIndex.get(id);
    if (index === undefined) {
      const declared = this.sensors.map((s) => s.id).join(', ');
      throw new RecordingError(this.lineNumber, `unknown sensor id '${truncate(id)}' (declared: ${declared})`);
    }
    const t = this.number(line, 0, c1, 0);
    this.rowSensor = index;
    return {
      sensor: this.sensors[index].id,
      t,
      ax: this.number(line, c2 + 1, c3, 2),
      ay: this.number(line, c3 + 1, c4, 3),
      az: this.number(line, c4 + 1, c5, 4),
      gx: this.number(line, c5 + 1, c6, 5),
      gy: this.number(line, c6 + 1, c7, 6),
      gz: this.number(line, c7 + 1, end, 7),
    };
  }

  /** Checks a parsed row against the time order of its sensor and of the file, then counts it. */
  private row(sample: ImuSample): ImuSample {
    const impossible = impossibleSampleReason(sample);
    if (impossible !== null) throw new RecordingError(this.lineNumber, `not a sample a working IMU can give: ${impossible}`);
    const index = this.rowSensor;
    const t = sample.t;
    const last = this.lastTimes[index];
    if (!(t > last)) {
      throw new RecordingError(
        this.lineNumber,
        `time ${t === last ? 'does not increase' : 'goes backwards'} for sensor ${sample.sensor}: ` +
          `t=${showTime(t)} after t=${showTime(last)} on line ${this.lastLines[index]}`,
      );
    }
    if (t < this.latestTime - MAX_OVERALL_DISORDER_S) {
      throw new RecordingError(
        this.lineNumber,
        `rows out of time order: t=${showTime(t)} is more than ${MAX_OVERALL_DISORDER_S} s before ` +
          `t=${showTime(this.latestTime)} on line ${this.latestLine}`,
      );
    }
    this.lastTimes[index] = t;
    this.lastLines[index] = this.lineNumber;
    if (t > this.latestTime) {
      this.latestTime = t;
      this.latestLine = this.lineNumber;
    }
    this.samples++;
    return sample;
  }

  private number(line: string, start: number, end: number, column: number): number {
    const value = parseDecimal(line, start, end);
    if (value === value) return value; // not NaN
    const text = line.slice(start, end);
    const what = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? 'is not finite' : 'is not a number';
    throw new RecordingError(this.lineNumber, `field '${COLUMNS[column]}' ${what}: '${truncate(text)}'`);
  }
}

/** Parses a whole recording held in memory (small inputs, tests). Throws RecordingError on bad input. */
export function parseRecordingText(text: string): {
  header: RecordingHeader;
  samples: ImuSample[];
  dataComments: DataComment[];
} {
  const data = Buffer.from(text, 'utf8');
  const parser = new RecordingParser();
  const samples: ImuSample[] = [];
  const dataStart = parser.consumeHeader(data, 0, data.length);
  if (dataStart >= 0) parser.consumeData(data, dataStart, data.length, samples);
  parser.finish();
  return { header: parser.header as RecordingHeader, samples, dataComments: parser.dataComments };
}

/** Offset of the `\n` ending the line that starts at `pos`, or `end` for a last line without one. */
function lineEnd(data: Buffer, pos: number, end: number): number {
  const newline = data.indexOf(10, pos);
  return newline < 0 || newline >= end ? end : newline;
}

function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function showTime(t: number): string {
  return formatFixed(t, TIME_DECIMALS + 1);
}

/** Keeps error messages one readable line even when the offending text is a megabyte of garbage. */
function truncate(text: string): string {
  const oneLine = JSON.stringify(text).slice(1, -1);
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}
