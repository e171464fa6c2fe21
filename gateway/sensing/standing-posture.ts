/**
 * The session's standing posture (docs/INTERFACES.md §2): sacral inclination and standing lordosis are measured in
 * the first quiet standing of the recording that lasts ≥ 2 s (the mean over the whole of that standing, up to
 * 10 s). If the lifter never stands still that long, the longest quiet standing seen is used.
 */
export const MIN_QUIET_STANDING_S = 2;
const MAX_AVERAGING_S = 10;

interface Period {
  start: number;
  end: number;
  sumSacrum: number;
  sumTrunk: number;
  count: number;
}

export class StandingPosture {
  private current: Period | null = null;
  private chosen: Period | null = null;
  private longest: Period | null = null;

  /**
   * Feeds one depth-sensor sample. `standing` = still at standing height; θ values in degrees (NaN when that
   * sensor is not worn).
   */
  update(t: number, standing: boolean, sacrumDeg: number, trunkDeg: number): void {
    if (this.chosen !== null && this.current === null) return;
    if (!standing) {
      this.closePeriod();
      return;
    }
    if (this.current === null) this.current = { start: t, end: t, sumSacrum: 0, sumTrunk: 0, count: 0 };
    const p = this.current;
    if (t - p.start > MAX_AVERAGING_S) return;
    p.end = t;
    p.sumSacrum += sacrumDeg;
    p.sumTrunk += trunkDeg;
    p.count++;
  }

  /**
   * The standing periods that lasted until `t` or later were no standing (pauses at the bottom taken for it:
   * athlete-pipeline.ts, resumeAtBottom): they are forgotten, so a later standing can be chosen.
   */
  forgetSince(t: number): void {
    this.current = null;
    if (this.chosen !== null && this.chosen.end >= t) this.chosen = null;
    if (this.longest !== null && this.longest.end >= t) this.longest = null;
  }

  private closePeriod(): void {
    const p = this.current;
    if (p === null) return;
    this.current = null;
    if (this.chosen !== null) return;
    if (p.end - p.start >= MIN_QUIET_STANDING_S) this.chosen = p;
    else if (this.longest === null || p.end - p.start > this.longest.end - this.longest.start) this.longest = p;
  }

  private best(): Period | null {
    if (this.chosen) return this.chosen;
    const open = this.current;
    if (open && open.end - open.start >= MIN_QUIET_STANDING_S) return open;
    if (open && (this.longest === null || open.end - open.start > this.longest.end - this.longest.start)) return open;
    return this.longest;
  }

  /** Has the lifter stood still for at least MIN_QUIET_STANDING_S? */
  hasQuietStanding(): boolean {
    const p = this.best();
    return p !== null && p.end - p.start >= MIN_QUIET_STANDING_S;
  }

  /** Length of the standing the posture is taken from, s (0 when none). */
  standingDurationS(): number {
    const p = this.best();
    return p === null ? 0 : p.end - p.start;
  }

  /** Mean sacral skin inclination in quiet standing, degrees; null if unknown. */
  sacralInclinationDeg(): number | null {
    const p = this.best();
    if (p === null || p.count === 0) return null;
    const v = p.sumSacrum / p.count;
    return Number.isFinite(v) ? v : null;
  }

  /** Mean thoracolumbar skin inclination in quiet standing, degrees; null if unknown. */
  trunkInclinationDeg(): number | null {
    const p = this.best();
    if (p === null || p.count === 0) return null;
    const v = p.sumTrunk / p.count;
    return Number.isFinite(v) ? v : null;
  }
}
