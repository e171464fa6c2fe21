/**
 * The MQTT sink: maps the gateway's events onto the topics of docs/INTERFACES.md §6. Never blocks or throws into the
 * sensing pipeline: live frames are decimated to ≤ 50 Hz per athlete and dropped (counted) whenever the client
 * is disconnected or its socket is backed up; everything else goes through the bounded outbox.
 */
import type { MqttClient } from 'mqtt';
import type { GatewayEvent, PublishedLive, PublishedRep, SetRef } from '../core/domain.ts';
import type { Logger } from '../core/logger.ts';
import type { Outbox } from './outbox.ts';
import type { Topics } from './topics.ts';
import { LiveDecimator } from '../core/live-decimator.ts';
import { plainEncoder } from './signing.ts';
import type { PayloadEncoder } from './signing.ts';

/** Live frames closer than this (in the frame's own time, seconds) to the last one published are skipped. */
export const LIVE_MIN_INTERVAL_S = 1 / 50;
/** Bytes waiting in the client's socket beyond which a live frame is dropped rather than added. */
const LIVE_BACKLOG_BYTES = 64 * 1024;

/**
 * Extension topic `<root>/athletes/<id>/stats` (retained, QoS 1): the running numbers a state-only consumer
 * (Home Assistant) needs, since reps themselves are not retained.
 */
export interface AthleteStats {
  readonly athlete: string;
  readonly session: string | null;
  readonly set: number | null;
  /** Reps in the current set, 0 right after a set starts. */
  readonly set_reps: number;
  readonly session_reps: number;
  readonly last_rep_id: string | null;
  readonly last_depth_cm: number | null;
  readonly last_wink_deg: number | null;
  readonly last_butt_wink: boolean | null;
}

export interface MqttSinkStats {
  readonly livePublished: number;
  /** Live frames dropped because the client was disconnected or backed up (decimation not counted). */
  readonly liveDropped: number;
  readonly liveDecimated: number;
}

export class MqttSink {
  private readonly decimator = new LiveDecimator(LIVE_MIN_INTERVAL_S);
  private readonly athleteStats = new Map<string, AthleteStats>();
  private livePublished = 0;
  private liveDropped = 0;

  constructor(
    private readonly topics: Topics,
    private readonly client: MqttClient,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
    private readonly encode: PayloadEncoder = plainEncoder,
  ) {}

  handle(event: GatewayEvent): void {
    try {
      this.route(event);
    } catch (err) {
      this.logger.error('mqtt sink failed on an event', { kind: event.kind, error: (err as Error).message });
    }
  }

  stats(): MqttSinkStats {
    return { livePublished: this.livePublished, liveDropped: this.liveDropped, liveDecimated: this.decimator.dropped };
  }

  private route(event: GatewayEvent): void {
    switch (event.kind) {
      case 'live':
        return this.publishLive(event.live);
      case 'rep':
        this.outbox.send(this.topics.reps(event.rep.athlete), event.rep, false);
        return this.countRep(event.rep);
      case 'cue':
        return this.outbox.send(this.topics.cue(event.cue.athlete), event.cue, false);
      case 'session':
        return this.outbox.send(this.topics.session(event.session.athlete), event.session, true);
      case 'sensor':
        return this.outbox.send(this.topics.sensor(event.sensor.id), event.sensor, true);
      case 'set-started':
        return this.startSet(event.ref);
      case 'set-ended':
        return;
    }
  }

  private publishLive(live: PublishedLive): void {
    if (!this.decimator.take(live.athlete, live.t)) return;
    const stream = this.client.stream as { writableLength?: number } | undefined;
    if (!this.client.connected || (stream?.writableLength ?? 0) > LIVE_BACKLOG_BYTES) {
      this.liveDropped += 1;
      return;
    }
    const topic = this.topics.live(live.athlete);
    this.client.publish(topic, this.encode(topic, live), { qos: 0, retain: false });
    this.livePublished += 1;
  }

  private startSet(ref: SetRef): void {
    const previous = this.athleteStats.get(ref.athlete);
    const sameSession = previous?.session === ref.session;
    this.publishStats({
      ...(previous ?? emptyStats(ref.athlete)),
      session: ref.session,
      set: ref.set,
      set_reps: 0,
      session_reps: sameSession ? (previous?.session_reps ?? 0) : 0,
    });
  }

  private countRep(rep: PublishedRep): void {
    const previous = this.athleteStats.get(rep.athlete) ?? emptyStats(rep.athlete);
    const sameSession = previous.session === rep.session;
    const sameSet = sameSession && previous.set === rep.set;
    this.publishStats({
      athlete: rep.athlete,
      session: rep.session,
      set: rep.set,
      set_reps: (sameSet ? previous.set_reps : 0) + 1,
      session_reps: (sameSession ? previous.session_reps : 0) + 1,
      last_rep_id: rep.id,
      last_depth_cm: rep.depth_cm,
      last_wink_deg: rep.wink_deg,
      last_butt_wink: rep.butt_wink,
    });
  }

  private publishStats(stats: AthleteStats): void {
    this.athleteStats.set(stats.athlete, stats);
    this.outbox.send(this.topics.stats(stats.athlete), stats, true);
  }
}

function emptyStats(athlete: string): AthleteStats {
  return {
    athlete,
    session: null,
    set: null,
    set_reps: 0,
    session_reps: 0,
    last_rep_id: null,
    last_depth_cm: null,
    last_wink_deg: null,
    last_butt_wink: null,
  };
}
