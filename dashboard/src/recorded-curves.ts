/**
 * Curves of stored reps and sets for the history. The exact ones come from the gateway, which runs the set's
 * recording through the sensing pipeline again (GET …/sets/:set/trace; for a set still open, its recording so
 * far). Only when the gateway has no recording of the set (404: recordings switched off, the file gone) does the
 * history fall back on the curve this browser captured live — which exists only for reps it watched.
 */
import type { Api } from './api.ts';
import { ApiError } from './api.ts';
import type { RepTrace, RepTraceStore } from './rep-traces.ts';
import type { StoredRep, StoredSet, TraceFrame } from './wire.ts';

export type CurveSource = 'recording' | 'browser' | 'open-set' | 'cut-off';

export interface RepCurve {
  readonly trace: RepTrace;
  readonly source: CurveSource;
}

/** Frames of the gateway's trace as a rep's curve: times from the rep's start. */
export function repTraceFromFrames(frames: readonly TraceFrame[], repStartT: number): RepTrace {
  return {
    t: frames.map((f) => Math.round((f.t - repStartT) * 1000) / 1000),
    depth: frames.map((f) => f.depth_cm),
    flexion: frames.map((f) => f.lumbar_flexion_deg),
    tilt: frames.map((f) => f.pelvic_tilt_deg),
  };
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

/**
 * The rep's curve; null when the gateway has no recording and this browser did not watch the rep. A set still
 * open is traced by the gateway from its recording so far; only when that is unavailable (recordings off, the
 * set run by another gateway) is it drawn as this browser received it.
 */
export async function repCurve(api: Api, ownTraces: RepTraceStore, rep: StoredRep, setOpen = false): Promise<RepCurve | null> {
  try {
    const { frames, cut_off } = await api.setTrace(rep.session, rep.set, rep.index);
    const source: CurveSource = setOpen ? 'open-set' : cut_off === undefined ? 'recording' : 'cut-off';
    return { trace: repTraceFromFrames(frames, rep.t_start), source };
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const own = ownTraces.get(rep.id);
    return own === null ? null : { trace: own, source: 'browser' };
  }
}

/** The whole set's frames from its recording (so far, for an open set); null when the gateway has none. */
export async function recordedSetFrames(api: Api, set: StoredSet): Promise<TraceFrame[] | null> {
  try {
    return (await api.setTrace(set.session, set.set)).frames;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}
