/**
 * The dashboard's WebSocket protocol (`/ws`). Server → client: `hello` (on connect, with the live snapshot),
 * `live`, `rep`, `cue`, `session`, `sensor`, `set_started`, `set_ended` (gateway events, payloads as on MQTT),
 * `subscribed`, `pong`, `error`. Client → server: `{"type":"subscribe","athletes":["a1"]|"*"}` and
 * `{"type":"ping"}`. Every message is a JSON object with a `type`.
 */
import { z } from 'zod';
import type { Athlete, GatewayEvent, PublishedRep, PublishedSession, SensorState, SetRef } from '../core/domain.ts';
import { athleteIdSchema } from '../store/validation.ts';

export const WS_PROTOCOL_VERSION = 1;
/** Athletes one subscription may name; a gateway serves a handful. */
const MAX_SUBSCRIBED_ATHLETES = 64;

/** What a newly opened page needs before the first event arrives. Built by the service. */
export interface LiveSnapshot {
  readonly athletes: readonly Athlete[];
  readonly sensors: readonly SensorState[];
  /** The latest reps of each athlete's current session (the last LAST_REPS_KEPT of each), oldest first. */
  readonly lastReps: readonly PublishedRep[];
  /**
   * Each athlete's running session summary as last published (MQTT `session`): rep count, posture, suggestion
   * and its basis. A page opened mid-set or between sets shows what MQTT and REST say, not what it has seen.
   */
  readonly sessions?: readonly PublishedSession[];
  /** The set each athlete has open now. */
  readonly openSets?: readonly SetRef[];
}

export type Subscription = '*' | ReadonlySet<string>;

const clientMessageSchemas = {
  subscribe: z.strictObject({
    type: z.literal('subscribe'),
    athletes: z.union([z.literal('*'), z.array(athleteIdSchema).max(MAX_SUBSCRIBED_ATHLETES)]),
  }),
  ping: z.strictObject({ type: z.literal('ping') }),
} as const;

export type ClientMessage =
  | { readonly type: 'subscribe'; readonly subscription: Subscription }
  | { readonly type: 'ping' };

/** The message, or the error to answer it with. */
export function parseClientMessage(text: string): ClientMessage | { readonly error: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: 'the message is not JSON' };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { error: 'a message is a JSON object with a "type"' };
  const type = (body as Record<string, unknown>).type;
  if (typeof type !== 'string' || !Object.hasOwn(clientMessageSchemas, type)) {
    return { error: `unknown message type ${JSON.stringify(type)}; known: ${Object.keys(clientMessageSchemas).join(', ')}` };
  }
  const parsed = clientMessageSchemas[type as keyof typeof clientMessageSchemas].safeParse(body);
  if (!parsed.success) {
    return { error: parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ') };
  }
  const message = parsed.data;
  if (message.type === 'ping') return { type: 'ping' };
  return { type: 'subscribe', subscription: message.athletes === '*' ? '*' : new Set(message.athletes) };
}

/** A gateway event as the browser receives it, with the athlete it belongs to (for the subscription filter). */
export interface OutgoingEvent {
  readonly athlete: string;
  readonly message: { readonly type: string };
}

export function outgoingEvent(event: GatewayEvent): OutgoingEvent {
  switch (event.kind) {
    case 'live':
      return { athlete: event.live.athlete, message: event.live };
    case 'rep':
      return { athlete: event.rep.athlete, message: event.rep };
    case 'cue':
      return { athlete: event.cue.athlete, message: event.cue };
    case 'session':
      return { athlete: event.session.athlete, message: event.session };
    case 'sensor':
      return { athlete: event.sensor.athlete, message: { type: 'sensor', ...event.sensor } };
    case 'set-started': {
      // The recording's path is the gateway's business; the page only needs to know whether there is one.
      const message = { type: 'set_started', ...event.ref, started_at: event.startedAt, recorded: event.recording !== null };
      return { athlete: event.ref.athlete, message };
    }
    case 'set-ended': {
      const message = { type: 'set_ended', ...event.ref, ended_at: event.endedAt };
      return { athlete: event.ref.athlete, message };
    }
  }
}

export function subscriptionToJson(subscription: Subscription): '*' | string[] {
  return subscription === '*' ? '*' : [...subscription].sort();
}
