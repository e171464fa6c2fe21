/**
 * The timeline of a stored set for replay. From the set's recording (the gateway's trace), the set as it happened,
 * at its own pace. Without a recording, the reps in order, each with its curve — the one this browser captured
 * live, or else one drawn from the rep's summary (standing → the rep's depth at its bottom time → standing), marked
 * approximate — with the standing between reps shortened so a replay does not dwell on rests.
 */
import type { CurveSource } from './recorded-curves.ts';
import type { RepTrace } from './rep-traces.ts';
import type { StoredRep, TraceFrame } from './wire.ts';

export interface ReplayFrame {
  readonly t: number;
  readonly depth: number;
  readonly flexion: number | null;
  readonly tilt: number | null;
}

export interface ReplayTimeline {
  readonly frames: ReplayFrame[];
  /** When each rep has ended on the timeline, in rep order. */
  readonly repEnds: { readonly t: number; readonly rep: StoredRep }[];
  /** Reps whose curve is drawn from their summary. */
  readonly approximateReps: number;
  readonly duration: number;
  /** Where the curves come from. */
  readonly source: CurveSource;
}

const STEP_S = 0.04;
const LEAD_IN_S = 1;
const MAX_PAUSE_S = 1.5;

/** Standing → depth at the bottom → standing, with a smooth (half-cosine) descent and ascent. */
function approximateTrace(rep: StoredRep): RepTrace {
  const down = Math.max(0.2, rep.t_bottom - rep.t_start);
  const up = Math.max(0.2, rep.t_end - rep.t_bottom);
  const t: number[] = [];
  const depth: number[] = [];
  for (let s = 0; s <= down + up + 1e-9; s += STEP_S) {
    const phase = s <= down ? s / down : 1 - (s - down) / up;
    t.push(s);
    depth.push((rep.depth_cm * (1 - Math.cos(Math.PI * phase))) / 2);
  }
  return { t, depth, flexion: t.map(() => null), tilt: t.map(() => null) };
}

export function buildReplayTimeline(reps: readonly StoredRep[], traceOf: (repId: string) => RepTrace | null): ReplayTimeline {
  const frames: ReplayFrame[] = [];
  const repEnds: { t: number; rep: StoredRep }[] = [];
  let approximateReps = 0;
  let clock = 0;
  const stand = (seconds: number) => {
    for (let s = 0; s < seconds; s += STEP_S) frames.push({ t: clock + s, depth: 0, flexion: null, tilt: null });
    clock += seconds;
  };
  stand(LEAD_IN_S);
  reps.forEach((rep, i) => {
    let trace = traceOf(rep.id);
    if (trace === null) {
      trace = approximateTrace(rep);
      approximateReps++;
    }
    const start = clock;
    for (let k = 0; k < trace.t.length; k++) frames.push({ t: start + trace.t[k], depth: trace.depth[k], flexion: trace.flexion[k], tilt: trace.tilt[k] });
    clock = start + (trace.t.at(-1) ?? 0);
    repEnds.push({ t: clock, rep });
    const next = reps[i + 1];
    stand(next === undefined ? LEAD_IN_S : Math.min(MAX_PAUSE_S, Math.max(STEP_S, next.t_start - rep.t_end)));
  });
  return { frames, repEnds, approximateReps, duration: clock, source: 'browser' };
}

/**
 * The set as recorded: its frames at their own times, from LEAD_IN_S before its first rep to LEAD_IN_S after its
 * last (the recording's pre-roll before, and the wait for the set to close after, are only standing).
 */
export function recordedTimeline(frames: readonly TraceFrame[], reps: readonly StoredRep[]): ReplayTimeline {
  const firstT = frames[0]?.t ?? 0;
  const lastT = frames.at(-1)?.t ?? 0;
  const from = reps.length === 0 ? firstT : Math.max(firstT, reps[0].t_start - LEAD_IN_S);
  const to = reps.length === 0 ? lastT : Math.min(lastT, reps[reps.length - 1].t_end + LEAD_IN_S);
  const shown = frames
    .filter((f) => f.t >= from && f.t <= to)
    .map((f) => ({ t: f.t - from, depth: f.depth_cm, flexion: f.lumbar_flexion_deg, tilt: f.pelvic_tilt_deg }));
  const repEnds = reps.map((rep) => ({ t: rep.t_end - from, rep }));
  return { frames: shown, repEnds, approximateReps: 0, duration: Math.max(to - from, repEnds.at(-1)?.t ?? 0), source: 'recording' };
}
