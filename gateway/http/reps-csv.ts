/**
 * Rep export as CSV (RFC 4180): a header row naming the contract's rep fields (docs/INTERFACES.md §4, §6) plus the
 * rep's identity, one row per rep. Null becomes an empty field; a field holding a comma, quote or line break is
 * quoted with its quotes doubled, so any spreadsheet reads it back unchanged.
 */
import type { StoredRep } from '../store/history-store.ts';

export const REP_CSV_COLUMNS = [
  'id',
  'athlete',
  'session',
  'set',
  'index',
  't_start',
  't_bottom',
  't_end',
  'depth_cm',
  'lumbar_flexion_max_deg',
  'wink_deg',
  'butt_wink',
  'wink_onset_depth_cm',
  'pelvic_tilt_max_deg',
  'gap_fraction',
  'simulated',
  'session_started_at',
] as const satisfies readonly (keyof StoredRep)[];

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function repsCsv(reps: readonly StoredRep[]): string {
  let out = csvRow(REP_CSV_COLUMNS);
  for (const rep of reps) out += csvRow(REP_CSV_COLUMNS.map((column) => rep[column]));
  return out;
}
