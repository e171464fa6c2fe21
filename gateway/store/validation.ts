/**
 * Input checks at the store's boundary (zod): whatever reaches SQL is well-formed, and bad input gets one clear
 * 'invalid' error before anything is written. Rep, cue and summary objects are validated loosely — unknown
 * fields pass through, because the contract lets fields be added and the store keeps them.
 */
import { z } from 'zod';
import { PLACEMENTS } from '../../shared/imu.ts';
import { repId } from '../core/domain.ts';
import { CALIBRATION_KINDS } from '../core/commands.ts';
import { athleteIdSchema, sessionIdSchema } from '../core/ids.ts';
import { DRIVER_NAMES } from '../ble/drivers/index.ts';
import { StoreError } from './store-error.ts';

export { athleteIdSchema, sessionIdSchema };
export const setNumberSchema = z.number().int().min(1);
/** Ms since the epoch. */
export const timeSchema = z.number().nonnegative();

const nullableNumber = z.number().nullable();

export const athleteSchema = z.object({
  id: athleteIdSchema,
  name: z.string().trim().min(1).max(100),
  sensors: z.array(
    z.object({
      id: z.string().min(1).max(32),
      placement: z.enum(PLACEMENTS),
      driver: z.enum(DRIVER_NAMES),
      match: z.string().min(1).nullable(),
    }),
  ),
  cutoffCm: z.number().positive().nullable(),
  winkThresholdDeg: z.number().positive(),
});

/** The session id names its athlete; a mismatch means the caller mixed two athletes up. */
function sessionBelongsTo(session: string, athlete: string): boolean {
  return session.slice('YYYYMMDD-HHMMSS-'.length) === athlete;
}
const SESSION_OF_ATHLETE = { message: 'the session id does not end with its athlete id' };

const setRefShape = { athlete: athleteIdSchema, session: sessionIdSchema, set: setNumberSchema };

export const newSessionSchema = z
  .object({ id: sessionIdSchema, athlete: athleteIdSchema, startedAt: timeSchema, simulated: z.boolean() })
  .refine((s) => sessionBelongsTo(s.id, s.athlete), SESSION_OF_ATHLETE);

export const newSetSchema = z
  .object({
    session: sessionIdSchema,
    set: setNumberSchema,
    athlete: athleteIdSchema,
    startedAt: timeSchema,
    recording: z.string().min(1).nullable(),
  })
  .refine((s) => sessionBelongsTo(s.session, s.athlete), SESSION_OF_ATHLETE);

export const repSchema = z
  .looseObject({
    type: z.literal('rep'),
    index: z.number().int().min(1),
    t_start: z.number(),
    t_bottom: z.number(),
    t_end: z.number(),
    depth_cm: z.number(),
    lumbar_flexion_max_deg: nullableNumber,
    wink_deg: z.number(),
    butt_wink: z.boolean(),
    wink_onset_depth_cm: nullableNumber,
    pelvic_tilt_max_deg: z.number(),
    gap_fraction: z.number().min(0).max(1),
    id: z.string(),
    ...setRefShape,
    simulated: z.boolean(),
  })
  .refine((r) => r.id === repId(r, r.index), { message: 'the rep id is not <session>/<set>/<index>' })
  .refine((r) => sessionBelongsTo(r.session, r.athlete), SESSION_OF_ATHLETE);

export const cueSchema = z
  .looseObject({
    type: z.literal('cue'),
    kind: z.literal('depth_cutoff'),
    t: z.number(),
    rep: z.number().int().min(1),
    depth_cm: z.number(),
    ...setRefShape,
    simulated: z.boolean(),
  })
  .refine((c) => sessionBelongsTo(c.session, c.athlete), SESSION_OF_ATHLETE);

const drillEntrySchema = z.looseObject({ muscle: z.string(), exercises: z.array(z.string()) });

export const sessionSummarySchema = z.looseObject({
  type: z.literal('session'),
  reps: z.number().int().min(0),
  sensors: z.array(z.looseObject({ id: z.string(), placement: z.enum(PLACEMENTS) })),
  standing_lordosis_deg: nullableNumber,
  sacral_inclination_deg: nullableNumber,
  pelvic_tilt: z.enum(['anterior', 'neutral', 'posterior']).nullable(),
  suggested_cutoff_cm: nullableNumber,
  drills: z.looseObject({ strengthen: z.array(drillEntrySchema), stretch: z.array(drillEntrySchema) }),
});

export const newCalibrationSchema = z.object({
  athlete: athleteIdSchema,
  kind: z.enum(CALIBRATION_KINDS),
  at: timeSchema,
  values: z.record(z.string().min(1), z.number()),
});

const pageShape = {
  limit: z.number().int().min(0).optional(),
  offset: z.number().int().min(0).optional(),
};
const rangeShape = { from: timeSchema.optional(), to: timeSchema.optional() };

export const sessionFilterSchema = z.object({ athlete: athleteIdSchema.optional(), ...rangeShape, ...pageShape });

export const repFilterSchema = z.object({
  athlete: athleteIdSchema.optional(),
  session: sessionIdSchema.optional(),
  set: setNumberSchema.optional(),
  buttWink: z.boolean().optional(),
  ...rangeShape,
  ...pageShape,
});

export const cueFilterSchema = z.object({ session: sessionIdSchema, set: setNumberSchema.optional() });

export const calibrationFilterSchema = z.object({
  athlete: athleteIdSchema,
  kind: z.enum(CALIBRATION_KINDS).optional(),
  ...pageShape,
});

/** The value if it fits the schema, else StoreError 'invalid' naming what and which fields are wrong. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  throw new StoreError('invalid', `invalid ${what}: ${problems}`);
}
