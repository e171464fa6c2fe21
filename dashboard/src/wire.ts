/**
 * What the gateway sends the page, typed from the gateway's own definitions (type-only imports: nothing of the
 * gateway is bundled) so the dashboard and the server cannot drift apart silently.
 */
import type { Athlete, PublishedCue, PublishedLive, PublishedRep, PublishedSession, SensorState } from '../../gateway/core/domain.ts';
import type { LiveSnapshot } from '../../gateway/http/ws-messages.ts';
import type { CorrectivePlan } from '../../gateway/coach/plan.ts';
import type { SessionDetail, SessionOverview, StoredRep, StoredSet, TrendPoint } from '../../gateway/store/history-store.ts';
import type { TraceFrame } from '../../gateway/http/set-trace.ts';
import type { PelvicTilt } from '../../shared/posture.ts';

export type { Athlete, CorrectivePlan, PelvicTilt, PublishedCue, PublishedLive, PublishedRep, PublishedSession, SensorState };
export type { SessionDetail, SessionOverview, StoredRep, StoredSet, TraceFrame, TrendPoint };

export interface SetStartedMessage {
  readonly type: 'set_started';
  readonly athlete: string;
  readonly session: string;
  readonly set: number;
  readonly started_at: number;
  readonly recorded: boolean;
}

export interface SetEndedMessage {
  readonly type: 'set_ended';
  readonly athlete: string;
  readonly session: string;
  readonly set: number;
  readonly ended_at: number;
}

/** Every message of the `/ws` protocol (gateway/http/ws-messages.ts). */
export type ServerMessage =
  | { readonly type: 'hello'; readonly protocol: number; readonly snapshot: LiveSnapshot | null }
  | PublishedLive
  | PublishedRep
  | PublishedCue
  | PublishedSession
  | ({ readonly type: 'sensor' } & SensorState)
  | SetStartedMessage
  | SetEndedMessage
  | { readonly type: 'subscribed'; readonly athletes: '*' | string[] }
  | { readonly type: 'pong' }
  | { readonly type: 'error'; readonly error: string };

/** GET /api/athletes/:id/plan. */
export interface PlanResponse {
  readonly athlete: string;
  readonly pelvic_tilt: PelvicTilt | null;
  readonly plan: CorrectivePlan | null;
  readonly message: string | null;
  readonly stopping_depth: {
    readonly session: string;
    readonly suggested_cutoff_cm: number | null;
    readonly suggestion_basis?: unknown;
    readonly advice: string;
  } | null;
  readonly current_cutoff_cm: number | null;
  readonly disclaimer: string;
}

/** GET /api/sessions/:id/sets/:set/trace: the set's curve from its recording; with `?rep=N`, that rep and its stretch. */
export interface SetTraceResponse {
  readonly session: string;
  readonly set: number;
  /** True for a set still open: the frames are those of its recording so far. */
  readonly open: boolean;
  /** Where the recording's end was cut off (the gateway stopped during the set): the frames end there. */
  readonly cut_off?: string;
  readonly rep?: StoredRep;
  readonly frames: TraceFrame[];
}

export type { CalibrationKind } from '../../gateway/core/commands.ts';
