/**
 * The gateway's domain: athletes, their sensors, sessions, sets, and the facts the sensing core produces about
 * them, as every sink (MQTT, SQLite, WebSocket, recordings) receives them.
 */
import type { Placement, SensorFace } from '../../shared/imu.ts';
import type { CueEvent, LiveFrame, RepEvent } from '../sensing/events.ts';
import type { SessionSummary } from '../coach/session-summary.ts';
import type { OutputRateHz } from '../../shared/protocol/index.ts';

/**
 * Which decoder a sensor's notifications need: a name from the driver registry (gateway/ble/drivers/index.ts,
 * DRIVER_NAMES), checked wherever a name comes in (config, store, historian).
 */
export type DriverName = string;

export interface SensorAssignment {
  /** Id used in recordings and payloads, unique in the gateway, e.g. `S1`. */
  readonly id: string;
  readonly placement: Placement;
  readonly driver: DriverName;
  /** BLE address (lowercase, colon-separated) or advertised local name; null: take the first unassigned one. */
  readonly match: string | null;
  /** Which way round it is worn, when configured; null or absent: found from the movement. */
  readonly face?: SensorFace | null;
  /** Output rate to ask the sensor for, Hz, when its driver can set one; null or absent: the driver's default. */
  readonly rateHz?: OutputRateHz | null;
}

export interface Athlete {
  readonly id: string;
  readonly name: string;
  readonly sensors: readonly SensorAssignment[];
  readonly cutoffCm: number | null;
  readonly winkThresholdDeg: number;
}

/** A sensor's state as MQTT `squatmon/sensors/<id>` and the dashboard show it (retained). */
export interface SensorState {
  readonly id: string;
  readonly athlete: string;
  readonly placement: Placement;
  readonly driver: DriverName;
  readonly connected: boolean;
  /** Battery %, null when unknown. */
  readonly battery: number | null;
  /** Output rate, Hz, null when unknown. */
  readonly rate: number | null;
  readonly rssi: number | null;
  /** Gateway time (ms since the epoch) of the last sample, null before any. */
  readonly last_seen: number | null;
  readonly simulated: boolean;
  /** Frames lost so far in this connection's session (sequence gaps). */
  readonly frames_lost: number;
  /** Notifications dropped as repeats (sequence number already seen) in this session: a radio-quality sign. */
  readonly duplicates_dropped: number;
  /**
   * Samples dropped in this session because no working IMU can give them (non-finite, or beyond ±16 g or
   * ±2000 °/s on an axis): they never reach the sensing pipeline.
   */
  readonly samples_rejected: number;
  /** Which way round the sensor is worn, as configured or found from the movement; null while unknown. */
  readonly face?: SensorFace | null;
}

/** Identifies where a fact belongs. Ids are stable strings (safe to de-duplicate on). */
export interface SetRef {
  readonly athlete: string;
  readonly session: string;
  /** 1-based set number within the session. */
  readonly set: number;
}

/** A rep as published and stored: the sensing core's rep plus its identity. */
export interface PublishedRep extends RepEvent, SetRef {
  /** `<session>/<set>/<index>`: unique and stable. */
  readonly id: string;
  readonly simulated: boolean;
}

export interface PublishedCue extends CueEvent, SetRef {
  readonly simulated: boolean;
}

export interface PublishedLive extends LiveFrame {
  readonly athlete: string;
  readonly simulated: boolean;
}

export interface PublishedSession extends SessionSummary {
  readonly athlete: string;
  readonly session: string;
  readonly simulated: boolean;
}

export function repId(ref: SetRef, index: number): string {
  return `${ref.session}/${ref.set}/${index}`;
}

/** What the service tells its sinks, in order. */
export type GatewayEvent =
  | { readonly kind: 'live'; readonly live: PublishedLive }
  | { readonly kind: 'rep'; readonly rep: PublishedRep }
  /** receivedAt: performance.now() (ms) when the samples that produced the cue reached the gateway. */
  | { readonly kind: 'cue'; readonly cue: PublishedCue; readonly receivedAt?: number }
  | { readonly kind: 'session'; readonly session: PublishedSession }
  | { readonly kind: 'sensor'; readonly sensor: SensorState }
  | { readonly kind: 'set-started'; readonly ref: SetRef; readonly startedAt: number; readonly recording: string | null }
  | { readonly kind: 'set-ended'; readonly ref: SetRef; readonly endedAt: number };

/** The athlete an event is about. */
export function athleteOf(event: GatewayEvent): string {
  switch (event.kind) {
    case 'live':
      return event.live.athlete;
    case 'rep':
      return event.rep.athlete;
    case 'cue':
      return event.cue.athlete;
    case 'session':
      return event.session.athlete;
    case 'sensor':
      return event.sensor.athlete;
    case 'set-started':
    case 'set-ended':
      return event.ref.athlete;
  }
}
