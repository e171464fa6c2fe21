/**
 * The line-by-line state machine shared by the streaming reader and parseRecordingText: header lines first, then
 * data rows, each checked against INTERFACES.md §3 with its line number.
 */
import type { ImuSample, SensorInfo } from '../imu.ts';
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
  readonly dataComments: DataComment[] = [];
  header: RecordingHeader | null = null;

  get sampleCount(): number {
    return this.samples;
  }

  get linesRead(): number {
    return this.lineNumber;
  }

  /**
   * Consumes header lines from lines[from]. Returns the index of the first line after the column header, or
   * -1 when all lines were consumed and the header is not complete yet.
   */
  consumeHeader(lines: readonly string[], from: number): number {
    for (let i = from; i < lines.length; i++) {
      this.lineNumber++;
      if (this.headerLine(stripLineEnd(lines[i]))) return i + 1;
    }
    return -1;
  }

  /** Consumes data lines from lines[from] and appends the samples they hold to `out`. */
  consumeData(lines: readonly string[], from: number, out: ImuSample[]): void {
    for (let i = from; i < lines.length; i++) {
      this.lineNumber++;
      const line = lines[i];
      const first = line.charCodeAt(0);
      if (first === 35 /* # */) {
        this.dataComment(stripLineEnd(line));
      } else if (first >= 48 && first <= 57) {
        // Rows almost always start with a digit: skip the blank-line test on the hot path.
        out.push(this.row(line));
      } else if (!isBlank(line)) {
        if (stripLineEnd(line) === COLUMN_HEADER) {
          throw new RecordingError(this.lineNumber, 'column header repeated (are two recordings concatenated?)');
        }
        out.push(this.row(line));
      }
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
    if (isBlank(line)) return false;
    if (line.charCodeAt(0) === 35 /* # */) {
      const comment = parseCommentLine(line);
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
    this.header = { version: 1, sensors: this.sensors, comments: this.comments };
    return true;
  }

  private declareSensor(value: string): void {
    const parsed = parseSensorDeclaration(value);
    if (typeof parsed === 'string') throw new RecordingError(this.lineNumber, parsed);
    if (this.sensorIndex.has(parsed.id)) throw new RecordingError(this.lineNumber, `sensor id '${parsed.id}' is declared twice`);
    this.sensorIndex.set(parsed.id, this.sensors.length);
    this.sensors.push(parsed);
  }

  private dataComment(line: string): void {
    const comment = parseCommentLine(line);
    if (comment.key === 'sensor') {
      throw new RecordingError(this.lineNumber, "'# sensor:' lines must come before the column header");
    }
    this.dataComments.push({ comment, line: this.lineNumber, sampleIndex: this.samples });
  }

  private row(line: string): ImuSample {
    // Field boundaries by indexOf (native and fast); a trailing CR (CRLF files) ends the last field.
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
    const sample: ImuSample = {
      sensor: this.sensors[index].id,
      t,
      ax: this.number(line, c2 + 1, c3, 2),
      ay: this.number(line, c3 + 1, c4, 3),
      az: this.number(line, c4 + 1, c5, 4),
      gx: this.number(line, c5 + 1, c6, 5),
      gy: this.number(line, c6 + 1, c7, 6),
      gz: this.number(line, c7 + 1, end, 7),
    };
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
  const lines = text.split('\n');
  // A final line break ends the last line; it does not start an empty one.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const parser = new RecordingParser();
  const samples: ImuSample[] = [];
  const dataStart = parser.consumeHeader(lines, 0);
  if (dataStart >= 0) parser.consumeData(lines, dataStart, samples);
  parser.finish();
  return { header: parser.header as RecordingHeader, samples, dataComments: parser.dataComments };
}

function stripLineEnd(line: string): string {
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
