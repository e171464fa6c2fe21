/**
 * Where the gateway's samples come from. A Source is built from the config by the composition root, told at
 * start how to reach the rest of the gateway (SourceHost), and stopped at shutdown; the gateway knows nothing
 * else of it. Sources: sensors over BLE, real or simulated (sensor-source.ts), a recording replayed
 * (recording-source.ts), and for a historian the facts other gateways publish (service/historian.ts).
 */
import type { SensorFace } from '../../shared/imu.ts';
import type { ImuSample } from '../../shared/imu.ts';
import type { GyroBias } from '../../shared/recording/index.ts';
import type { Athlete, GatewayEvent } from '../core/domain.ts';
import type { Sink } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';

/** An athlete's place in the gateway: samples go in here (its runtime: sensing, recording, events). */
export interface AthleteFeed {
  readonly athlete: Athlete;
  push(samples: readonly ImuSample[]): void;
  /** Which way round the sensor is worn, once found (for the sensor state). */
  sensorFace(sensorId: string): SensorFace | null;
}

export interface AddAthleteOptions {
  readonly keepSampleTimes?: boolean;
  readonly gyroBias?: ReadonlyMap<string, GyroBias>;
}

export interface SourceHost {
  readonly logger: Logger;
  /** The gateway's clock, s (runs faster than the wall in a sped-up simulation). */
  readonly clock: () => number;
  /** Whether the data is simulated (every published fact says so). */
  readonly simulated: boolean;
  /**
   * Starts an athlete's session; `keepSampleTimes`: the samples' own times are the session's (a replay);
   * `gyroBias`: gyroscope bias estimates to start the sensors' orientation filters from (a replayed recording's).
   */
  addAthlete(athlete: Athlete, options?: AddAthleteOptions): Promise<AthleteFeed>;
  /** Publishes a fact to every sink. */
  emit(event: GatewayEvent): void;
  /** Adds a sink (a source that acts on events, e.g. the haptic pulse on a cue). */
  subscribe(sink: Sink): void;
  /** A batch of samples arrived now: cues computed from it carry this time (latency measurement). */
  markArrival(): void;
}

export interface Source {
  /** The athletes known before start (none for a replay until its file is read, none for a historian). */
  readonly athletes: readonly Athlete[];
  /**
   * Resolves when the source has no more data — null at a clean end, the error that stopped it otherwise (a
   * replay reaching a bad line) — and never for live sources.
   */
  readonly done: Promise<Error | null>;
  start(host: SourceHost): Promise<void>;
  stop(): Promise<void>;
}
