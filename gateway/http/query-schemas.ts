/**
 * The REST API's query strings, validated with zod: each parameter arrives as one string (a repeated parameter
 * is an array and is refused), unknown parameters are refused so a misspelt filter cannot silently widen a query.
 * Times are milliseconds since the epoch or ISO 8601 dates.
 */
import { z } from 'zod';
import { athleteIdSchema, sessionIdSchema } from '../store/validation.ts';

/** Rows one list request returns at most (and by default, for reps and sessions). */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;
/** Rows one export returns at most; more: page with offset. */
export const MAX_EXPORT = 100_000;

const MAX_DATE_MS = 8.64e15;
/** YYYY-MM-DD, or an ISO 8601 date-time (seconds optional; zone Z, ±hh:mm, or none = local time). */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Milliseconds since the epoch, or NaN. Only the two documented forms: all digits, or a real ISO 8601 date
 * (Date.parse alone accepts far more — '-1', 'Jan 1', '2026-02-30' — and a misread filter silently widens a
 * query).
 */
function parseTime(text: string): number {
  // Digits: ms since the epoch, within a JavaScript date's range.
  if (/^\d+$/.test(text)) return Number(text) <= MAX_DATE_MS ? Number(text) : Number.NaN;
  const m = ISO_DATE.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // The calendar date must exist (no 30 February).
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return Number.NaN;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return Number.NaN;
  return Date.parse(m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : text);
}

const timeParam = z
  .string()
  .refine((text) => Number.isFinite(parseTime(text)) && parseTime(text) >= 0, 'expected ms since the epoch or an ISO 8601 date')
  .transform(parseTime);

function countParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

export const setNumberParam = countParam(1, 1_000_000);

const booleanParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const sessionsQuery = z.strictObject({
  athlete: athleteIdSchema.optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: countParam(1, MAX_PAGE).default(DEFAULT_PAGE),
  offset: countParam(0, Number.MAX_SAFE_INTEGER).default(0),
});

const repFilterShape = {
  athlete: athleteIdSchema.optional(),
  session: sessionIdSchema.optional(),
  set: setNumberParam.optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  butt_wink: booleanParam.optional(),
  offset: countParam(0, Number.MAX_SAFE_INTEGER).default(0),
};

export const repsQuery = z.strictObject({ ...repFilterShape, limit: countParam(1, MAX_PAGE).default(DEFAULT_PAGE) });
export const exportQuery = z.strictObject({ ...repFilterShape, limit: countParam(1, MAX_EXPORT).default(MAX_EXPORT) });

export type RepsQuery = z.output<typeof repsQuery>;

/** A set's curve: the whole set, or one of its reps by index. */
export const traceQuery = z.strictObject({ rep: countParam(1, 1_000_000).optional() });

/** One line naming every problem, for the `{error}` answer. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
