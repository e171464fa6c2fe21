/**
 * The gateway commands' contract (DEPLOYMENT.md §5, athlete ids from GATEWAY-API), written out independently of
 * gateway/mqtt/requests.ts so the fuzzers can tell which inputs must be accepted: the MQTT requests and their
 * REST twins share it.
 */
import fc from 'fast-check';

/** Command → the BridgeCommands method that serves it. */
export const METHODS: Record<string, string> = {
  calibrate: 'calibrate',
  set_start: 'setStart',
  set_stop: 'setStop',
  set_cutoff: 'setCutoff',
  set_wink_threshold: 'setWinkThreshold',
  name_athlete: 'nameAthlete',
};
export const COMMANDS = Object.keys(METHODS);
export const ATHLETE_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isTransaction = (v: unknown): boolean => (typeof v === 'string' && v.length <= 128) || isFiniteNumber(v);
const inRange = (v: unknown, min: number, max: number): boolean => isFiniteNumber(v) && v >= min && v <= max;

/** The command-specific field and its check, which returns the value the service gets (names trimmed) or undefined. */
const EXTRA_FIELD: Record<string, { key: string; check: (v: unknown) => unknown } | null> = {
  set_start: null,
  set_stop: null,
  calibrate: { key: 'kind', check: (v) => (['standing', 'tilt_range', 'max_flexion'].includes(v as string) ? v : undefined) },
  set_cutoff: { key: 'cutoff_cm', check: (v) => (v === null || inRange(v, 0, 150) ? v : undefined) },
  set_wink_threshold: { key: 'wink_threshold_deg', check: (v) => (inRange(v, 0, 90) ? v : undefined) },
  name_athlete: {
    key: 'name',
    check: (v) => (typeof v === 'string' && v.trim().length >= 1 && v.trim().length <= 64 ? v.trim() : undefined),
  },
};

/** The request the service must receive for this body (transaction removed), or null when it must be refused. */
export function expectedRequest(command: string, body: unknown): Record<string, unknown> | null {
  if (!Object.hasOwn(METHODS, command)) return null;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const fields = body as Record<string, unknown>;
  const extra = EXTRA_FIELD[command];
  const allowed = new Set(['athlete', 'transaction', ...(extra ? [extra.key] : [])]);
  if (Object.keys(fields).some((k) => !allowed.has(k))) return null;
  if (typeof fields.athlete !== 'string' || !ATHLETE_ID.test(fields.athlete)) return null;
  if (Object.hasOwn(fields, 'transaction') && !isTransaction(fields.transaction)) return null;
  const request: Record<string, unknown> = { athlete: fields.athlete };
  if (extra) {
    if (!Object.hasOwn(fields, extra.key)) return null;
    const value = extra.check(fields[extra.key]);
    if (value === undefined) return null;
    request[extra.key] = value;
  }
  return request;
}

export const athleteIdArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/);
const transactionArb = fc.option(
  fc.oneof(fc.string({ maxLength: 128 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  { nil: undefined },
);
const EXTRA_VALUE: Record<string, fc.Arbitrary<unknown>> = {
  calibrate: fc.constantFrom('standing', 'tilt_range', 'max_flexion'),
  set_cutoff: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 150, noNaN: true })),
  set_wink_threshold: fc.double({ min: 0, max: 90, noNaN: true }),
  name_athlete: fc.string({ minLength: 1, maxLength: 64 }).filter((s) => s.trim().length > 0),
};

/** Valid request bodies of `command`; `withAthlete: false` gives the REST form (the athlete is in the URL). */
export function validBody(command: string, withAthlete = true): fc.Arbitrary<Record<string, unknown>> {
  const key = EXTRA_FIELD[command]?.key;
  const required = [...(withAthlete ? ['athlete'] : []), ...(key ? [key] : [])];
  const fields: Record<string, fc.Arbitrary<unknown>> = { transaction: transactionArb };
  if (withAthlete) fields.athlete = athleteIdArb;
  if (key) fields[key] = EXTRA_VALUE[command];
  return fc.record(fields, { requiredKeys: required });
}
