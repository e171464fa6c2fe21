/**
 * Per-rep curves (depth, lumbar flexion, pelvic tilt through the rep), cut from the live frames this browser
 * received while the rep happened, and kept in the browser's storage. The history draws them only for sets the
 * gateway has no recording of (it computes exact curves from recordings); a rep nobody watched has none here.
 */
import type { PublishedLive, PublishedRep } from './wire.ts';

export interface RepTrace {
  /** Seconds from the rep's start. */
  readonly t: number[];
  readonly depth: number[];
  readonly flexion: (number | null)[];
  readonly tilt: (number | null)[];
}

const STORAGE_KEY = 'squatmon.rep-traces.v1';
/** Reps kept; the oldest go first. About 2 kB each, far below the storage quota. */
const MAX_TRACES = 400;
/** Frames either side of the rep's own span, s: the curve shows the rep begin and end. */
const MARGIN_S = 0.3;

export class RepTraceStore {
  private traces: Map<string, RepTrace>;

  constructor(private readonly storage: Storage) {
    this.traces = this.load();
  }

  get(repId: string): RepTrace | null {
    return this.traces.get(repId) ?? null;
  }

  /** Cuts the rep's frames out of `frames` (one athlete's, in time order) and keeps them; false when too few. */
  capture(rep: PublishedRep, frames: readonly PublishedLive[]): boolean {
    const inRep = frames.filter((f) => f.t >= rep.t_start - MARGIN_S && f.t <= rep.t_end + MARGIN_S);
    if (inRep.length < 3) return false;
    const round = (v: number) => Math.round(v * 100) / 100;
    this.traces.set(rep.id, {
      t: inRep.map((f) => round(f.t - rep.t_start)),
      depth: inRep.map((f) => round(f.depth_cm)),
      flexion: inRep.map((f) => (f.lumbar_flexion_deg === null ? null : round(f.lumbar_flexion_deg))),
      tilt: inRep.map((f) => (f.pelvic_tilt_deg === null ? null : round(f.pelvic_tilt_deg))),
    });
    while (this.traces.size > MAX_TRACES) this.traces.delete(this.traces.keys().next().value as string);
    this.save();
    return true;
  }

  private load(): Map<string, RepTrace> {
    try {
      const raw = this.storage.getItem(STORAGE_KEY);
      if (raw === null) return new Map();
      return new Map(Object.entries(JSON.parse(raw) as Record<string, RepTrace>));
    } catch {
      return new Map();
    }
  }

  private save(): void {
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(this.traces)));
    } catch {
      // Storage full or disabled (private browsing): the curves stay in memory for this visit.
    }
  }
}
