/**
 * Finds reps, causally, in the depth sensor's live depth. A rep is a descent of at least `startDepthCm` from
 * standing, a turn at the bottom and a return near standing; it ends at the first still moment after the
 * ascent (where the refined depth can close its integration), or — for touch-and-go reps with no still moment
 * — at the top between two reps. Walk-out and re-rack steps, weight shifts and fidgets move the sacrum a few
 * centimetres at most, far below the start depth, so they never start a rep. Whether a window really was a
 * rep is decided on its refined depth (athlete-pipeline.ts).
 */
import type { Phase } from './events.ts';
import { BRIDGE_GAP_S } from './vertical-kinematics.ts';

export interface RepDetectorParams {
  /** Live depth that starts a rep candidate, cm. */
  readonly startDepthCm: number;
  /** Forward tilt from the last anchor that starts a rep candidate once upright turns are found, deg. */
  readonly startTiltDeg: number;
  /** The ascent begins once the depth is this far above the deepest point (cm, or the fraction below). */
  readonly turnCm: number;
  readonly turnFraction: number;
  /** The rep may end once the live depth is back within this fraction of its maximum (plus 2 cm). */
  readonly topFraction: number;
  /** Without a still moment, the rep ends this long after the lifter got back to the top, s. */
  readonly topWithoutRestS: number;
  /** A candidate longer than this is abandoned (not a rep: sitting down, kneeling…), s. */
  readonly maxRepS: number;
  /** A candidate that comes to rest before reaching this depth was a dip, not a rep (e.g. a step), cm. */
  readonly minRestDepthCm: number;
  /** At rest this long after the turn, neither at the top nor at the bottom, the rep is over, s. */
  readonly endRestS: number;
}

export const DEFAULT_REP_DETECTOR: RepDetectorParams = Object.freeze({
  startDepthCm: 6,
  startTiltDeg: 4,
  turnCm: 3,
  turnFraction: 0.1,
  topFraction: 0.2,
  topWithoutRestS: 0.8,
  maxRepS: 15,
  minRestDepthCm: 10,
  endRestS: 1,
});

/** A rep window: buffer sequence numbers of its first and last samples, both at rest. */
export interface RepWindow {
  readonly startSeq: number;
  readonly endSeq: number;
}

type State = 'idle' | 'descent' | 'ascent';

/**
 * The depth at an upright turn: the live depth (`bridged` false; its deepest point is the candidate's), or the
 * candidate integrated from its start to the turn with zero velocity at both (`bridged`, see
 * athlete-pipeline.ts), with its own deepest point, cm.
 */
export interface TurnDepth {
  readonly atTurnCm: number;
  readonly deepestCm: number;
  readonly bridged: boolean;
}

/**
 * An upright turn (a minimum of the forward inclination, upright-turns.ts) ends the rep in its ascent only when
 * both the live depth and the inclination are back in the upper half of the rep; a deeper minimum is the
 * pelvis rolling back at the bottom (a butt wink), not the top.
 */
const UPRIGHT_TURN_SHARE = 0.5;
/** A rest after the turn at least this share of the deepest live depth down is a pause at the bottom. */
const BOTTOM_PAUSE_SHARE = 0.8;
/** Forward tilt from the candidate's start (deg) beyond which a rest is not the top (see stillBent). */
const STILL_BENT_DEG = 5;
/** With upright turns found, a rep back near the top with neither a turn nor a rest ends after this long, s. */
const TOP_WAIT_WITH_TURNS_S = 2;

export class RepDetector {
  private state: State = 'idle';
  private lastStillSeq = -1;
  private lastStillT = -Infinity;
  private startSeq = 0;
  private startT = 0;
  private maxDepth = 0;
  private topSeq = 0;
  private topDepth = Infinity;
  private topT = 0;
  private phaseNow: Phase = 'standing';
  private stillSinceT = Number.NaN;
  /** Forward inclination at the last anchor (rest or upright turn), at the candidate's start, and its maximum. */
  private anchorInclination = Number.NaN;
  private startInclination = Number.NaN;
  private maxInclination = -Infinity;
  private topInclination = Number.NaN;
  private maxDepthSeq = 0;
  private lastDepthCm = Number.NaN;
  private holeInCandidate = false;
  /** The candidate has a hole long enough that the live depth across it is unknown (noteHole). */
  private depthLostInCandidate = false;
  /** correctDeepest: the corrected path's deepest point, cm, and the sample it was given for. */
  private correctedDeepestCm = Number.NaN;
  private correctedAtSeq = -1;
  /** Whether upright turns come (the depth sensor's face is known), see uprightTurn. */
  uprightTurnsFound = false;

  constructor(private readonly params: RepDetectorParams = DEFAULT_REP_DETECTOR) {}

  /** True while a rep candidate is in progress (its descent has started and it has not ended). */
  get inRep(): boolean {
    return this.state !== 'idle';
  }

  get phase(): Phase {
    return this.phaseNow;
  }

  /** In a rep's descent (before the turn), whatever the displayed phase (a slow bottom shows as 'bottom'). */
  get descending(): boolean {
    return this.state === 'descent';
  }

  /** Buffer sequence number where the candidate in progress started (at rest). */
  get candidateStartSeq(): number {
    return this.startSeq;
  }

  /** Buffer sequence number of the last anchor (a rest or an upright top), or -1 before the first. */
  get anchorSeq(): number {
    return this.lastStillSeq;
  }

  /** The deepest live depth of the candidate in progress, cm. */
  get candidateDepthCm(): number {
    return this.maxDepth;
  }

  /**
   * Feeds one depth-sensor sample. Returns a finished rep window, or null. `velocity` is the vertical
   * velocity (m/s, positive up).
   */
  update(seq: number, t: number, liveDepthCm: number, velocity: number, still: boolean, inclinationDeg = Number.NaN): RepWindow | null {
    const p = this.params;
    if (!still) this.stillSinceT = Number.NaN;
    else if (Number.isNaN(this.stillSinceT)) this.stillSinceT = t;
    if (inclinationDeg > this.maxInclination) this.maxInclination = inclinationDeg;
    this.lastDepthCm = liveDepthCm;
    switch (this.state) {
      case 'idle':
        if (still) {
          this.lastStillSeq = seq;
          this.lastStillT = t;
          this.anchorInclination = inclinationDeg;
          this.phaseNow = 'standing';
        } else {
          this.phaseNow = 'moving';
        }
        // Once the upright turns are found, the forward tilt from the anchor starts a candidate too: a slow
        // descent may not show in a live depth that drifts without rests (its refined depth decides later).
        const tilted = this.uprightTurnsFound && inclinationDeg - this.anchorInclination >= p.startTiltDeg;
        if (((liveDepthCm >= p.startDepthCm && velocity < 0) || tilted) && this.lastStillSeq >= 0) {
          this.state = 'descent';
          this.holeInCandidate = false;
          this.depthLostInCandidate = false;
          this.startSeq = this.lastStillSeq;
          this.startT = this.lastStillT;
          this.startInclination = this.anchorInclination;
          this.maxInclination = inclinationDeg;
          this.maxDepth = liveDepthCm;
          this.maxDepthSeq = seq;
          this.phaseNow = 'descent';
        }
        return null;
      case 'descent':
        if (t - this.startT > p.maxRepS) return this.abandon(seq, t);
        if (liveDepthCm > this.maxDepth) {
          this.maxDepth = liveDepthCm;
          this.maxDepthSeq = seq;
        }
        // At rest but nowhere near the deepest point: the lifter is back up (the turn was missed, e.g. live
        // depth drifted across lost packets until the rest correction) — unless the pelvis says the lifter is
        // still down (the deepest point was the drift: a live depth that overshot to 70 cm for a 45 cm rep).
        // Against a maximum the live depth drifted to (103 cm for a 55 cm squat), the depth corrected at a rest at
        // the bottom (48 cm) read as "back up", and a slow winker's rep was cut at its bottom. So when the corrected
        // depth says the lifter is still well down, the corrected path's deepest point is the reference. Not when
        // it says the lifter is near the start: ending the candidate there is what finds a rest that was taken
        // for standing to be a bottom (analyseRep, resumeAtBottom). docs/SENSING.md §10.
        // After a dropped link the live depth is unknown: a rest with the pelvis back near its start is the top.
        if (still && this.depthLostInCandidate && this.backUpright(inclinationDeg)) return this.finish(seq, t);
        const corrected = this.correctedAtSeq === seq && liveDepthCm >= p.minRestDepthCm;
        const deepestCm = corrected ? this.correctedDeepestCm : this.maxDepth;
        if (still && liveDepthCm <= 0.5 * deepestCm && !this.stillBent(inclinationDeg)) return this.finish(seq, t);
        if (still && this.maxDepth < p.minRestDepthCm) return this.abandon(seq, t);
        // At rest at the bottom the live depth has just been corrected (athlete-pipeline.ts): it is the best
        // estimate of the deepest point, so a drop from a drifted maximum is no turn.
        if (still) this.maxDepth = liveDepthCm;
        this.phaseNow = still || Math.abs(velocity) < 0.05 ? 'bottom' : 'descent';
        if (liveDepthCm < this.maxDepth - Math.max(p.turnCm, p.turnFraction * this.maxDepth)) {
          this.state = 'ascent';
          this.phaseNow = 'ascent';
          this.topDepth = Infinity;
        }
        return null;
      case 'ascent': {
        if (t - this.startT > p.maxRepS) return this.abandon(seq, t);
        // Still after the turn, in the upper half: back at the top (the live depth may have drifted a few cm;
        // the refined depth does not need it to be exact). After a dropped link, as in `descent`.
        if (still && liveDepthCm <= 0.5 * this.maxDepth) return this.finish(seq, t);
        if (still && this.depthLostInCandidate && this.backUpright(inclinationDeg)) return this.finish(seq, t);
        // Still, and the depth corrected at the rest (athlete-pipeline.ts) says as deep as the deepest point or
        // deeper: the turn was the live depth's drift in a slow descent, and this is a pause at the bottom.
        // Ending the rep here would take the bottom for standing. Not after a hole in the samples: nothing of
        // what happened in it was integrated, and the correction across it is what is in doubt.
        if (still && liveDepthCm >= BOTTOM_PAUSE_SHARE * this.maxDepth && !this.holeInCandidate) {
          this.state = 'descent';
          this.phaseNow = 'bottom';
          if (liveDepthCm > this.maxDepth) this.maxDepthSeq = seq;
          this.maxDepth = Math.max(this.maxDepth, liveDepthCm);
          return null;
        }
        // In between, the correction itself is in doubt (a burst of lost packets): a rest that lasts is the top.
        if (still && t - this.stillSinceT >= p.endRestS) return this.finish(seq, t);
        const nearTop = liveDepthCm <= p.topFraction * this.maxDepth + 2;
        if (nearTop && liveDepthCm < this.topDepth) {
          this.topDepth = liveDepthCm;
          this.topSeq = seq;
          this.topT = t;
          this.topInclination = inclinationDeg;
        }
        if (this.topDepth !== Infinity) {
          // Touch-and-go: the next descent starts before any still moment. End this rep at the top. Once the
          // upright turns are found (uprightTurnsFound) they end such reps, and the live depth — which may
          // drift without rests — only decides after a long wait.
          const nextDescent = !this.uprightTurnsFound && liveDepthCm > this.topDepth + p.startDepthCm;
          const waited = t - this.topT > (this.uprightTurnsFound ? TOP_WAIT_WITH_TURNS_S : p.topWithoutRestS);
          if (nextDescent || waited) {
            // finish() makes the top the next rep's anchor; its inclination too.
            const window = this.finish(this.topSeq, this.topT);
            this.anchorInclination = this.topInclination;
            return window;
          }
        }
        return null;
      }
    }
  }

  /**
   * An upright turn (minimum of the forward inclination) was confirmed at `seq` (an earlier sample), where
   * the depth was `depth`. It may end the rep in progress there (touch-and-go: the top between two
   * reps). Outside a rep it is an anchor: the lifter was upright, at about zero velocity, so a rep may start
   * from it. Returns the finished window, or null.
   */
  uprightTurn(seq: number, t: number, inclinationDeg: number, depth: TurnDepth): RepWindow | null {
    const range = this.maxInclination - this.startInclination;
    const rise = inclinationDeg - this.startInclination;
    const tiltBack = !(rise > UPRIGHT_TURN_SHARE * range);
    const deepest = depth.bridged ? depth.deepestCm : this.maxDepth;
    const depthBack = depth.atTurnCm <= UPRIGHT_TURN_SHARE * deepest;
    let window: RepWindow | null = null;
    if (this.state === 'ascent') {
      // The top comes after the bottom (a turn found late, e.g. when the face was found, may be older).
      if (!(depthBack && tiltBack) || seq <= this.maxDepthSeq) return null;
      window = this.finish(seq, t);
    } else if (this.state === 'descent') {
      // A minimum in the descent is mostly the pelvis rolling back near the bottom (a butt wink), never the
      // top — unless the depth bridged between zero velocities says the lifter went down and came back up
      // (the live depth drifted and missed the ascent; at a wink the bridged depth stays near the deepest).
      if (!(depth.bridged && deepest >= this.params.minRestDepthCm && depthBack && tiltBack)) return null;
      window = this.finish(seq, t);
    }
    if (seq >= this.lastStillSeq) {
      this.lastStillSeq = seq;
      this.lastStillT = t;
      this.anchorInclination = inclinationDeg;
    }
    return window;
  }

  /**
   * Is the lifter still down, by the pelvis (or trunk) rather than the live depth? Once the face is known, the
   * forward inclination is drift-free: still in the upper half of the candidate's range from its start, and at
   * least STILL_BENT_DEG from it, the lifter has not come back up.
   */
  private stillBent(inclinationDeg: number): boolean {
    if (!this.uprightTurnsFound || !Number.isFinite(inclinationDeg)) return false;
    const bend = inclinationDeg - this.startInclination;
    return bend >= STILL_BENT_DEG && bend > UPRIGHT_TURN_SHARE * (this.maxInclination - this.startInclination);
  }

  /** The pelvis is back within STILL_BENT_DEG, and within half its largest forward tilt, of the start's. */
  private backUpright(inclinationDeg: number): boolean {
    if (!Number.isFinite(inclinationDeg) || !Number.isFinite(this.startInclination)) return false;
    const bend = inclinationDeg - this.startInclination;
    return bend < STILL_BENT_DEG && bend <= UPRIGHT_TURN_SHARE * (this.maxInclination - this.startInclination);
  }

  /**
   * The depth sensor's face was found or changed, so the forward inclination changed sign: the inclinations
   * kept for the anchor and the candidate in progress are taken again from the buffered samples
   * (`inclinationAt(seq)`, new sign) up to `nowSeq`. Kept with the old sign, a candidate that started before
   * the face was known compared today's F with the opposite of its start, no upright turn looked like a
   * return to the top, and touch-and-go reps merged into one window.
   */
  signChanged(inclinationAt: (seq: number) => number, oldestSeq: number, nowSeq: number): void {
    if (this.lastStillSeq >= oldestSeq) this.anchorInclination = inclinationAt(this.lastStillSeq);
    if (this.state === 'idle') return;
    const from = Math.max(this.startSeq, oldestSeq);
    this.startInclination = inclinationAt(from);
    this.maxInclination = -Infinity;
    for (let q = from; q <= nowSeq; q++) this.maxInclination = Math.max(this.maxInclination, inclinationAt(q));
    if (this.topDepth !== Infinity && this.topSeq >= oldestSeq) this.topInclination = inclinationAt(this.topSeq);
  }

  /**
   * The rest the detector just took for standing is the bottom of a rep that started at the top `startSeq`
   * (the pipeline saw the lifter rise from the rest before it and come back down: athlete-pipeline.ts,
   * roseInstead). The candidate goes on from its bottom, `depthCm` below that top, at `seq`.
   */
  resumeAtBottom(startSeq: number, startT: number, startInclination: number, maxInclination: number, depthCm: number, seq: number): void {
    this.state = 'descent';
    this.phaseNow = 'bottom';
    this.holeInCandidate = false;
    this.depthLostInCandidate = false;
    this.startSeq = startSeq;
    this.startT = startT;
    this.startInclination = startInclination;
    this.maxInclination = maxInclination;
    this.maxDepth = depthCm;
    this.maxDepthSeq = seq;
    this.topDepth = Infinity;
  }

  /**
   * At a rest inside the candidate, its movement since its start (or since its last rest, where the deepest
   * point was set to the depth corrected there) was integrated again with zero velocity at both ends
   * (athlete-pipeline.ts, correctHeightAtRest): that path's deepest point, `depthCm`, given at buffer sequence
   * `seq` (the rest's first sample), is a better estimate than the live depth's maximum, which may have drifted
   * far past the bottom in a slow descent. The descent's "back up" check at this rest compares with it.
   */
  correctDeepest(depthCm: number, seq: number): void {
    this.correctedDeepestCm = depthCm;
    this.correctedAtSeq = seq;
  }

  /**
   * The samples of the candidate in progress have a hole (lost packets) of `durationS`: see the bottom pause in
   * `ascent`. One longer than BRIDGE_GAP_S (a dropped link) leaves the live depth unknown — it carried
   * the velocity at the hole's start through it, to 100–300 cm — so the first rest after it is told top or
   * bottom by the pelvis's inclination alone (`update`).
   */
  noteHole(durationS: number): void {
    this.holeInCandidate = true;
    if (durationS > BRIDGE_GAP_S) this.depthLostInCandidate = true;
  }

  /**
   * The samples end (a recording's last line, a session closed) at `lastSeq`. A rep in its ascent whose lifter
   * is back in the upper half ends there — at the top it reached, if it reached one — rather than being lost
   * for want of a rest or a next rep after it. Returns that window, or null.
   */
  endOfData(lastSeq: number): RepWindow | null {
    if (this.state !== 'ascent') return null;
    if (this.topDepth !== Infinity) return this.finish(this.topSeq, this.topT);
    return this.lastDepthCm <= UPRIGHT_TURN_SHARE * this.maxDepth ? this.finish(lastSeq, Number.NaN) : null;
  }

  private finish(endSeq: number, endT: number): RepWindow {
    const window = { startSeq: this.startSeq, endSeq };
    // The rep's end is the anchor the next one starts from, never a rest before it: a rest confirmed and then
    // refused at once (a slow movement's mean) would otherwise start a candidate at the old anchor, and the
    // same rep would be found again.
    if (endSeq > this.lastStillSeq) {
      this.lastStillSeq = endSeq;
      this.lastStillT = endT;
    }
    this.state = 'idle';
    this.phaseNow = 'standing';
    this.maxDepth = 0;
    return window;
  }

  /** Not a rep after all. A rest now can start the next candidate. */
  private abandon(seq: number, t: number): null {
    this.state = 'idle';
    this.phaseNow = 'moving';
    this.maxDepth = 0;
    this.lastStillSeq = Number.isNaN(this.stillSinceT) ? -1 : seq;
    this.lastStillT = t;
    return null;
  }
}
