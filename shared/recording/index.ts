/**
 * Recording format v1 (docs/INTERFACES.md §3): streaming reader, atomic writer, line-level helpers.
 *
 * Choices where the contract is silent:
 * - Time order: strictly increasing per sensor (error otherwise); across sensors a row may be up to
 *   MAX_OVERALL_DISORDER_S (0.5 s) earlier than the latest row before it, since BLE delivers sensors in bursts.
 * - Comment lines may also appear among the data rows (the gateway writes events during a set). Readers keep
 *   them in `dataComments` with the number of samples before each; writers write them with `comment()`.
 * - Blank lines, CRLF line ends and a UTF-8 BOM are accepted. At least one `# sensor:` line is required.
 * - Unknown extra `key=value` tokens on `# sensor:` lines are accepted and dropped. A rewrite writes the sensor
 *   lines first, then the other header comments in their original order.
 * - The writer writes t and acceleration with 4 decimals, angular rate with 5, never `-0.0000`.
 */
export { formatRecordingError, RecordingError } from './errors.ts';
export type { RecordingComment, RecordingEvent } from './format.ts';
export {
  asRecorded,
  COLUMN_HEADER,
  COLUMNS,
  commentFromText,
  eventComment,
  FORMAT_VERSION_LINE,
  formatFixed,
  formatSampleLine,
  MAX_OVERALL_DISORDER_S,
  parseEventComment,
} from './format.ts';
export type { GyroBias } from './gyro-bias.ts';
export { gyroBiasComment, gyroBiasesFrom } from './gyro-bias.ts';
export type { DataComment, RecordingHeader } from './parser.ts';
export { parseRecordingText } from './parser.ts';
export type { OpenRecordingOptions } from './reader.ts';
export { openRecording, openRecordingFrom, readRecording, RecordingReader } from './reader.ts';
export type { RecordingWriterOptions } from './writer.ts';
export { copyRecording, RecordingWriter } from './writer.ts';
