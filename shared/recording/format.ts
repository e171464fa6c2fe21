/**
 * Recording format v1 (docs/INTERFACES.md §3): constants, deterministic number formatting, and the parsing of single
 * lines. Everything here is synchronous and stateless; the line-by-line state machine lives in parser.ts.
 */
import type { ImuSample, SensorInfo } from '../imu.ts';
import { isPlacement, isSensorFace, PLACEMENTS, SENSOR_FACES } from '../imu.ts';

export const FORMAT_VERSION_LINE = '# squatmon-recording v1';
export const COLUMNS = ['t', 'sensor', 'ax', 'ay', 'az', 'gx', 'gy', 'gz'] as const;
export const COLUMN_HEADER = COLUMNS.join(',');

/** Decimals written per column: 0.1 ms for time, 0.1 mm/s² for specific force, 10 µrad/s for rate (as in §3). */
export const TIME_DECIMALS = 4;
export const ACC_DECIMALS = 4;
export const GYR_DECIMALS = 5;

/**
 * How far (s) a row may lie before the latest time already seen in the file. Per sensor, time must strictly
 * increase; across sensors the gateway interleaves by receive time, and BLE delivers packets of one sensor in
 * bursts, so rows of different sensors may be slightly out of order. Anything larger is a broken file.
 */
export const MAX_OVERALL_DISORDER_S = 0.5;

/** A sensor id is a single CSV-safe token: no commas, spaces or `=` that would break rows or `# sensor:` lines. */
const SENSOR_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

export function isValidSensorId(id: string): boolean {
  return SENSOR_ID_PATTERN.test(id);
}

/**
 * One `# ...` line other than the version and `# sensor:` lines. `text` is everything after `#` and one space,
 * unchanged, so rewriting a recording reproduces the line. `key`/`value` are filled for `# key: value` lines.
 */
export interface RecordingComment {
  readonly text: string;
  /** The part before the first `:` for `# key: value` comments, else null (free-text comment). */
  readonly key: string | null;
  /** The part after `key:` (leading blanks removed) for `# key: value` comments, else the whole text. */
  readonly value: string;
}

const KEY_VALUE_PATTERN = /^([A-Za-z_][A-Za-z0-9_.-]*):[ \t]*(.*)$/s;

/** Builds a comment from the text that follows `# ` (no line breaks allowed: they would inject lines). */
export function commentFromText(text: string): RecordingComment {
  if (/[\r\n]/.test(text)) throw new RangeError(`a recording comment cannot contain a line break: ${JSON.stringify(text)}`);
  const match = KEY_VALUE_PATTERN.exec(text);
  return match ? { text, key: match[1], value: match[2] } : { text, key: null, value: text };
}

/** Parses a line known to start with `#`. */
export function parseCommentLine(line: string): RecordingComment {
  const text = line.charCodeAt(1) === 32 /* space */ ? line.slice(2) : line.slice(1);
  return commentFromText(text);
}

export function formatCommentLine(comment: RecordingComment): string {
  return `# ${comment.text}`;
}

/**
 * Parses the value of a `# sensor:` comment, e.g. `id=S1 placement=sacrum`. Unknown extra `key=value` tokens
 * are accepted (a later contract version may add some) but not kept. Returns an error message instead of throwing
 * so the caller can attach the line number.
 */
export function parseSensorDeclaration(value: string): SensorInfo | string {
  const fields = new Map<string, string>();
  for (const token of value.trim().split(/\s+/)) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    if (eq <= 0) return `malformed sensor line: expected 'key=value' tokens, found '${token}'`;
    const key = token.slice(0, eq);
    if (fields.has(key)) return `malformed sensor line: '${key}' is given twice`;
    fields.set(key, token.slice(eq + 1));
  }
  const id = fields.get('id');
  const placement = fields.get('placement');
  if (id === undefined) return "malformed sensor line: missing 'id=...'";
  if (placement === undefined) return "malformed sensor line: missing 'placement=...'";
  if (!isValidSensorId(id)) return `malformed sensor line: invalid sensor id '${id}' (letters, digits, '_', '.', ':', '-')`;
  if (!isPlacement(placement)) {
    return `unknown placement '${placement}' for sensor ${id} (expected one of: ${PLACEMENTS.join(', ')})`;
  }
  const face = fields.get('face');
  if (face !== undefined && !isSensorFace(face)) return `unknown face '${face}' for sensor ${id} (expected one of: ${SENSOR_FACES.join(', ')})`;
  return face === undefined ? { id, placement } : { id, placement, face };
}

export function formatSensorLine(sensor: SensorInfo): string {
  return `# sensor: id=${sensor.id} placement=${sensor.placement}${sensor.face ? ` face=${sensor.face}` : ''}`;
}

/**
 * `value.toFixed(decimals)` without a negative zero: toFixed is exactly specified by ECMAScript, so the same
 * number always gives the same text; tiny negatives would otherwise print as `-0.0000`.
 */
export function formatFixed(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  if (text.charCodeAt(0) === 45 /* - */ && isAllZeroDigits(text)) return text.slice(1);
  return text;
}

function isAllZeroDigits(text: string): boolean {
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 48 /* 0 */ && c !== 46 /* . */) return false;
  }
  return true;
}

/**
 * The sample as it reads back from a recording (each value rounded as the writer formats it). The live gateway
 * processes samples in this form, so that analysing the recording it writes gives exactly its own results.
 */
export function asRecorded(s: ImuSample): ImuSample {
  return {
    sensor: s.sensor,
    t: Number(formatFixed(s.t, TIME_DECIMALS)),
    ax: Number(formatFixed(s.ax, ACC_DECIMALS)),
    ay: Number(formatFixed(s.ay, ACC_DECIMALS)),
    az: Number(formatFixed(s.az, ACC_DECIMALS)),
    gx: Number(formatFixed(s.gx, GYR_DECIMALS)),
    gy: Number(formatFixed(s.gy, GYR_DECIMALS)),
    gz: Number(formatFixed(s.gz, GYR_DECIMALS)),
  };
}

/** One data row, without line terminator. Values must be finite (the writer checks). */
export function formatSampleLine(s: ImuSample): string {
  return (
    formatFixed(s.t, TIME_DECIMALS) + ',' + s.sensor + ',' +
    formatFixed(s.ax, ACC_DECIMALS) + ',' + formatFixed(s.ay, ACC_DECIMALS) + ',' + formatFixed(s.az, ACC_DECIMALS) + ',' +
    formatFixed(s.gx, GYR_DECIMALS) + ',' + formatFixed(s.gy, GYR_DECIMALS) + ',' + formatFixed(s.gz, GYR_DECIMALS)
  );
}

/** Exact powers of ten: every 10^k with k ≤ 22 is representable, which the fast decimal path relies on. */
export const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Parses the decimal literal in text[start, end): `[+-]? digits [. digits] [(e|E) [+-]? digits]` (digits may be
 * empty on one side of the point, not both). Returns NaN for anything else — including the `Infinity`, hex and
 * blank forms `Number()` would accept — and for values that overflow to ±Infinity.
 *
 * Fast path (Clinger): with at most 15 significant digits and no exponent the mantissa m is an exact integer and
 * 10^f exact, so m / 10^f is one correctly rounded IEEE division and equals `Number(text)`. Other literals are
 * validated here and converted by `Number`.
 */
export function parseDecimal(text: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    mantissa = mantissa * 10 + (c - 48);
    digits++;
  }
  if (i < end && c === 46 /* . */) {
    for (i++; i < end; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      fractionDigits++;
    }
  }
  if (digits === 0) return NaN;
  if (i === end) {
    if (digits <= 15) {
      const magnitude = fractionDigits === 0 ? mantissa : mantissa / POW10[fractionDigits];
      // `+ 0` turns -0 into 0: a zero reading has no sign worth keeping.
      return negative ? -magnitude + 0 : magnitude;
    }
    return Number(text.slice(start, end)) + 0;
  }
  if (c !== 101 /* e */ && c !== 69 /* E */) return NaN;
  i++;
  c = text.charCodeAt(i);
  if (c === 45 || c === 43) i++;
  const exponentStart = i;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  if (i === exponentStart) return NaN;
  const value = Number(text.slice(start, end)) + 0;
  return Number.isFinite(value) ? value : NaN;
}

/** An `event:` comment, e.g. `# event: t=12.5 name=standing_start side=left`. */
export interface RecordingEvent {
  readonly t: number;
  readonly name: string;
  /** Every other `key=value` token, in the order written. */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Reads an `event:` comment. Returns null for comments that are not events. Throws RangeError for an `event:`
 * comment without a finite `t` or a `name`, or with a token that is not `key=value`.
 */
export function parseEventComment(comment: RecordingComment): RecordingEvent | null {
  if (comment.key !== 'event') return null;
  let t: number | undefined;
  let name: string | undefined;
  const attributes: Record<string, string> = {};
  for (const token of comment.value.trim().split(/\s+/)) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    if (eq <= 0) throw new RangeError(`malformed event '${comment.text}': expected 'key=value', found '${token}'`);
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (key === 't') {
      t = parseDecimal(value, 0, value.length);
      if (Number.isNaN(t)) throw new RangeError(`malformed event '${comment.text}': t is not a number`);
    } else if (key === 'name') {
      name = value;
    } else {
      attributes[key] = value;
    }
  }
  if (t === undefined) throw new RangeError(`malformed event '${comment.text}': missing 't=...'`);
  if (name === undefined || name === '') throw new RangeError(`malformed event '${comment.text}': missing 'name=...'`);
  return { t, name, attributes };
}

/** Builds the comment the gateway writes for an event. Names and values must be single tokens. */
export function eventComment(event: RecordingEvent): RecordingComment {
  if (!Number.isFinite(event.t)) throw new RangeError(`event time must be finite, got ${event.t}`);
  const tokens = [`t=${formatFixed(event.t, TIME_DECIMALS)}`, `name=${event.name}`];
  for (const [key, value] of Object.entries(event.attributes)) tokens.push(`${key}=${value}`);
  for (const token of tokens) {
    if (!/^[^\s=]+=[^\s]+$/.test(token)) throw new RangeError(`event token '${token}' must be 'key=value' without blanks`);
  }
  return commentFromText(`event: ${tokens.join(' ')}`);
}
