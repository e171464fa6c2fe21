/** How numbers and times read on the dashboard: few digits, units always shown, a dash for "unknown". */
export const DASH = '–';

export function cm(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? DASH : `${value.toFixed(digits)} cm`;
}

export function deg(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? DASH : `${value.toFixed(digits)}°`;
}

/** "1 rep", "5 reps": a count with its noun, singular for one. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined ? DASH : `${Math.round(fraction * 100)} %`;
}

export function dateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return DASH;
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function shortDate(ms: number): string {
  return new Date(ms).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** `yyyy-mm-dd` of a local date input → ms since the epoch at local midnight; null when empty. */
export function dateInputToMs(value: string, endOfDay = false): number | null {
  if (value === '') return null;
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, endOfDay ? d + 1 : d).getTime();
}
