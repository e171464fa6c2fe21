/**
 * The historian's core: every message a gateway published, checked, becomes the GatewayEvent that gateway's
 * sinks saw — for this process's sinks (the history store through StoreSink, the dashboard's WebSocket hub).
 *
 * The store wants athlete → session → set before a rep or cue, but the MQTT contract carries no "set started"
 * and no athlete record: they are created here the first time a rep, cue, summary, sensor or live frame names
 * them. The store applies writes in call order, so issuing those writes and then the event (without waiting)
 * stores the set before its rep; rep ids are stable and inserts idempotent, so a QoS 1 redelivery or a
 * re-created session or set changes nothing.
 */
import { DEFAULT_WINK_THRESHOLD_DEG } from '../../shared/posture.ts';
import type { SessionSummary } from '../coach/session-summary.ts';
import type { HistoryStore } from '../store/history-store.ts';
import type { Athlete, GatewayEvent, PublishedSession, SensorAssignment, SensorState, SetRef } from '../core/domain.ts';
import { athleteOf } from '../core/domain.ts';
import type { HistorianFact, MessageTrust } from './historian-messages.ts';
import { parseHistorianMessage } from './historian-messages.ts';
import type { Logger } from '../core/logger.ts';

export interface HistorianIngestOptions {
  readonly root: string;
  readonly store: HistoryStore;
  readonly emit: (event: GatewayEvent) => void;
  readonly logger: Logger;
  /** Whom to believe (historian-messages.ts). */
  readonly trust: MessageTrust;
  /** Ms since the epoch. */
  readonly now?: () => number;
}

export interface HistorianIngestStats {
  /** Messages turned into events. */
  readonly accepted: number;
  /** Messages dropped because their payload was wrong. */
  readonly dropped: number;
  /** Messages refused because no trusted gateway signed them. */
  readonly refused: number;
}

/**
 * Sessions and sets already created, remembered to spare a write per rep. Forgetting is harmless (the next rep
 * re-creates them, idempotently), so the memory is simply emptied when it grows this large.
 */
const REMEMBERED_LIMIT = 10_000;

/** Start of the session its id names (`YYYYMMDD-HHMMSS-<athlete>`, UTC), ms since the epoch. */
export function sessionStartOf(sessionId: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-/.exec(sessionId);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  return Number.isFinite(ms) ? ms : null;
}

export class HistorianIngest {
  private readonly athletes = new Map<string, Athlete>();
  private readonly sessions = new Set<string>();
  private readonly sets = new Set<string>();
  private readonly now: () => number;
  private accepted = 0;
  private dropped = 0;
  private refused = 0;
  private lastDropReason = '';
  /** Refusal reasons already logged: each is logged once (a forger may flood), with the running count in stats. */
  private readonly refusalsLogged = new Set<string>();

  constructor(private readonly options: HistorianIngestOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Knows the athletes already stored, so their names and settings are kept. */
  async load(): Promise<void> {
    for (const athlete of await this.options.store.listAthletes()) this.athletes.set(athlete.id, athlete);
  }

  /** Every athlete seen (or stored before), ordered by id. */
  knownAthletes(): Athlete[] {
    return [...this.athletes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  stats(): HistorianIngestStats {
    return { accepted: this.accepted, dropped: this.dropped, refused: this.refused };
  }

  /** One message from the broker. `retained`: delivered because of our subscription, not as it happened. */
  accept(topic: string, payload: Uint8Array, retained: boolean): void {
    const parsed = parseHistorianMessage(this.options.root, topic, payload, this.options.trust);
    if (parsed.status === 'ignored') return;
    if (parsed.status === 'refused') {
      this.refused += 1;
      if (this.refusalsLogged.size < 100 && !this.refusalsLogged.has(parsed.reason)) {
        this.refusalsLogged.add(parsed.reason);
        this.options.logger.warn('historian: message refused, not from a trusted gateway (further ones with this reason are only counted)', {
          topic,
          reason: parsed.reason,
        });
      }
      return;
    }
    if (parsed.status === 'invalid') {
      this.dropped += 1;
      // One line per kind of problem, not one per message, while a publisher keeps sending it.
      if (parsed.error !== this.lastDropReason) this.options.logger.warn('historian: message dropped', { topic, error: parsed.error });
      this.lastDropReason = parsed.error;
      return;
    }
    this.accepted += 1;
    this.record(parsed.fact, retained);
  }

  private record(fact: HistorianFact, retained: boolean): void {
    const { emit } = this.options;
    switch (fact.kind) {
      case 'rep':
        this.ensureSet(fact.rep, fact.rep.simulated, fact.rep.t_start);
        return emit({ kind: 'rep', rep: fact.rep });
      case 'cue':
        this.ensureSet(fact.cue, fact.cue.simulated, fact.cue.t);
        return emit({ kind: 'cue', cue: fact.cue });
      case 'session':
        this.ensureSession(fact.session.athlete, fact.session.session, fact.session.simulated);
        this.storeSummary(fact.session, retained);
        return emit({ kind: 'session', session: fact.session });
      case 'sensor':
        this.ensureAthlete(athleteOf(fact), fact.sensor);
        return emit({ kind: 'sensor', sensor: fact.sensor });
      case 'live':
        this.ensureAthlete(fact.live.athlete, null, fact.live.cutoff_cm);
        return emit({ kind: 'live', live: fact.live });
    }
  }

  /**
   * Creates the athlete when new; adds a sensor it did not have and follows a changed cutoff (live frames carry
   * it), since the broker is the historian's only source of athlete settings.
   */
  private ensureAthlete(id: string, sensor: SensorState | null, cutoffCm?: number | null): void {
    const known = this.athletes.get(id);
    let athlete: Athlete = known ?? { id, name: id, sensors: [], cutoffCm: null, winkThresholdDeg: DEFAULT_WINK_THRESHOLD_DEG };
    if (sensor !== null && !hasSensor(athlete, sensor)) {
      const assignment: SensorAssignment = { id: sensor.id, placement: sensor.placement, driver: sensor.driver, match: null };
      athlete = { ...athlete, sensors: [...athlete.sensors.filter((s) => s.id !== sensor.id), assignment] };
    }
    if (cutoffCm !== undefined && cutoffCm !== athlete.cutoffCm && (cutoffCm === null || cutoffCm > 0)) athlete = { ...athlete, cutoffCm };
    if (athlete === known) return;
    this.athletes.set(id, athlete);
    this.write(this.options.store.upsertAthlete(athlete), `athlete ${id}`, () => {
      // Not stored: forget it, so the next message about the athlete tries again.
      if (this.athletes.get(id) !== athlete) return;
      if (known === undefined) this.athletes.delete(id);
      else this.athletes.set(id, known);
    });
  }

  private ensureSession(athlete: string, session: string, simulated: boolean): void {
    this.ensureAthlete(athlete, null);
    if (this.sessions.has(session)) return;
    remember(this.sessions, session);
    const startedAt = sessionStartOf(session) ?? this.now();
    this.write(this.options.store.startSession({ id: session, athlete, startedAt, simulated }), `session ${session}`, () =>
      this.sessions.delete(session),
    );
  }

  /**
   * The set's start is not published: estimated from the session's start plus the gateway time (s, counted from
   * the session's first sample) of the first fact seen in it, and never later than now.
   */
  private ensureSet(ref: SetRef, simulated: boolean, t: number): void {
    this.ensureSession(ref.athlete, ref.session, simulated);
    const key = `${ref.session}/${ref.set}`;
    if (this.sets.has(key)) return;
    remember(this.sets, key);
    const sessionStart = sessionStartOf(ref.session) ?? this.now();
    const startedAt = Math.min(this.now(), sessionStart + Math.max(0, t) * 1000);
    this.write(
      this.options.store.startSet({ session: ref.session, set: ref.set, athlete: ref.athlete, startedAt, recording: null }),
      `set ${key}`,
      () => this.sets.delete(key),
    );
  }

  /**
   * The retained summary follows the session as it goes; the latest one is stored with the time it arrived as
   * the session's end. A retained copy delivered at subscription is old news: it is stored only for a session
   * the history has no summary of.
   */
  private storeSummary(published: PublishedSession, retained: boolean): void {
    const { athlete: _athlete, session: id, simulated: _simulated, ...summary } = published;
    const endedAt = this.now();
    const { store } = this.options;
    const write = async () => {
      if (retained && (await store.getSession(id))?.summary != null) return;
      await store.endSession(id, endedAt, summary as SessionSummary);
    };
    this.write(write(), `summary of session ${id}`, () => undefined);
  }

  private write(promise: Promise<unknown>, what: string, onFailure: () => void): void {
    promise.catch((err: Error) => {
      onFailure();
      this.options.logger.error(`historian: ${what} not stored`, { error: err.message });
    });
  }
}

function hasSensor(athlete: Athlete, sensor: SensorState): boolean {
  return athlete.sensors.some((s) => s.id === sensor.id && s.placement === sensor.placement && s.driver === sensor.driver);
}

function remember(memory: Set<string>, key: string): void {
  if (memory.size >= REMEMBERED_LIMIT) memory.clear();
  memory.add(key);
}
