/**
 * What the historian reads off the broker: a topic of docs/INTERFACES.md §6 and its JSON payload, checked (zod) and
 * turned back into the fact a gateway published. Gateways may publish under the historian's root itself
 * (`squatmon/athletes/…`) or under a level of their own below it (`squatmon/rack1/athletes/…`). Anything else
 * under the root (bridge state, requests and responses, stats) is not history and is ignored.
 */
import { z } from 'zod';
import { PLACEMENTS, SENSOR_FACES } from '../../shared/imu.ts';
import { DRIVER_NAMES } from '../ble/drivers/index.ts';
import { athleteIdSchema, cueSchema, repSchema, sessionIdSchema, sessionSummarySchema } from '../store/validation.ts';
import type { PublishedCue, PublishedLive, PublishedRep, PublishedSession, SensorState } from '../core/domain.ts';
import { athleteOf } from '../core/domain.ts';
import { verifySigned } from '../mqtt/signing.ts';

export type HistorianFact =
  | { readonly kind: 'rep'; readonly rep: PublishedRep }
  | { readonly kind: 'cue'; readonly cue: PublishedCue }
  | { readonly kind: 'session'; readonly session: PublishedSession }
  | { readonly kind: 'sensor'; readonly sensor: SensorState }
  | { readonly kind: 'live'; readonly live: PublishedLive };

export type ParsedMessage =
  | { readonly status: 'fact'; readonly fact: HistorianFact }
  /** Not a history topic, or an emptied retained topic. */
  | { readonly status: 'ignored' }
  | { readonly status: 'invalid'; readonly error: string }
  /** Not from a gateway this historian trusts (unsigned, unknown signer, wrong signature). */
  | { readonly status: 'refused'; readonly reason: string };

/**
 * Whom the historian believes: the gateways whose signing keys it holds (signer name → key), or — only where the
 * broker's ACL lets nobody else publish under the root — whatever the broker delivers.
 */
export type MessageTrust = { readonly gatewayKeys: ReadonlyMap<string, string> } | 'broker';

const nullableNumber = z.number().nullable();

const sessionOfAthlete = (s: { session: string; athlete: string }) => s.session.slice('YYYYMMDD-HHMMSS-'.length) === s.athlete;

const publishedSessionSchema = sessionSummarySchema
  .extend({ athlete: athleteIdSchema, session: sessionIdSchema, simulated: z.boolean() })
  .refine(sessionOfAthlete, { message: 'the session id does not end with its athlete id' });

const sensorStateSchema = z.looseObject({
  id: z.string().min(1).max(32),
  athlete: athleteIdSchema,
  placement: z.enum(PLACEMENTS),
  driver: z.enum(DRIVER_NAMES),
  connected: z.boolean(),
  battery: nullableNumber,
  rate: nullableNumber,
  rssi: nullableNumber,
  last_seen: nullableNumber,
  simulated: z.boolean(),
  frames_lost: z.number().int().min(0),
  // Added after the first release: a gateway of an earlier version does not send it.
  duplicates_dropped: z.number().int().min(0).default(0),
  samples_rejected: z.number().int().min(0).default(0),
  face: z.enum(SENSOR_FACES).nullable().default(null),
});

const liveSchema = z.looseObject({
  type: z.literal('live'),
  t: z.number(),
  depth_cm: z.number(),
  lumbar_flexion_deg: nullableNumber,
  pelvic_tilt_deg: nullableNumber,
  phase: z.enum(['standing', 'descent', 'bottom', 'ascent', 'moving']),
  cutoff_cm: nullableNumber,
  athlete: athleteIdSchema,
  simulated: z.boolean(),
});

type Route =
  | { readonly kind: 'rep' | 'cue' | 'session' | 'live'; readonly athlete: string }
  | { readonly kind: 'sensor'; readonly sensor: string };

const ATHLETE_LEAVES: Record<string, 'rep' | 'cue' | 'session' | 'live'> = { reps: 'rep', cue: 'cue', session: 'session', live: 'live' };

/** Where a topic under `root` leads, from its last levels; null for topics that are not history. */
export function routeOf(root: string, topic: string): Route | null {
  if (!topic.startsWith(`${root}/`)) return null;
  const levels = topic.slice(root.length + 1).split('/');
  const n = levels.length;
  if (n >= 3 && levels[n - 3] === 'athletes') {
    const kind = ATHLETE_LEAVES[levels[n - 1]!];
    return kind === undefined ? null : { kind, athlete: levels[n - 2]! };
  }
  if (n >= 2 && levels[n - 2] === 'sensors') return { kind: 'sensor', sensor: levels[n - 1]! };
  return null;
}

function problems(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** Checks one message completely; a fact comes out only when it is trusted and every field of it is right. */
export function parseHistorianMessage(root: string, topic: string, payload: Uint8Array, trust: MessageTrust): ParsedMessage {
  const route = routeOf(root, topic);
  if (route === null || payload.length === 0) return { status: 'ignored' };
  let json: unknown;
  if (trust === 'broker') {
    try {
      json = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch (err) {
      return { status: 'invalid', error: `not JSON (${(err as Error).message})` };
    }
  } else {
    const verified = verifySigned(topic, payload, trust.gatewayKeys);
    if (verified.status === 'refused') return verified;
    json = verified.json;
  }
  if (route.kind === 'sensor') {
    const sensor = check(sensorStateSchema, json);
    if (typeof sensor === 'string') return invalid(sensor);
    if (sensor.id !== route.sensor) return invalid(`sensor id ${sensor.id} published on the topic of ${route.sensor}`);
    return { status: 'fact', fact: { kind: 'sensor', sensor: sensor as SensorState } };
  }
  let fact: HistorianFact | string;
  switch (route.kind) {
    case 'rep': {
      const rep = check(repSchema, json);
      fact = typeof rep === 'string' ? rep : { kind: 'rep', rep: rep as PublishedRep };
      break;
    }
    case 'cue': {
      const cue = check(cueSchema, json);
      fact = typeof cue === 'string' ? cue : { kind: 'cue', cue: cue as PublishedCue };
      break;
    }
    case 'session': {
      const session = check(publishedSessionSchema, json);
      // The summary is checked as loosely as the store keeps it: extension fields (flexion_axis_deg) may be missing.
      fact = typeof session === 'string' ? session : { kind: 'session', session: session as unknown as PublishedSession };
      break;
    }
    case 'live': {
      const live = check(liveSchema, json);
      fact = typeof live === 'string' ? live : { kind: 'live', live: live as PublishedLive };
      break;
    }
  }
  if (typeof fact === 'string') return invalid(fact);
  if (athleteOf(fact) !== route.athlete) return invalid(`athlete ${athleteOf(fact)} published on the topic of ${route.athlete}`);
  return { status: 'fact', fact };
}

/** The checked value, or what is wrong with it. */
function check<S extends z.ZodType>(schema: S, json: unknown): z.output<S> | string {
  const result = schema.safeParse(json);
  return result.success ? result.data : problems(result.error);
}

function invalid(error: string): ParsedMessage {
  return { status: 'invalid', error };
}
