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

function parseTime(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : Date.parse(text);
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
