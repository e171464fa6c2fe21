/**
 * The rep-history store: what the gateway keeps about athletes, sessions, sets, reps, cues, calibrations and
 * recording files, and the queries the REST API and the dashboard's history need. Asynchronous so that a
 * networked backend (PostgreSQL) fits behind the same interface as the embedded SQLite one.
 *
 * Times are milliseconds since the epoch. Rep and cue objects keep the contract's snake_case fields
 * (docs/INTERFACES.md §4, §6); the store's own records use camelCase.
 */
import type { Athlete, PublishedCue, PublishedRep } from '../core/domain.ts';
import type { SessionSummary } from '../coach/session-summary.ts';
import type { CalibrationKind } from '../core/commands.ts';

export type { CalibrationKind };

export interface NewSession {
  readonly id: string;
  readonly athlete: string;
  readonly startedAt: number;
  readonly simulated: boolean;
}

export interface NewSet {
  readonly session: string;
  /** 1-based set number within the session. */
  readonly set: number;
  readonly athlete: string;
  readonly startedAt: number;
  /** Path of the set's raw recording file, null when the set is not recorded. */
  readonly recording: string | null;
}

export interface NewCalibration {
  readonly athlete: string;
  readonly kind: CalibrationKind;
  readonly at: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface StoredCalibration extends NewCalibration {
  readonly id: number;
}

/** Aggregates over a group of stored reps (a set, a session). Null where there are no reps to aggregate. */
export interface RepAggregates {
  readonly reps: number;
  readonly meanDepthCm: number | null;
  /** Largest lumbar flexion of any rep; null with one sensor. */
  readonly maxFlexionDeg: number | null;
  /** Fraction (0..1) of the reps flagged `butt_wink`. */
  readonly winkRate: number | null;
}

export interface StoredSet extends RepAggregates {
  readonly session: string;
  readonly set: number;
  readonly athlete: string;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly recording: string | null;
}

export interface SessionOverview extends RepAggregates {
  readonly id: string;
  readonly athlete: string;
  readonly startedAt: number;
  /** Null while the session runs (or when the gateway died before ending it). */
  readonly endedAt: number | null;
  readonly simulated: boolean;
  readonly setCount: number;
  /** From the session summary; null until the session has ended. */
  readonly suggestedCutoffCm: number | null;
  readonly summary: SessionSummary | null;
}

export interface SessionDetail extends SessionOverview {
  readonly sets: readonly StoredSet[];
}

/** A stored rep: the rep exactly as published (every field, including ones added later) and its session's start. */
export interface StoredRep extends PublishedRep {
  readonly session_started_at: number;
}

/** One point of an athlete's trend: one session that has reps. */
export interface TrendPoint extends RepAggregates {
  readonly session: string;
  readonly startedAt: number;
  readonly simulated: boolean;
  readonly suggestedCutoffCm: number | null;
}

export interface Page {
  /** At most this many rows; all when absent. */
  readonly limit?: number;
  readonly offset?: number;
}

/** `from` is inclusive, `to` exclusive; both compare with the session's start time. */
export interface TimeRange {
  readonly from?: number;
  readonly to?: number;
}

export interface SessionFilter extends TimeRange, Page {
  readonly athlete?: string;
}

export interface RepFilter extends TimeRange, Page {
  readonly athlete?: string;
  readonly session?: string;
  readonly set?: number;
  readonly buttWink?: boolean;
}

export interface CueFilter {
  readonly session: string;
  readonly set?: number;
}

export interface CalibrationFilter extends Page {
  readonly athlete: string;
  readonly kind?: CalibrationKind;
}

/**
 * Every method validates its input first (bad input: StoreError 'invalid', nothing written) and reports storage
 * failures as StoreError with a code; a failed write changes nothing. Inserts of facts with stable ids are
 * idempotent and resolve to whether a row was added.
 */
export interface HistoryStore {
  /** Inserts the athlete or replaces its name, sensors and settings. */
  upsertAthlete(athlete: Athlete): Promise<void>;
  getAthlete(id: string): Promise<Athlete | null>;
  /** Ordered by id. */
  listAthletes(): Promise<Athlete[]>;

  /** False when a session with that id already exists (it is left unchanged). */
  startSession(session: NewSession): Promise<boolean>;
  /** Records the end and the session summary; 'not_found' for an unknown session. Repeating it overwrites. */
  endSession(id: string, endedAt: number, summary: SessionSummary): Promise<void>;
  /** False when the set already exists (it is left unchanged). */
  startSet(set: NewSet): Promise<boolean>;
  endSet(session: string, set: number, endedAt: number): Promise<void>;

  /** False when a rep with that id is already stored. The rep's set must have been started. */
  insertRep(rep: PublishedRep): Promise<boolean>;
  /** Idempotent on (session, set, rep). */
  insertCue(cue: PublishedCue): Promise<boolean>;
  /** Resolves to the calibration's id. */
  addCalibration(calibration: NewCalibration): Promise<number>;

  /** Newest first, with per-session rep aggregates. */
  listSessions(filter?: SessionFilter): Promise<SessionOverview[]>;
  /** The session with its sets (in set order), null when unknown. */
  getSession(id: string): Promise<SessionDetail | null>;
  /** Chronological: session start, set, rep index. */
  listReps(filter?: RepFilter): Promise<StoredRep[]>;
  /** Chronological: set, rep. */
  listCues(filter: CueFilter): Promise<PublishedCue[]>;
  /** Newest first. */
  listCalibrations(filter: CalibrationFilter): Promise<StoredCalibration[]>;
  /** One point per session that has reps, oldest first. */
  trends(athlete: string): Promise<TrendPoint[]>;
  /** The set's recording file, null when the set is unknown or was not recorded. */
  recordingPath(session: string, set: number): Promise<string | null>;

  /** Finishes pending writes and closes; later calls fail with 'closed'. */
  close(): Promise<void>;
}
