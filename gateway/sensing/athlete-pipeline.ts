/**
 * The sensing core for one athlete: samples in, events out (docs/SENSING.md §1, §14). Pure and synchronous: no I/O,
 * no timers, time only from the samples. The live gateway, `squatmon analyze` and the tests run this same
 * class. O(1) work per sample, except at the end of a rep, where the rep's own samples are re-analysed once.
 *
 * Per depth-sensor sample (sacrum, else thoracolumbar): stillness → earth-vertical acceleration → live depth →
 * rep detector → depth-cutoff cue → live frame. At the end of a rep: refined depth, pelvic tilt and lumbar
 * flexion relative to the standing just before it, the wink metrics → rep event. At the end: the session.
 */
import { RAD } from '../../shared/imu.ts';
import type { ImuSample, SensorFace, SensorInfo } from '../../shared/imu.ts';
import { classifyPelvicTilt, DEFAULT_TILT_THRESHOLDS, DEFAULT_WINK_THRESHOLD_DEG, suggestedCutoffCm, suggestionBasis } from '../../shared/posture.ts';
import type { WinkOnset } from '../../shared/posture.ts';
import type { TiltThresholds } from '../../shared/posture.ts';
import { depthIsUncertain } from '../../shared/rep.ts';
import type { GyroBias } from '../../shared/recording/index.ts';
import type { CueEvent, LiveFrame, RepEvent, SensingEvent, SensingSummary } from './events.ts';
import { VerticalBiasModel } from './vertical-bias-model.ts';
import { DEFAULT_REP_DETECTOR, RepDetector } from './rep-detector.ts';
import type { RepWindow, TurnDepth } from './rep-detector.ts';
import { computeRepMetrics } from './rep-metrics.ts';
import { SensorChannel } from './sensor-channel.ts';
import { SIGNAL_CHANNELS, SignalBuffer } from './signal-buffer.ts';
import type { SignalChannel } from './signal-buffer.ts';
import { StandingPosture } from './standing-posture.ts';
import { mergedRepsTop } from './merged-reps.ts';
import { BRIDGE_GAP_S, dropShortRests, EARLY_MOVEMENT_MAX_S, FALSE_REST_MAX_S, heightsBetweenRests, integrateBetweenRests, integrateFromRest, LiveVerticalKinematics, refinedHeights } from './vertical-kinematics.ts';
import { LeakyMotion } from './leaky-motion.ts';
import { RestConfirmation } from './rest-confirmation.ts';
import { UprightTurnDetector } from './upright-turns.ts';
import { SignalDiagnostics } from './signal-diagnostics.ts';
import { selectKth } from './select.ts';
import type { UprightTurn } from './upright-turns.ts';

export interface AthletePipelineOptions {
  readonly sensors: readonly SensorInfo[];
  /** Gyroscope bias estimates to start each sensor's orientation filter from, by sensor id (a recording's
   *  `# gyro_bias:` comments). */
  readonly gyroBias?: ReadonlyMap<string, GyroBias>;
  /** Depth at which to cue the lifter, cm; null: no cues. */
  readonly cutoffCm?: number | null;
  readonly winkThresholdDeg?: number;
  readonly tiltThresholds?: TiltThresholds;
  /** Emit a LiveFrame for every depth-sensor sample (the caller decimates). */
  readonly live?: boolean;
  /**
   * The caller calls `tick` from a timer as time passes (the live gateway): the cue across a hole in the samples
   * is then the timer's, decided when it really was. Without (analyze, tests), a hole is ticked through at the
   * instants its samples were due, as such a timer would have.
   */
  readonly ticksFromTimer?: boolean;
  readonly onEvent: (event: SensingEvent) => void;
}

/** A window whose refined depth stays shallower than this was no rep (a bend, a stumble), cm. */
export const MIN_REP_DEPTH_CM = 10;
/** A window that rose first must come back down at least this share of its rise to be read as bottom to bottom. */
const ROSE_BACK_DOWN_SHARE = 0.5;
/** A rep starts and ends where its refined depth crosses this fraction of its depth (min 0.5 cm). */
const REP_EDGE_FRACTION = 0.03;
/** The standing reference of a rep: the mean over this long before its window starts, s. */
const STANDING_REFERENCE_S = 0.5;
/** Hidden movement starts (withHiddenOnsets): s per m/s² of accelerometer noise, and bounds, s. */
const ONSET_HIDE_PER_NOISE = 4;
const ONSET_HIDE_MIN_S = 0.05;
const ONSET_HIDE_MAX_S = 0.4;
/**
 * The live depth's look-back (vertical-kinematics.ts) is onsetHideS, but at least this, s: on a quiet sensor the
 * bias is then learned nearer the descent's start, where a restless lifter's hip bob is nearer its state at the
 * onset (docs/SENSING.md §7, "Look-back": `fidgety` cue p90 75 → 67 ms on the tuning sets; 0.3 s before).
 */
const LIVE_LOOKBACK_MIN_S = 0.2;
/** History kept for re-analysis: 400 Hz for 40 s, longer than the longest rep the detector accepts. */
const BUFFER_CAPACITY = 400 * 40;
/** How long the maximum lumbar flexion test listens, s. */
export const MAX_FLEXION_TEST_S = 10;
/** A "maximum" flexion below this was no real test (the lifter did not bend), deg. */
const MIN_TESTED_FLEXION_DEG = 10;
/** Time constant of the live standing reference of the angles, s. */
const LIVE_REFERENCE_TAU_S = 0.5;
/** A still period longer than this many samples feeds the bias model in parts. */
const STILL_OBSERVATION_SAMPLES = 400;
/** A still period shorter than this does not teach the bias model (see observeStillness), s. */
const BIAS_MODEL_MIN_REST_S = 0.5;
/** When the depth sensor's face is found, its upright turns are searched again over this much history, s. */
const TURN_REPLAY_S = 3;
/** An upright turn this soon after a rest does not re-anchor the live depth (the rest does), s. */
const RECENT_REST_S = 1;
/**
 * A still run shorter than this is no anchor for the bridge to an upright turn (bridgedDepthAt), s: in a slow
 * rep's turnaround at the bottom the rest flags flicker on for a sample or two while the lifter already rises.
 */
const MIN_BRIDGE_REST_S = 0.1;
/** The face is told from the first this many cm of each descent and the last of each ascent. */
const FACE_EVIDENCE_MAX_DEPTH_CM = 20;
/**
 * Without a face and without any rest this long after the first sample, the face evidence is taken from the whole
 * movement (faceEvidenceStarved), s: about a descent (0–5 s measured alike).
 */
const FACE_EVIDENCE_STARVED_AFTER_S = 2;
/**
 * A recording or connection that begins inside a rep (mid-set) has no anchor before it: until the first rep,
 * each rest looks back for it (recoverRepBegunBeforeSamples) once it has lasted RECOVERY_REST_S (its bias
 * learned), or as it ends if it lasted RECOVERY_MIN_REST_S, s. The look-back spans at most RECOVERY_LOOKBACK_S
 * and bridges holes up to RECOVERY_MAX_HOLE_S (the acceleration taken as linear across), s. It finds a rep if the
 * depth sensor's inclination moved at least RECOVERY_MIN_TILT_DEG and the bottom lies at least
 * RECOVERY_MIN_DESCENT_CM (or RECOVERY_MIN_DESCENT_SHARE of the depth) below the first sample.
 */
const RECOVERY_REST_S = 0.5;
const RECOVERY_MIN_REST_S = 0.2;
const RECOVERY_LOOKBACK_S = 6;
const RECOVERY_MAX_HOLE_S = 0.25;
const RECOVERY_MIN_TILT_DEG = 4;
const RECOVERY_MIN_DESCENT_CM = 1.5;
const RECOVERY_MIN_DESCENT_SHARE = 0.03;
/** A step between samples longer than this is a hole (lost packets): what happened in it was not integrated, s. */
const HOLE_S = 0.1;
/**
 * A hole across which the sensor turns less than this, degrees (the larger angular rate on its two sides × its
 * length), leaves the orientation about as it was: the vertical stays trusted. 1° trusted a 0.1 s hole at
 * 9 °/s at the bottom of a squat, where the pelvis turned faster inside it; the vertical came out 0.1 m/s² off.
 */
const HOLE_TRUSTED_TURN_DEG = 0.5;
/**
 * At the first still moment after such a hole, a filter inclination this far from the accelerometer's, deg, is
 * the bridge's error, not noise or the accelerometer's bias (≤ 1°): the filter restarts from the accelerometer.
 */
const DOUBTED_INCLINATION_OFF_DEG = 2;
/**
 * The rest audit (auditStretch): only rests of at least AUDIT_MIN_REST_S anchor it (shorter still moments in a
 * slow descent are taken for movement), s; a stretch is back up when it ends no lower than the larger of
 * AUDIT_BACK_UP_CM and AUDIT_BACK_UP_SHARE of its depth below where it began. Measured (tuning seeds): minimum
 * rests of 0.4 and 1 s found one rep fewer in 60 `mixed` sets than 0.6 s; a share of 0.5 the same as 0.3.
 */
const AUDIT_MIN_REST_S = 0.6;
/**
 * A rest of at least this long (s) that ends before AUDIT_MIN_REST_S may still end a stretch, as it ends: the
 * last rest before a re-rack is often that short. Measured (`mixed` tuning sets 0–119, reps missed): none 21,
 * 0.25 s 19, 0.3 s 18, 0.4 s 18, 0.5 s 19; no false rep in any group.
 */
const AUDIT_END_REST_S = 0.3;
const AUDIT_BACK_UP_SHARE = 0.3;
const AUDIT_BACK_UP_CM = 2;
/** A rep's face vote looks at its descent down to the lesser of this depth (cm) and this share of its depth. */
const FACE_VOTE_DEPTH_CM = 8;
const FACE_VOTE_DEPTH_SHARE = 0.3;
/** A live depth outside this range (cm) has drifted: no squat goes there. */
const PLAUSIBLE_LIVE_DEPTH_CM: readonly [number, number] = [-30, 90];
/** A live depth this far past the cutoff gives no cue (see push), cm. */
const CUE_LATE_CM = 10;
/**
 * How far the live depth is carried forward at its last velocity when samples stop coming during a descent
 * (tick), s. Chosen on `noisy` tuning sets 0–119 (cues whose true crossing fell inside a hole, p90 |dt|):
 * 0.05 s 118 ms, 0.1 s 90 ms, 0.15 s 72 ms, 0.2 s 82 ms, 0.3 s 82 ms (a longer guess overshoots a lifter slowing
 * down for the bottom).
 */
const GAP_CUE_MAX_AHEAD_S = 0.15;
/** The finest step at which a hole is ticked through, s (a sensor faster than 1 kHz is ticked at 1 kHz). */
const MIN_TICK_STEP_S = 0.001;
/** A step of the depth sensor longer than this many sample periods is a hole (samples lost): tickThroughHole. */
const HOLE_TICK_FACTOR = 1.5;
/** A cycle between two upright tops this long teaches the live depth's bias (a rep, touch-and-go), s. */
const MIN_CYCLE_S = 0.8;
const MAX_CYCLE_S = 8;
/** The depth-per-degree rate is used once its Σx² reaches this (a few reps' worth of upper descents), deg². */
const MIN_SLOPE_EVIDENCE_DEG2 = 200;
/**
 * Standing still this long gives the standing inclination the tops are compared with (measureFromStanding):
 * the mean over a still second is good to a fraction of a degree. The session's posture keeps the contract's
 * 2 s of quiet standing; a lifter who sways (or walks out and starts at once) rarely stands still that long,
 * and without a reference every top counted as standing — touch-and-go reps 4–6 cm short.
 */
const MIN_STANDING_REFERENCE_S = 1;
/**
 * A minimum of F this few samples into the samples is no known top: it is a minimum only because the samples
 * begin there (a recording that starts in a descent). The catch-up does not take it for a top; a rep window
 * that starts there is recovered backwards (withKnownStart).
 */
const CATCH_UP_MIN_LEAD_SAMPLES = 3;
/**
 * The samples began with the lifter standing when the inclination over their first this many seconds lies within
 * START_STANDING_MAX_DEG of the rest that ends the first rep (withKnownStart, beganStanding): a standing lifter
 * sways by 1–2°, while samples that begin a few centimetres into a descent are bent forward by several degrees.
 * Measured (2026-12-08, tuning sets): the first rep of a recording started 0.3–1 s before it, paused at the
 * bottom, then rested, was lost; found now in `mixed` (set 2070311) and `mid-set-start` (set 2050068).
 */
const START_STANDING_WINDOW_S = 0.3;
const START_STANDING_MAX_DEG = 3;
/** A rep that starts at an upright turn (no rest) takes its angle reference from this many samples around it. */
const TURN_REFERENCE_HALF_SAMPLES = 2;

/** A window that rose instead of going down (AthletePipeline.roseInstead): its start, its highest point, and the depth of its end rest below that, cm. */
interface RoseInstead {
  readonly startSeq: number;
  readonly topSeq: number;
  readonly depthCm: number;
}

export class AthletePipeline {
  private readonly channels = new Map<string, SensorChannel>();
  /** The same channels as a list, for the per-sample lookup (channelOf). */
  private readonly channelList: readonly SensorChannel[];
  private readonly depthChannel: SensorChannel | null;
  private readonly sacrum: SensorChannel | null;
  private readonly trunk: SensorChannel | null;
  private readonly onEvent: (event: SensingEvent) => void;
  private winkThresholdDeg: number;
  private readonly tiltThresholds: TiltThresholds;
  private readonly live: boolean;
  private readonly ticksFromTimer: boolean;
  private cutoff: number | null;

  private readonly kinematics = new LiveVerticalKinematics();
  private readonly biasModel = new VerticalBiasModel();
  private readonly row = new Float64Array(SIGNAL_CHANNELS.length);
  private readonly stillSum = new Float64Array(5);
  /** First and last sample times of the still period being summed in stillSum, s. */
  private stillObservationStartT = 0;
  private stillObservationEndT = 0;
  private readonly repSingle = new Float64Array(5);
  private readonly repDouble = new Float64Array(5);
  private readonly detector = new RepDetector();
  private readonly buffer = new SignalBuffer(BUFFER_CAPACITY);
  private readonly posture = new StandingPosture();
  private readonly turns = new UprightTurnDetector();
  private readonly diagnostics = new SignalDiagnostics();
  private readonly leakyMotion = new LeakyMotion();
  private readonly restConfirmation = new RestConfirmation();
  /** Face sign of the depth sensor the turn detector was fed with (0: face not known yet). */
  private turnSign = 0;
  /** The candidate (by its start) whose face vote was cast live (voteFacesLive). */
  private liveVoteStartSeq = -1;
  /** Time the drifted live depth was last restarted at a leaky top (−∞: never), s. */
  private liveDepthRestartT = Number.NEGATIVE_INFINITY;
  /**
   * Until this time (s) the live depth holds a rest across a gap of lost packets (HOLE_S…SHORT_GAP_S) that came
   * during it, while the samples since are quiet: the stillness window refills for 0.4 s after a gap before it
   * says still again (LiveVerticalKinematics.holdAcrossGap). Without it, a burst lost shortly before a descent
   * left no rest between the gap and the descent, and the live depth was integrated from before the gap, across
   * it with the noise of its two edge samples weighted by its length.
   */
  private restAcrossGapUntilT = Number.NEGATIVE_INFINITY;
  /** Buffer sequence number of the last upright turn (−1: none yet). */
  private lastTurnSeq = -1;
  /**
   * Sums and counts of the reps' raw standing references, [sacrum sum, sacrum count, trunk sum, trunk count]:
   * the posture when nobody stood still.
   */
  private readonly repReferenceSum = new Float64Array(4);
  /** Σ x·depth and Σ x² over the upper descents of the reps (x: forward pelvic tilt since the rep's start). */
  private readonly depthSlopeSums = new Float64Array(2);
  private lastT = Number.NaN;
  /** Start (buffer sequence number) of the rep candidate that has had its cue, −1 for none: one cue a rep, and a
   *  touch-and-go rep that starts in the very sample its predecessor ended still gets its own. */
  private cuedCandidateStart = -1;
  private wasStill = false;
  /**
   * The gravity magnitude the depth sensor's vertical acceleration is taken against: the stillness detector's
   * at the first sample, then fixed. Whatever it gets wrong is a constant offset of the vertical acceleration,
   * which the live bias learns at every rest (vertical-kinematics.ts). The stillness detector keeps its own
   * estimate for its thresholds, and learns it whenever they say still — which the first and last second of a
   * slow descent (under 0.1 m/s² and 3°/s) can pass: taken over from there, a slow squat's own acceleration
   * became "gravity" and its depth came out a quarter short; taken over at rests only, its changes while the
   * live bias was not learning (a short rest) moved the depth of the next rep by centimetres.
   */
  private depthGravity = Number.NaN;
  /** The depth sensor's latest up direction (sensor frame). */
  private readonly upNow = new Float64Array([0, 0, 1]);
  private lastRestSeq = -1;
  /** Time of the first sample of any sensor. */
  private firstSampleT = Number.NaN;
  /** Where the stretch the rest audit looks at began (a rest), and where the last rep emitted ended (auditStretch). */
  private auditFromSeq = -1;
  private auditedRestSeq = -1;
  private lastRepEndSeq = -1;
  /** Where the current (or last) rest began, and the last rest that looked back for a rep (recoverRepBegunBeforeSamples). */
  private restStartSeq = -1;
  private recoveryRestSeq = -1;
  private reps = 0;
  /** Earliest buffer sequence number at which an emitted rep's window starts (Infinity before the first). */
  private firstRepSeq = Infinity;
  /** The face was found or changed: the reps before the first anchor are to be caught up (catchUpReps). */
  private catchUpPending = false;
  /** The first upright top, when the rep before it waits for the cycle after it (catchUpReps), else -1. */
  private recoverBeforeTopSeq = -1;
  private readonly winkOnsets: WinkOnset[] = [];
  private liveRefSacrum = Number.NaN;
  private liveRefTrunk = Number.NaN;
  /** Maximum lumbar flexion test: running until this time (s), and the largest flexion it saw (deg). */
  private maxFlexionTestUntil = -Infinity;
  private maxFlexionTestDeg = Number.NaN;

  // Scratch arrays for re-analysing a rep, allocated once.
  private readonly scratchT = new Float64Array(BUFFER_CAPACITY);
  private readonly scratchAcc = new Float64Array(BUFFER_CAPACITY);
  private readonly scratchHeight = new Float64Array(BUFFER_CAPACITY);
  private readonly scratchStill = new Float64Array(BUFFER_CAPACITY);
  private readonly scratchDepth = new Float64Array(BUFFER_CAPACITY);
  private readonly scratchPelvis = new Float64Array(BUFFER_CAPACITY);
  private readonly scratchFlexion = new Float64Array(BUFFER_CAPACITY);
  /** A rep's time steps, for their median (medianStep). */
  private readonly scratchSteps = new Float64Array(BUFFER_CAPACITY);
  /** Up x, y, z and the measured vertical acceleration over a rep window, for the bias model. */
  private readonly scratchObserve = [0, 1, 2, 3].map(() => new Float64Array(BUFFER_CAPACITY));

  constructor(options: AthletePipelineOptions) {
    for (const info of options.sensors) {
      if (info.placement === 'sacrum' || info.placement === 'thoracolumbar') this.channels.set(info.id, new SensorChannel(info, options.gyroBias?.get(info.id)));
    }
    this.channelList = [...this.channels.values()];
    const byPlacement = (p: string) => this.channelList.find((c) => c.info.placement === p) ?? null;
    this.sacrum = byPlacement('sacrum');
    this.trunk = byPlacement('thoracolumbar');
    this.depthChannel = this.sacrum ?? this.trunk;
    this.onEvent = options.onEvent;
    this.cutoff = options.cutoffCm ?? null;
    this.winkThresholdDeg = options.winkThresholdDeg ?? DEFAULT_WINK_THRESHOLD_DEG;
    this.tiltThresholds = options.tiltThresholds ?? DEFAULT_TILT_THRESHOLDS;
    this.live = options.live ?? false;
    this.ticksFromTimer = options.ticksFromTimer ?? false;
  }

  /** Change the cue depth (e.g. the lifter applied the suggested cutoff); null switches cues off. */
  setCutoff(cutoffCm: number | null): void {
    this.cutoff = cutoffCm;
  }

  /**
   * The lifter's maximum lumbar flexion test starts now (the calibration wizard: stand, then bend forward as
   * far as comfortable): for `durationS` of samples the largest lumbar flexion from standing is kept, and later
   * reps report their flexion as a percentage of it. Needs both sensors.
   */
  beginMaxFlexionTest(durationS = MAX_FLEXION_TEST_S): void {
    this.maxFlexionTestUntil = (Number.isNaN(this.lastT) ? 0 : this.lastT) + durationS;
    this.maxFlexionTestDeg = Number.NaN;
  }

  /** Change the butt-wink threshold for the reps still to come. */
  setWinkThreshold(deg: number): void {
    this.winkThresholdDeg = deg;
  }

  /** A sensor's current gyroscope bias estimate (null: not a sensor of this pipeline, or no sample yet). */
  gyroBias(sensorId: string): GyroBias | null {
    return this.channels.get(sensorId)?.gyroBias() ?? null;
  }

  /** Which way round a sensor is worn, as configured or found so far (null: unknown sensor or not yet known). */
  sensorFace(sensorId: string): SensorFace | null {
    return this.channels.get(sensorId)?.face.face ?? null;
  }

  get repCount(): number {
    return this.reps;
  }

  push(s: ImuSample): void {
    const channel = this.channelOf(s.sensor);
    if (channel === undefined || !channel.update(s)) return;
    if (Number.isNaN(this.firstSampleT)) this.firstSampleT = s.t;
    // Face evidence only from the upper part of the movement: near the bottom the pelvis of a winker rolls
    // back while the hips still go down, the opposite of what the face is told from.
    // A live depth that has drifted out of any squat's range cannot tell the upper part: no evidence then.
    const upper = (this.liveDepthPlausible && -this.kinematics.heightM * 100 < FACE_EVIDENCE_MAX_DEPTH_CM) || this.faceEvidenceStarved(channel, s.t);
    channel.face.update(channel.lastStepS, upper ? this.leakyMotion.velocity : 0, channel.inclinationRateDegS);
    if (channel !== this.depthChannel) return;

    const t = s.t;
    const dt = Number.isNaN(this.lastT) ? 0 : t - this.lastT;
    // A hole: the cue is decided at the instants its samples would have come, as the live timer does (tick).
    if (!this.ticksFromTimer && dt > HOLE_TICK_FACTOR * channel.filter.samplePeriod()) this.tickThroughHole(t, channel.filter.samplePeriod());
    this.lastT = t;
    if (dt > HOLE_S) {
      // Lost packets inside a rest: the live depth holds the rest across them while the samples after are quiet
      // (a gap longer than stillness.ts SHORT_GAP_S leaves quietAcrossShortGaps false: the hold ends below at once).
      this.restAcrossGapUntilT = this.wasStill ? t + channel.stillness.params.windowS : Number.NEGATIVE_INFINITY;
      this.detector.noteHole(dt);
      // The orientation was bridged across the hole (a fast rotation in it leaves the filter a few degrees off
      // for seconds), so the vertical acceleration is in doubt too — unless the sensor turned slowly on both
      // sides of it. Doubted, every still moment counts as a rest, and a tempo squat that lost packets as it
      // began was cut at the next quiet moment of its descent: 10 cm short (docs/SENSING.md §5).
      const turnAcrossDeg = channel.recentRateNorm * dt * RAD;
      // A dropped link (a hole the orientation filter restarts after, and the live depth does not bridge) keeps
      // the doubt until a long rest: lifted at the first still moment, the rest after such a drop was refused
      // and the next two reps merged (scripts/eval-link-drops.ts 7 → 10 of 108 wrong).
      if (!(turnAcrossDeg < HOLE_TRUSTED_TURN_DEG)) {
        if (dt > BRIDGE_GAP_S) this.restConfirmation.distrustBias();
        else this.restConfirmation.distrustVertical();
      }
    }
    // The doubt ends at the first still moment after the hole: there the accelerometer gives the inclination.
    // Until then every still moment counted as rest, and a slow descent's first half second with it (before,
    // the doubt lasted until a rest of 1.2 s; in a set with shorter rests, to its end — docs/SENSING.md §5).
    if (this.restConfirmation.verticalInDoubt && channel.stillness.still) {
      if (Math.abs(channel.inclinationDeg - channel.restInclinationDeg) > DOUBTED_INCLINATION_OFF_DEG) channel.filter.restartOrientation();
      this.restConfirmation.trustVerticalAgain();
    }
    // r: the earth's up direction in the sensor frame (third row of R).
    const q = channel.q;
    const rx = 2 * (q[1] * q[3] - q[0] * q[2]);
    const ry = 2 * (q[2] * q[3] + q[0] * q[1]);
    const rz = 1 - 2 * (q[1] * q[1] + q[2] * q[2]);
    if (Number.isNaN(this.depthGravity)) this.depthGravity = channel.stillness.gravityMagnitude;
    const rawAcc = rx * s.ax + ry * s.ay + rz * s.az - this.depthGravity;
    this.upNow[0] = rx;
    this.upNow[1] = ry;
    this.upNow[2] = rz;
    const verticalAcc = rawAcc - this.biasModel.error(rx, ry, rz);
    // Zero velocity is the depth sensor's own rest: the trunk sensor may move (a shrug, looking around) while
    // the pelvis stays put, and requiring both would lose the rests that keep the depth integration short.
    // A still moment whose mean acceleration says it is still moving slowly is no rest (rest-confirmation.ts).
    const still = this.restConfirmation.update(dt, verticalAcc - this.kinematics.verticalBias, channel.stillness.still, channel.stillness.accNoiseRms, channel.inclinationRateDegS);
    const standing = still && !this.detector.inRep;
    this.diagnostics.update(channel.inclinationDeg);
    if (still || !channel.stillness.quietAcrossShortGaps) this.restAcrossGapUntilT = Number.NEGATIVE_INFINITY;
    this.kinematics.setLookback(this.onsetHideS(LIVE_LOOKBACK_MIN_S));
    this.kinematics.update(dt, verticalAcc, still, t <= this.restAcrossGapUntilT);
    this.leakyMotion.update(dt, verticalAcc, this.kinematics.motionMeanAcc);
    // Drifted out of any squat's range with nothing to anchor it (no rest, no upright turn): restart the live
    // depth at the next top of the leaky motion, where the lifter is up and about still.
    if (!this.liveDepthPlausible && this.leakyMotion.atTop) {
      this.kinematics.restart(0, 0);
      this.liveDepthRestartT = t;
    }
    if (standing) this.kinematics.resetHeight();
    this.observeStillness(t, still, rx, ry, rz, rawAcc);

    const sacrumDeg = this.sacrum ? this.sacrum.inclinationDeg : Number.NaN;
    const trunkDeg = this.trunk ? (this.trunk === channel ? this.trunk.inclinationDeg : this.trunk.inclinationAt(t)) : Number.NaN;
    // The accelerometer's inclinations are only averaged while standing (asin per sample otherwise wasted).
    this.posture.update(t, standing, standing ? (this.sacrum?.restInclinationDeg ?? Number.NaN) : Number.NaN, standing ? (this.trunk?.restInclinationDeg ?? Number.NaN) : Number.NaN);
    if (standing) this.updateLiveReference(dt, sacrumDeg, trunkDeg);
    if (t <= this.maxFlexionTestUntil) {
      const flexion = this.trunkSign * (trunkDeg - this.liveRefTrunk) - this.sacrumSign * (sacrumDeg - this.liveRefSacrum);
      if (Number.isFinite(flexion) && !(flexion <= this.maxFlexionTestDeg)) this.maxFlexionTestDeg = flexion;
    }

    const row = this.row;
    row[0] = t;
    row[1] = verticalAcc - this.kinematics.verticalBias;
    row[2] = rawAcc;
    row[3] = rx;
    row[4] = ry;
    row[5] = rz;
    row[6] = -this.kinematics.heightM * 100;
    row[7] = sacrumDeg;
    row[8] = trunkDeg;
    row[9] = still ? 1 : 0;
    row[10] = this.depthGravity;
    const seq = this.buffer.push(row);
    // From the last moment of known height: a rest, or a later upright top the live depth was anchored at.
    if (still && !this.wasStill && this.detector.inRep) {
      // A false rest early in a slow descent (earlierMovementStart) was no moment of zero velocity.
      const anchor = this.lastTurnSeq > this.lastRestSeq ? this.lastTurnSeq : (this.earlierMovementStart(this.lastRestSeq) ?? this.lastRestSeq);
      this.correctHeightAtRest(anchor, seq);
    }
    if (still && !this.wasStill) this.restStartSeq = seq;
    const restEndedNow = !still && this.wasStill;
    if (still) this.lastRestSeq = seq;
    this.wasStill = still;
    // Until the first rep, each rest looks back for a rep begun before the samples: once it has lasted long
    // enough to learn the bias, or on the sample it ends if it was shorter (the next rep may start from it).
    if (this.reps === 0 && (still || restEndedNow) && this.recoveryRestSeq !== this.restStartSeq) {
      const restS = (still ? t : this.buffer.get('t', seq - 1)) - this.buffer.get('t', this.restStartSeq);
      if ((still && restS >= RECOVERY_REST_S) || (restEndedNow && restS >= RECOVERY_MIN_REST_S)) {
        this.recoveryRestSeq = this.restStartSeq;
        if (!this.detector.inRep || !still) this.recoverRepBegunBeforeSamples(this.restStartSeq, still ? seq : seq - 1);
      }
    }
    this.buffer.set('liveDepthCm', seq, -this.kinematics.heightM * 100);
    // forwardInclination(seq), from the angles just buffered rather than read back from the buffer.
    const forward = channel.face.sign * (channel === this.sacrum ? sacrumDeg : trunkDeg);
    const turnWindow = this.feedUprightTurns(seq, t, forward);
    const liveDepthCm = -this.kinematics.heightM * 100;
    const window = this.withKnownStart(this.detector.update(seq, t, liveDepthCm, this.kinematics.verticalVelocity, still, forward) ?? turnWindow, still);

    this.cueIfAtCutoff(t, liveDepthCm);
    if (this.detector.descending && liveDepthCm >= FACE_VOTE_DEPTH_CM) this.voteFacesLive(seq);
    if (window !== null) {
      const rose = this.analyseRep(window);
      if (rose !== null && still && window.endSeq === seq && !this.detector.inRep) this.resumeAtBottom(rose, seq);
    }
    if (this.catchUpPending && !this.detector.inRep) this.catchUpReps();
    if (still && this.restStartSeq !== this.auditedRestSeq && t - this.buffer.get('t', this.restStartSeq) >= AUDIT_MIN_REST_S) {
      this.auditedRestSeq = this.restStartSeq;
      this.auditStretch(seq);
    } else if (restEndedNow && this.restStartSeq !== this.auditedRestSeq && this.buffer.get('t', seq - 1) - this.buffer.get('t', this.restStartSeq) >= AUDIT_END_REST_S) {
      // A shorter rest may still close a stretch, as it ends (the lifter's last rest before walking the bar in).
      this.auditedRestSeq = this.restStartSeq;
      this.auditStretch(seq - 1);
    }

    if (this.live) this.onEvent(this.liveFrame(t, liveDepthCm, sacrumDeg, trunkDeg));
  }

  /**
   * Time has come to `t` (the pipeline's clock) with no newer sample of the depth sensor: lost packets, or
   * samples still on their way. The stopping-depth cue must not wait for them — a burst of lost packets (up to
   * a few hundred ms) held it back until the next sample, 70 ms late on average where the crossing fell inside
   * one (docs/SENSING.md §12). So while a rep's descent is under way, the live depth is carried forward at its
   * last velocity for up to GAP_CUE_MAX_AHEAD_S, and the cue fires at `t` if that reaches the cutoff. Called
   * by the live gateway's timer and, for a hole in the samples, by push at the instants the samples would have
   * come (so `analyze` of a recording decides as the live timer did). Changes nothing but the cue.
   */
  tick(t: number): void {
    const ahead = t - this.lastT;
    // The live depth itself at the cutoff was the last sample's to cue (push).
    if (!(ahead > 0 && ahead <= GAP_CUE_MAX_AHEAD_S) || this.cutoff === null || -this.kinematics.heightM * 100 >= this.cutoff) return;
    this.cueIfAtCutoff(t, -(this.kinematics.heightM + this.kinematics.verticalVelocity * ahead) * 100);
  }

  /**
   * The stopping-depth cue at time t if the causal depth `depthCm` has reached the cutoff in a rep candidate's
   * descent that has no cue yet. Not when it is already far past the stopping depth: it jumped there (a
   * correction, a drift across lost packets), and a cue 10 cm too late teaches the wrong depth
   * (docs/INTERFACES.md §6: at the cutoff).
   */
  private cueIfAtCutoff(t: number, depthCm: number): void {
    if (!this.detector.descending || this.detector.candidateStartSeq === this.cuedCandidateStart || this.cutoff === null) return;
    if (!(depthCm >= this.cutoff && depthCm <= this.cutoff + CUE_LATE_CM)) return;
    this.cuedCandidateStart = this.detector.candidateStartSeq;
    const cue: CueEvent = { type: 'cue', kind: 'depth_cutoff', t: round3(t), rep: this.reps + 1, depth_cm: round1(depthCm) };
    this.onEvent(cue);
  }

  /**
   * tick at every instant a sample of the depth sensor was due in the hole before the sample at `nextT`: at most
   * GAP_CUE_MAX_AHEAD_S of them, and at least a millisecond apart (a period estimate thrown off by absurd
   * timestamps must not turn this into millions of ticks).
   */
  private tickThroughHole(nextT: number, period: number): void {
    const lastT = this.lastT;
    const step = Math.max(period, MIN_TICK_STEP_S);
    if (!Number.isFinite(step) || this.cutoff === null) return;
    for (let k = 1; lastT + k * step < nextT - 0.5 * step && k * step <= GAP_CUE_MAX_AHEAD_S; k++) this.tick(lastT + k * step);
  }

  /**
   * The channel of a sensor id, as `channels.get` gives it. A scan of the one or two channels: per sample it costs
   * less than hashing the id (the ids are usually the very string objects the channels were made with).
   */
  private channelOf(sensorId: string): SensorChannel | undefined {
    const list = this.channelList;
    for (let i = 0; i < list.length; i++) if (list[i].info.id === sensorId) return list[i];
    return undefined;
  }

  /**
   * No face yet, no rest since the samples began, and they began a while ago: a lifter who never stops, joined
   * mid-set. The live depth then has no anchor (the upright tops need the face) and drifts out of range within a
   * rep, so the upper part of the movement, where the evidence is gathered, is almost never seen; the evidence is
   * taken from the whole movement instead.
   */
  private faceEvidenceStarved(channel: SensorChannel, t: number): boolean {
    return channel.face.face === null && this.lastRestSeq < 0 && t - this.firstSampleT >= FACE_EVIDENCE_STARVED_AFTER_S;
  }

  /** Is the live depth within any squat's range (else it has drifted)? */
  private get liveDepthPlausible(): boolean {
    const depthCm = -this.kinematics.heightM * 100;
    return depthCm >= PLAUSIBLE_LIVE_DEPTH_CM[0] && depthCm <= PLAUSIBLE_LIVE_DEPTH_CM[1];
  }

  /**
   * A rep window that begins on the samples' first moments while the lifter moved (taken from the first minimum
   * of F, a top only because F was not seen before it) has an unknown velocity at its start: the samples may
   * begin inside a descent, and integrated forward from zero velocity there the rep came out 15–25 cm short.
   * Such a rep is recovered backwards instead, as a rep begun before the samples: from the rest that ended it
   * (the look-back at each rest before the first rep) or from the top that ended it, once the cycle after that
   * top is complete. Returns the window, or null when it is left to that recovery.
   * Unless the samples began with the lifter standing (a recording started in the sway, a moment before the
   * first rep) and the window ends at rest: then the start is as good as a rest (beganStanding).
   */
  private withKnownStart(window: RepWindow | null, still: boolean): RepWindow | null {
    if (window === null || window.startSeq >= CATCH_UP_MIN_LEAD_SAMPLES || this.buffer.get('still', window.startSeq) === 1) return window;
    if (still && this.beganStanding(window)) return window;
    if (!still) this.recoverBeforeTopSeq = window.endSeq;
    return null;
  }

  /**
   * Did the samples begin with the lifter standing? The pelvis (or trunk) was then inclined as at the rest that
   * ends the window — the lifter is back up there — to within the sway: its mean over the first
   * START_STANDING_WINDOW_S and over that rest differ by at most START_STANDING_MAX_DEG. Samples that begin
   * inside a descent begin bent forward, by about 0.5° per cm of depth. (Either way round the sensor is worn:
   * raw inclinations, compared with each other.)
   */
  private beganStanding(window: RepWindow): boolean {
    const b = this.buffer;
    const field = this.depthChannel === this.sacrum ? 'pelvicTiltRaw' : 'trunkRaw';
    const t0 = b.get('t', window.startSeq);
    let startSum = 0;
    let startCount = 0;
    for (let q = window.startSeq; q < window.endSeq && b.get('t', q) - t0 <= START_STANDING_WINDOW_S; q++, startCount++) startSum += b.get(field, q);
    let restSum = 0;
    let restCount = 0;
    for (let q = window.endSeq; q > window.startSeq && b.get('still', q) === 1; q--, restCount++) restSum += b.get(field, q);
    if (startCount === 0 || restCount === 0) return false;
    return Math.abs(startSum / startCount - restSum / restCount) <= START_STANDING_MAX_DEG;
  }

  /** The depth sensor's inclination at a buffered sample with the contract's sign (face corrected), deg. */
  private forwardInclination(seq: number): number {
    const raw = this.buffer.get(this.depthChannel === this.sacrum ? 'pelvicTiltRaw' : 'trunkRaw', seq);
    return this.depthChannel!.face.sign * raw;
  }

  /**
   * Feeds the upright-turn detector with the newest sample, its forward inclination `forwardDeg` (once the
   * depth sensor's face is known; when it
   * is found or changes, the recent history is searched again with the new sign). A confirmed turn may end
   * the rep in progress (touch-and-go); when no rep is in progress afterwards, the live depth is re-anchored
   * at it. Returns the window the turn ended, or null.
   */
  private feedUprightTurns(seq: number, t: number, forwardDeg: number): RepWindow | null {
    const face = this.depthChannel!.face;
    if (face.face === null) return null;
    let window: RepWindow | null = null;
    if (face.sign !== this.turnSign) {
      this.turnSign = face.sign;
      this.detector.uprightTurnsFound = true;
      this.detector.signChanged((q) => this.forwardInclination(q), this.buffer.oldest, seq - 1);
      this.catchUpPending = true;
      this.turns.reset();
      let from = seq;
      while (from > this.buffer.oldest && t - this.buffer.get('t', from - 1) <= TURN_REPLAY_S) from--;
      for (let q = from; q < seq; q++) {
        const turn = this.turns.update(q, this.buffer.get('t', q), this.forwardInclination(q));
        if (turn !== null) window = this.applyUprightTurn(turn, seq) ?? window;
      }
    }
    const turn = this.turns.update(seq, t, forwardDeg);
    if (turn !== null) window = this.applyUprightTurn(turn, seq) ?? window;
    return window;
  }

  private applyUprightTurn(turn: UprightTurn, seq: number): RepWindow | null {
    if (turn.seq < this.buffer.oldest) return null;
    // A lifter who rested a moment ago has a better anchor: the rest (zero velocity for sure, and the live
    // depth's look-back finds where the movement began).
    if (!this.detector.inRep && this.restedSince(turn.t - RECENT_REST_S, seq)) return null;
    const depth: TurnDepth = this.detector.inRep ? this.bridgedDepthAt(turn.seq) : { atTurnCm: this.buffer.get('liveDepthCm', turn.seq), deepestCm: 0, bridged: false };
    const window = this.detector.uprightTurn(turn.seq, turn.t, turn.value, depth);
    // Only a turn taken as a top (it ended a rep, or anchors outside one) bounds a cycle.
    if (window !== null || !this.detector.inRep) {
      const previousTop = this.lastTurnSeq;
      this.learnCycleBias(turn);
      if (previousTop === this.recoverBeforeTopSeq && this.firstRepSeq > previousTop) {
        // From a true top the cycle goes down and back up. One that only rose began at a bottom: a winker's
        // pelvis rolls back there, and when the face is found only after it, the turns replayed from the
        // buffer take that minimum for the first top. Then the rep before is recovered from this turn instead.
        if (this.cycleOnlyRose(previousTop, turn.seq)) this.recoverBeforeTopSeq = turn.seq;
        else this.recoverRepBeforeTop(previousTop, turn.seq);
      }
    }
    if (!this.detector.inRep) this.reanchorLiveDepth(turn.seq, seq);
    return window;
  }

  /**
   * Is an upright turn in the ascent the top? The live depth may have drifted too far to tell (a tilt-dependent
   * accelerometer error, no rest to learn it). If it is the top, the velocity is about zero there as at the
   * candidate's start, so integrate the candidate up to the turn with that condition (the constant part of the
   * error removed, integrateBetweenRests): at the top the depth comes back near zero; at a minimum near the
   * bottom (a butt wink), where the velocity is about zero too, it stays near the deepest point.
   */
  private bridgedDepthAt(turnSeq: number): TurnDepth {
    const start = Math.max(this.detector.candidateStartSeq, this.buffer.oldest);
    // A rest inside the candidate (a pause at the bottom) is a later moment of known velocity (zero) and height
    // (corrected there, correctHeightAtRest): bridge from it. Bridged from the start across a long pause, a
    // pose-dependent bias at the bottom was spread over the whole candidate as one constant, and a lifter
    // rolling the pelvis back during the pause came out "back at the top" (depth 3 cm for 38 cm).
    // The last rest before the turn: the rest going on now may be later than the turn (confirmed after it).
    // Not a flicker of the rest flags: bridged from one still sample 0.8 s after a slow rep's bottom, where the
    // lifter already rose at 8 cm/s, the ascent came out 5 cm for 21 and three reps merged (tuning set 2070414).
    const b = this.buffer;
    let lastRest = Math.min(this.lastRestSeq, turnSeq - 1);
    for (;;) {
      while (lastRest > start && b.get('still', lastRest) !== 1) lastRest--;
      if (lastRest <= start) break;
      let first = lastRest;
      while (first - 1 > start && b.get('still', first - 1) === 1 && b.get('t', lastRest) - b.get('t', first) < MIN_BRIDGE_REST_S) first--;
      if (b.get('t', lastRest) - b.get('t', first) >= MIN_BRIDGE_REST_S) break;
      lastRest = first - 1;
    }
    const fromRest = lastRest > start;
    const from = fromRest ? lastRest : start;
    const bridge = this.bridgeBetween(from, turnSeq, fromRest ? this.buffer.get('liveDepthCm', from) : 0);
    if (bridge === null) return { atTurnCm: this.buffer.get('liveDepthCm', turnSeq), deepestCm: 0, bridged: false };
    return { atTurnCm: bridge.atEndCm, deepestCm: bridge.deepestCm, bridged: true };
  }

  /**
   * The reps before the first anchor. A lifter who never stands still gives the rep detector no anchor until
   * the depth sensor's face is known (the upright tops need it), and the reps before that were lost — the
   * first two to four of a real set that starts mid-movement. Once the face is found (or turns), the buffered
   * span from its oldest sample to the earliest anchor a rep or candidate started from is searched for upright
   * tops with the new sign, and each stretch between two tops in which the lifter went down at least a rep's
   * depth and came back up (bridged between zero velocities at both tops, as for a turn in a rep: the depth
   * back in the upper half) is analysed as a rep window; a stretch that did not come back ended at a minimum
   * near the bottom (a wink), so the top stays. A rep begun before the first top is recovered backwards from
   * it (recoverRepBegunBeforeSamples).
   * Windows that refine to less than a rep's depth are dropped as always. Such reps are emitted when found,
   * after the reps already emitted: their `index` is the order in which reps were found.
   */
  private catchUpReps(): void {
    this.catchUpPending = false;
    const b = this.buffer;
    const anchor = this.detector.anchorSeq;
    if (anchor < b.oldest) return;
    const end = Math.min(this.firstRepSeq, anchor);
    const begin = b.oldest;
    if (end - begin < CATCH_UP_MIN_LEAD_SAMPLES + 2) return;
    const finder = new UprightTurnDetector();
    const tops: number[] = [];
    for (let q = begin; q < end; q++) {
      const turn = finder.update(q, b.get('t', q), this.forwardInclination(q));
      if (turn !== null && turn.seq >= begin + CATCH_UP_MIN_LEAD_SAMPLES) tops.push(turn.seq);
    }
    tops.push(end);
    const windows: RepWindow[] = [];
    let top = tops[0];
    for (let i = 1; i < tops.length; i++) {
      const next = tops[i];
      if (b.get('t', next) - b.get('t', top) > DEFAULT_REP_DETECTOR.maxRepS) {
        top = next;
        continue;
      }
      const bridge = this.bridgeBetween(top, next);
      if (bridge === null || bridge.deepestCm < MIN_REP_DEPTH_CM) {
        top = next; // no rep in between: the later top is the fresher standing
        continue;
      }
      // Not back up: this minimum lies near the bottom (a wink), and the top stays. The forward inclination is
      // not asked, unlike for a turn in a rep: in a recording's first seconds the orientation filter may still
      // be settling (F 24° off at a real set's first top), and the depth alone decides well enough.
      if (!(bridge.atEndCm <= 0.5 * bridge.deepestCm)) continue;
      windows.push({ startSeq: top, endSeq: next });
      top = next;
    }
    // Before the first top: a rep begun before the samples, integrated back from that top with the first
    // cycle's mean acceleration as bias — now, or once the cycle after the anchor is complete
    // (learnCycleBias). Then the reps between tops, in time order.
    if (windows.length > 0) this.recoverRepBeforeTop(windows[0].startSeq, windows[0].endSeq);
    else if (!Number.isFinite(this.firstRepSeq) && b.get('still', end) !== 1) this.recoverBeforeTopSeq = end;
    for (const w of windows) this.analyseRep(w);
  }

  /** recoverRepBegunBeforeSamples from the upright top `top`, with the cycle to the next top `nextTop`. */
  private recoverRepBeforeTop(top: number, nextTop: number): void {
    this.recoverBeforeTopSeq = -1;
    const reference = { refStart: Math.max(this.buffer.oldest, top - TURN_REFERENCE_HALF_SAMPLES), refEnd: top + TURN_REFERENCE_HALF_SAMPLES };
    this.recoverRepBegunBeforeSamples(top, nextTop, reference);
  }

  /**
   * Depth between two buffered samples at which the velocity is about zero (upright tops, a rest), integrated
   * with that condition at both ends (the constant part of the acceleration error removed) from the depth
   * `startCm` at the first: its deepest point and its value at the end, cm. Null when the stretch is too short.
   */
  private bridgeBetween(from: number, to: number, startCm = 0): { deepestCm: number; atEndCm: number } | null {
    const n = to - from + 1;
    if (n < 3) return null;
    this.buffer.copy('t', from, to + 1, this.scratchT);
    this.buffer.copy('verticalAcc', from, to + 1, this.scratchAcc);
    integrateBetweenRests(this.scratchT, this.scratchAcc, 0, n - 1, -startCm / 100, this.scratchHeight);
    let deepest = 0;
    for (let k = 0; k < n; k++) deepest = Math.max(deepest, -this.scratchHeight[k] * 100);
    return { deepestCm: deepest, atEndCm: -this.scratchHeight[n - 1] * 100 };
  }

  /** The cycle from `from` to `to` (zero velocity at both) ends a rep's depth above where it began, never below it. */
  private cycleOnlyRose(from: number, to: number): boolean {
    const bridge = this.bridgeBetween(from, to);
    return bridge !== null && bridge.atEndCm <= -MIN_REP_DEPTH_CM && bridge.deepestCm < MIN_REP_DEPTH_CM;
  }

  /**
   * Between two upright tops with no rest in between the lifter went down and came back up: the velocity is
   * about zero at both, so the mean of the measured vertical acceleration over the cycle is its bias. Learned
   * here, the live depth holds without rests (vertical-kinematics.ts).
   */
  private learnCycleBias(turn: UprightTurn): void {
    const from = this.lastTurnSeq;
    this.lastTurnSeq = turn.seq;
    if (from < this.buffer.oldest || from >= turn.seq) return;
    const span = turn.t - this.buffer.get('t', from);
    if (!(span >= MIN_CYCLE_S && span <= MAX_CYCLE_S)) return;
    let integral = 0;
    for (let q = from + 1; q <= turn.seq; q++) {
      // Not across a rest (then the rest taught the bias) nor a hole (its acceleration is unknown).
      if (this.buffer.get('still', q) === 1 || this.buffer.get('t', q) - this.buffer.get('t', q - 1) > HOLE_S) return;
      integral += 0.5 * (this.modelledVerticalAcc(q - 1) + this.modelledVerticalAcc(q)) * (this.buffer.get('t', q) - this.buffer.get('t', q - 1));
    }
    this.kinematics.learnCycleBias(integral / span);
    // A bias learned without a rest is only about right: the next rest must not be refused for disagreeing.
    this.restConfirmation.distrustBias();
  }

  /** The vertical acceleration at a buffered sample with the bias model's correction but not the live bias. */
  private modelledVerticalAcc(seq: number): number {
    const b = this.buffer;
    return b.get('rawVerticalAcc', seq) - this.biasModel.error(b.get('upX', seq), b.get('upY', seq), b.get('upZ', seq));
  }

  /**
   * A touch-and-go lifter often does not stand all the way up between reps, so the upright tops a rep's
   * depth is integrated between lie a few centimetres below the standing height that depth is measured from
   * (docs/INTERFACES.md §2). How far, the pelvis tells: in the upper part of a descent its forward inclination grows
   * about in proportion to the depth, at a rate learned from this lifter's own reps (depthPerDegree); a top
   * still inclined by ΔF beyond the quiet standing's lies about rate × ΔF below it. The rep's depth profile
   * (scratchDepth) is raised by that offset, linearly between its two ends; an end at rest needs none. Only
   * with the sacrum as the depth sensor and a quiet standing to compare with.
   */
  private measureFromStanding(window: RepWindow, start: number, end: number): void {
    if (this.depthChannel !== this.sacrum || this.sacrum === null) return;
    const b = this.buffer;
    const n = window.endSeq - window.startSeq + 1;
    // Learn: depth against inclination change over the upper half of the descent.
    let bottom = start;
    for (let k = start; k <= end; k++) if (this.scratchDepth[k] > this.scratchDepth[bottom]) bottom = k;
    const half = 0.5 * this.scratchDepth[bottom];
    for (let k = start; k <= bottom && this.scratchDepth[k] <= half; k++) {
      const x = this.scratchPelvis[k] - this.scratchPelvis[start];
      this.depthSlopeSums[0] += x * this.scratchDepth[k];
      this.depthSlopeSums[1] += x * x;
    }
    const below = (seq: number): number => (b.get('still', seq) === 1 ? 0 : this.belowStandingCm(seq));
    const first = below(window.startSeq);
    const last = below(window.endSeq);
    if (first === 0 && last === 0) return;
    const t0 = this.scratchT[0];
    const span = this.scratchT[n - 1] - t0;
    for (let k = 0; k < n; k++) this.scratchDepth[k] += first + (span > 0 ? ((last - first) * (this.scratchT[k] - t0)) / span : 0);
  }

  /**
   * How far below the standing height the lifter is at a buffered sample where the velocity is about zero (an
   * upright top), from the pelvis's forward inclination beyond the quiet standing's and the learned
   * depth-per-degree (measureFromStanding), cm; 0 when that is not known.
   */
  private belowStandingCm(seq: number): number {
    if (this.depthChannel !== this.sacrum || !(this.depthSlopeSums[1] >= MIN_SLOPE_EVIDENCE_DEG2)) return 0;
    const depthPerDegree = this.depthSlopeSums[0] / this.depthSlopeSums[1];
    const standingRaw = this.posture.standingDurationS() >= MIN_STANDING_REFERENCE_S ? this.posture.sacralInclinationDeg() : null;
    if (!(depthPerDegree > 0) || standingRaw === null) return 0;
    return Math.max(0, depthPerDegree * this.sacrumSign * (this.buffer.get('pelvicTiltRaw', seq) - standingRaw));
  }

  /** Was the depth sensor at rest at any buffered sample from time t up to `seq`? */
  private restedSince(t: number, seq: number): boolean {
    for (let q = seq; q >= this.buffer.oldest && this.buffer.get('t', q) >= t; q--) if (this.buffer.get('still', q) === 1) return true;
    return false;
  }

  /**
   * The lifter was upright at `fromSeq` (an upright turn: velocity about zero, standing height): integrate
   * the live depth again from there, so it does not carry the drift of the time before.
   */
  private reanchorLiveDepth(fromSeq: number, toSeq: number): void {
    const b = this.buffer;
    const n = toSeq - fromSeq + 1;
    b.copy('t', fromSeq, toSeq + 1, this.scratchT);
    b.copy('verticalAcc', fromSeq, toSeq + 1, this.scratchAcc);
    const end = integrateFromRest(this.scratchT, this.scratchAcc, n, this.scratchHeight);
    // The top may lie below standing (touch-and-go): depth, and the cue, count from standing.
    const startDepthCm = this.belowStandingCm(fromSeq);
    for (let k = 0; k < n; k++) b.set('liveDepthCm', fromSeq + k, startDepthCm - this.scratchHeight[k] * 100);
    this.kinematics.restart(end.p - startDepthCm / 100, end.v);
  }

  /** Ends the session: returns (and emits) its summary. */
  finish(): SensingSummary {
    // A rep whose lifter is back up when the samples end is a rep (a recording that stops at the top).
    const last = this.buffer.size - 1;
    const window = last >= 0 ? this.detector.endOfData(last) : null;
    if (window !== null) this.analyseRep(window);
    if (this.catchUpPending && !this.detector.inRep) this.catchUpReps();
    const summary = this.summary();
    this.onEvent(summary);
    return summary;
  }

  /** The session so far (not emitted). */
  summary(): SensingSummary {
    const [sacralRaw, trunkRaw] = this.standingInclinationsRaw();
    const sacral = this.sacrum && sacralRaw !== null ? this.sacrumSign * sacralRaw : null;
    const trunk = this.trunk && trunkRaw !== null ? this.trunkSign * trunkRaw : null;
    const lordosis = sacral !== null && trunk !== null ? sacral - trunk : null;
    const tilt = classifyPelvicTilt(lordosis, sacral, this.tiltThresholds);
    const summary: SensingSummary = {
      type: 'session',
      reps: this.reps,
      sensors: [...this.channels.values()].map((c) => {
        // The axis is signed by the raw inclination rate: for a sensor worn face in, forward is the other way.
        const raw = c.flexionAxis.angleDeg();
        const axis = raw === null ? null : c.face.face === 'in' ? (raw + 180) % 360 : raw;
        return { id: c.info.id, placement: c.info.placement, flexion_axis_deg: axis === null ? null : round1(axis), face: c.face.face };
      }),
      standing_lordosis_deg: lordosis === null ? null : round1(lordosis),
      sacral_inclination_deg: sacral === null ? null : round1(sacral),
      pelvic_tilt: tilt,
      suggested_cutoff_cm: suggestedCutoffCm(this.winkOnsets.map((o) => o.onset_cm)),
      suggestion_basis: suggestionBasis(this.winkOnsets),
      max_lumbar_flexion_deg: this.testedMaxFlexion() === null ? null : round1(this.testedMaxFlexion()!),
      no_reps_reason: this.reps === 0 ? this.diagnostics.noRepsReason(this.depthChannel?.stillness.accNoiseRms ?? 0) : null,
    };
    return summary;
  }

  /**
   * The lifter came to rest inside a rep (a pause at the bottom, or back at the top): the velocity is zero
   * now and was zero at the previous rest, so the movement between them can be re-integrated with its velocity
   * error removed (integrateBetweenRests). This undoes the drift that a burst of lost packets leaves in the
   * live depth — the acceleration inside a gap is unknown.
   */
  private correctHeightAtRest(fromSeq: number, toSeq: number): void {
    const b = this.buffer;
    if (fromSeq < b.oldest || toSeq - fromSeq >= this.scratchT.length) return;
    const bridge = this.bridgeBetween(fromSeq, toSeq, b.get('liveDepthCm', fromSeq));
    if (bridge === null) return;
    this.kinematics.setHeightAtRest(-bridge.atEndCm / 100);
    // The detector checks "back up?" against the corrected path's deepest point: a slow descent's live depth may
    // have drifted far past the bottom (103 cm for a 55 cm squat), and against that the corrected 48 cm of a rest
    // at the bottom read as "back up" (docs/SENSING.md §10). The path runs from the candidate's start or from its
    // last rest, where the detector's deepest point was set to the depth corrected there.
    this.detector.correctDeepest(bridge.deepestCm, toSeq);
  }

  /**
   * A slow movement's first instants hide under the rest flags (its acceleration is under every threshold
   * until the rest confirmation's mean notices, 0.1–0.5 s later on a noisy sensor), and the live depth's
   * look-back may not have reached back far enough: the refined integration would start the descent with the
   * velocity it had already gathered set to zero. So the window analysed starts up to onsetHideS earlier,
   * inside the rest before it (never before that rest's first sample), and the last onsetHideS of every rest
   * inside or before it is integrated as movement (hideOnsets), less the rest's own mean (its baseline).
   */
  private withHiddenOnsets(window: RepWindow, earlyStart: number | null): RepWindow {
    const start = this.backIntoRest(earlyStart ?? window.startSeq);
    return start === window.startSeq ? window : { startSeq: start, endSeq: window.endSeq };
  }

  /** From a rest's sample `seq`, back by onsetHideS inside that rest (never before its first sample). */
  private backIntoRest(seq: number): number {
    const b = this.buffer;
    const t0 = b.get('t', seq);
    const hide = this.onsetHideS();
    let start = seq;
    while (start - 1 >= b.oldest && b.get('still', start - 1) === 1 && t0 - b.get('t', start - 1) <= hide) start--;
    return start;
  }

  /**
   * A slow descent on a noisy sensor can pass for rest for a moment just after it began: standing, 0.1–0.5 s of
   * movement, a "rest" of a few samples, then the rest of the descent. The window then starts at that false
   * rest, with the velocity gathered so far set to zero, and the rep comes out centimetres short (one 4 s
   * descent of 30 cm: 24 cm). When the rest the window starts in (`seq` lies in it) is shorter than
   * FALSE_REST_MAX_S and a movement of at most EARLY_MOVEMENT_MAX_S, after the last rep's end, leads to it
   * from a rest, the window starts at the end of that rest instead: its last sample's index, or
   * null when the pattern is not there. The live depth does the same (LiveVerticalKinematics).
   */
  private earlierMovementStart(seq: number): number | null {
    const b = this.buffer;
    let restLast = seq;
    while (restLast + 1 < b.size && b.get('still', restLast + 1) === 1) restLast++;
    const tLast = b.get('t', restLast);
    // Back to the rest's first sample, given up as soon as the rest is too long to be false (a lifter may have
    // stood still for minutes: this runs at every pause inside a rep).
    let restFirst = seq;
    while (restFirst - 1 >= b.oldest && b.get('still', restFirst - 1) === 1) {
      restFirst--;
      if (tLast - b.get('t', restFirst) >= FALSE_REST_MAX_S) return null;
    }
    if (tLast - b.get('t', restFirst) >= FALSE_REST_MAX_S) return null;
    let moveFirst = restFirst - 1;
    const floor = Math.max(b.oldest, this.lastRepEndSeq + 1);
    while (moveFirst - 1 >= floor && b.get('still', moveFirst - 1) !== 1) moveFirst--;
    const before = moveFirst - 1;
    if (before < floor || b.get('still', before) !== 1) return null;
    if (b.get('t', restFirst) - b.get('t', before) > EARLY_MOVEMENT_MAX_S) return null;
    return before;
  }

  /**
   * How long a movement's start can hide under the rest flags: the rest confirmation notices a slow start once
   * its 0.1 s mean leaves a tolerance that grows with the accelerometer's noise, so about ONSET_HIDE_PER_NOISE
   * seconds per m/s² of noise rms (0.05 s for a good IMU, 0.4 s for an MPU-6050-class one), within bounds. A
   * fixed 0.3 s cleared a good IMU's rests for nothing and made the old distribution's depth MAE 0.76 → 0.94 cm.
   */
  private onsetHideS(minS = ONSET_HIDE_MIN_S): number {
    return Math.min(ONSET_HIDE_MAX_S, Math.max(minS, ONSET_HIDE_PER_NOISE * this.depthChannel!.stillness.accNoiseRms));
  }

  /**
   * Clears the still flag of the last onsetHideS of every still run in scratchStill[0, n), keeping each run's
   * first sample, and takes the mean of the run's kept part off the cleared samples' acceleration (see
   * withHiddenOnsets).
   */
  private hideOnsets(n: number): void {
    const hide = this.onsetHideS();
    const still = this.scratchStill;
    const t = this.scratchT;
    for (let k = n - 2; k >= 0; k--) {
      if (still[k] !== 1 || still[k + 1] === 1) continue;
      // k is the last sample of a still run: clear back to onsetHideS before it, keeping the run's first.
      const end = t[k];
      let q = k;
      while (q - 1 >= 0 && still[q - 1] === 1 && end - t[q] < hide) {
        still[q] = 0;
        q--;
      }
      // The rest's own baseline: the mean of its kept part (when it has a few samples), off the cleared part.
      let first = q;
      while (first - 1 >= 0 && still[first - 1] === 1) first--;
      if (q - first >= 10) {
        let sum = 0;
        for (let j = first; j <= q; j++) sum += this.scratchAcc[j];
        const mean = sum / (q - first + 1);
        for (let j = q + 1; j <= k; j++) this.scratchAcc[j] -= mean;
      }
      k = first;
    }
  }

  /**
   * Feeds the vertical-bias model one observation per still period (or per STILL_OBSERVATION_SAMPLES of it)
   * that lasted at least BIAS_MODEL_MIN_REST_S. A shorter one is mostly the turnaround of a slow rep without a
   * pause — velocity about zero, but the body still accelerating at a few hundredths of m/s², under a noisy
   * sensor's thresholds — and taught that acceleration as the bias of the bent pose: the model then took a
   * few cm off every slow rep's depth (a 4 s descent measured 32 cm for 42).
   */
  private observeStillness(t: number, still: boolean, rx: number, ry: number, rz: number, rawAcc: number): void {
    const sum = this.stillSum;
    if (still) {
      if (sum[4] === 0) this.stillObservationStartT = t;
      sum[0] += rx;
      sum[1] += ry;
      sum[2] += rz;
      sum[3] += rawAcc;
      sum[4]++;
      this.stillObservationEndT = t;
    }
    const n = sum[4];
    if ((!still && n > 0) || n >= STILL_OBSERVATION_SAMPLES) {
      if (this.stillObservationEndT - this.stillObservationStartT >= BIAS_MODEL_MIN_REST_S) {
        this.teachBiasModel(() => this.biasModel.observeStill(sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n));
      }
      sum.fill(0);
    }
  }

  /** Time integrals of the up direction and the measured acceleration over a rep window, for the bias model. */
  /** `t`: the window's sample times, already copied (analyseRep's scratchT). */
  private observeRepWindow(startSeq: number, endSeq: number, t: Float64Array): void {
    const b = this.buffer;
    const single = this.repSingle.fill(0);
    const double = this.repDouble.fill(0);
    const n = endSeq - startSeq + 1;
    const [upX, upY, upZ, acc] = this.scratchObserve;
    b.copy('upX', startSeq, endSeq + 1, upX);
    b.copy('upY', startSeq, endSeq + 1, upY);
    b.copy('upZ', startSeq, endSeq + 1, upZ);
    b.copy('rawVerticalAcc', startSeq, endSeq + 1, acc);
    // The bias model's order: up x, y, z, the constant 1 (∫1 = T, ∬1 = T²/2), the acceleration.
    const columns = [upX, upY, upZ, null, acc];
    for (let k = 1; k < n; k++) {
      const dt = t[k] - t[k - 1];
      for (let c = 0; c < 5; c++) {
        const column = columns[c];
        const sum = column === null ? 2 : column[k - 1] + column[k];
        const before = single[c];
        single[c] += 0.5 * sum * dt;
        double[c] += 0.5 * (before + single[c]) * dt;
      }
    }
    if (t[n - 1] - t[0] > 0) this.teachBiasModel(() => this.biasModel.observeRep(single, double));
  }

  /**
   * Updates the vertical-bias model without a step in the live depth: the live bias has already learned the
   * error at the current pose, so whatever the model now explains there is taken off the live bias. The model
   * adds what it knows about other poses; at a rest's end (when a still period is observed, the lifter has
   * just begun to move) a step would have gone straight into the rep's depth.
   */
  private teachBiasModel(update: () => void): void {
    const [x, y, z] = this.upNow;
    const before = this.biasModel.error(x, y, z);
    update();
    this.kinematics.shiftAcceleration(before - this.biasModel.error(x, y, z));
  }

  /** The maximum flexion test's result, once it has ended with a usable value (deg), else null. */
  private testedMaxFlexion(): number | null {
    const done = Number.isFinite(this.maxFlexionTestUntil) && this.lastT > this.maxFlexionTestUntil;
    return done && this.maxFlexionTestDeg > MIN_TESTED_FLEXION_DEG ? this.maxFlexionTestDeg : null;
  }

  private flexionPercent(flexionDeg: number | null): number | null {
    const max = this.testedMaxFlexion();
    return flexionDeg === null || max === null ? null : Math.round((flexionDeg / max) * 100);
  }

  private updateLiveReference(dt: number, sacrumDeg: number, trunkDeg: number): void {
    const alpha = Math.min(1, dt / LIVE_REFERENCE_TAU_S);
    this.liveRefSacrum = Number.isNaN(this.liveRefSacrum) ? sacrumDeg : this.liveRefSacrum + alpha * (sacrumDeg - this.liveRefSacrum);
    this.liveRefTrunk = Number.isNaN(this.liveRefTrunk) ? trunkDeg : this.liveRefTrunk + alpha * (trunkDeg - this.liveRefTrunk);
  }

  private liveFrame(t: number, depthCm: number, sacrumDeg: number, trunkDeg: number): LiveFrame {
    const pelvis = this.sacrumSign * (sacrumDeg - this.liveRefSacrum);
    const flexion = this.trunkSign * (trunkDeg - this.liveRefTrunk) - pelvis;
    // Rising out of a squat the pelvis cannot pass its standing height, yet the causal integration overshoots
    // there until the next rest re-zeroes it (by 5–10 cm on the simulator, up to 1 m on the real recordings'
    // touch-and-go sets). The trace shows the constraint instead of that error. Only the published frame is held:
    // rep detection keeps the raw integration, whose every re-anchoring was tuned on it (holding the integrator
    // itself moved rep ends and broke some reps' depths — docs/SENSING.md).
    const shownDepthCm = this.detector.phase === 'ascent' ? Math.max(0, depthCm) : depthCm;
    return {
      type: 'live',
      t,
      depth_cm: round1(shownDepthCm),
      lumbar_flexion_deg: this.sacrum && this.trunk && Number.isFinite(flexion) ? round1(flexion) : null,
      pelvic_tilt_deg: this.sacrum && Number.isFinite(pelvis) ? round1(pelvis) : null,
      phase: this.detector.phase,
      cutoff_cm: this.cutoff,
    };
  }

  /**
   * Measures a finished window and emits it as a rep if it is one. `recovered`: a rep recovered backwards from
   * a rest (recoverRepBegunBeforeSamples), whose heights are already in scratchHeight and whose angles
   * are referred to the samples refStart…refEnd of that rest; null for the usual window between two anchors.
   * Returns what roseInstead found when a usual window went no rep's depth down but rose instead, else null.
   */
  private analyseRep(detected: RepWindow, recovered: { readonly refStart: number; readonly refEnd: number } | null = null, minRestS = 0): RoseInstead | null {
    const b = this.buffer;
    if (detected.startSeq < b.oldest) return null;
    const earlyStart = recovered === null ? this.earlierMovementStart(detected.startSeq) : null;
    const window = recovered === null ? this.withHiddenOnsets(detected, earlyStart) : detected;
    const n = window.endSeq - window.startSeq + 1;
    b.copy('t', window.startSeq, window.endSeq + 1, this.scratchT);
    let bridge: ReturnType<typeof refinedHeights> = null;
    if (recovered === null) {
      b.copy('verticalAcc', window.startSeq, window.endSeq + 1, this.scratchAcc);
      b.copy('still', window.startSeq, window.endSeq + 1, this.scratchStill);
      if (window !== detected) this.hideOnsets(n);
      // The window's ends are rests by construction.
      this.scratchStill[0] = 1;
      this.scratchStill[n - 1] = 1;
      // Across a descent's false rest (earlierMovementStart) the velocity is not zero: no rest that short counts.
      const minRest = Math.max(minRestS, earlyStart === null ? 0 : FALSE_REST_MAX_S);
      if (minRest > 0) dropShortRests(this.scratchT, this.scratchStill, n, minRest);
      bridge = refinedHeights(this.scratchT, this.scratchAcc, this.scratchStill, n, this.scratchHeight);
    }
    let maxDepth = 0;
    let bottom = 0;
    for (let k = 0; k < n; k++) {
      const d = -this.scratchHeight[k] * 100;
      this.scratchDepth[k] = d;
      if (d > maxDepth) {
        maxDepth = d;
        bottom = k;
      }
    }
    // Across a long hole (a dropped link) the deepest point may lie where there are no samples.
    const bridged = bridge !== null && -bridge.lowestM * 100 > maxDepth ? { depthCm: -bridge.lowestM * 100, t: bridge.t } : null;
    if (bridged) maxDepth = bridged.depthCm;
    if (maxDepth < MIN_REP_DEPTH_CM) return recovered === null && bridged === null ? this.roseInstead(window.startSeq, n) : null;
    // Two reps whose top the rep detector missed: each part on its own, zero velocity at the top between them.
    const top = recovered === null && bridged === null ? mergedRepsTop(this.scratchDepth, n, bottom, MIN_REP_DEPTH_CM) : null;
    const topSeq = top === null ? -1 : window.startSeq + top;
    if (topSeq > detected.startSeq && topSeq < detected.endSeq) {
      this.analyseRep({ startSeq: detected.startSeq, endSeq: topSeq }, null, minRestS);
      this.analyseRep({ startSeq: topSeq, endSeq: detected.endSeq }, null, minRestS);
      return null;
    }
    // Only a window between two rests is sure to start and end at zero velocity and the same height: one that
    // starts or ends at an upright turn (about zero velocity), or merges reps whose tops were missed, would
    // teach the bias model a wrong bias.
    if (b.get('still', window.startSeq) === 1 && b.get('still', window.endSeq) === 1) this.observeRepWindow(window.startSeq, window.endSeq, this.scratchT);

    const edge = Math.max(0.5, REP_EDGE_FRACTION * maxDepth);
    let start = bottom;
    while (start > 0 && this.scratchDepth[start - 1] >= edge) start--;
    let end = bottom;
    while (end < n - 1 && this.scratchDepth[end + 1] >= edge) end++;
    if (bridge !== null && bridge.afterIndex - 1 <= end && bridge.afterIndex >= start) {
      // A hole at the rep's edge belongs to the rep (the lifter was still moving when the link dropped), even
      // when the other side of it is already standing: its samples are missing from the rep, not absent.
      start = Math.min(start, bridge.afterIndex - 1);
      end = Math.max(end, bridge.afterIndex);
    }

    // Angles relative to the standing just before the rep: the still half second before it, or, for a rep
    // that starts at an upright turn (touch-and-go, a lifter who never stands still), the top itself.
    // A recovered rep (no standing seen before it) takes the rest after it.
    const startedAtRest = b.get('still', detected.startSeq) === 1;
    const refStart =
      recovered?.refStart ??
      (startedAtRest ? Math.max(b.oldest, this.firstSeqAfter(detected.startSeq, b.get('t', detected.startSeq) - STANDING_REFERENCE_S)) : Math.max(b.oldest, detected.startSeq - TURN_REFERENCE_HALF_SAMPLES));
    const refEnd = recovered?.refEnd ?? (startedAtRest ? detected.startSeq : Math.min(detected.endSeq, detected.startSeq + TURN_REFERENCE_HALF_SAMPLES));
    // Each sensor's own samples: in the first instants of a recording the other sensor may not have sent one yet.
    const refSacrum = this.referenceAngle('pelvicTiltRaw', refStart, refEnd, window);
    const refTrunk = this.referenceAngle('trunkRaw', refStart, refEnd, window);
    // Only a rep that starts at rest votes: one that starts at an upright turn was cut where the face in use
    // put the top, and a wrong face would vote for itself.
    if (startedAtRest && detected.startSeq !== this.liveVoteStartSeq) this.voteFaces(window, n, maxDepth, refSacrum, refTrunk);
    // Per sensor: a rep without one sensor's reference must not void the other's, nor the later reps'.
    if (Number.isFinite(refSacrum)) {
      this.repReferenceSum[0] += refSacrum;
      this.repReferenceSum[1]++;
    }
    if (Number.isFinite(refTrunk)) {
      this.repReferenceSum[2] += refTrunk;
      this.repReferenceSum[3]++;
    }
    const twoSensors = this.sacrum !== null && this.trunk !== null;
    b.copy('pelvicTiltRaw', window.startSeq, window.endSeq + 1, this.scratchPelvis);
    b.copy('trunkRaw', window.startSeq, window.endSeq + 1, this.scratchFlexion);
    for (let k = 0; k < n; k++) {
      const pelvis = this.sacrumSign * (this.scratchPelvis[k] - refSacrum);
      this.scratchFlexion[k] = twoSensors ? this.trunkSign * (this.scratchFlexion[k] - refTrunk) - pelvis : 0;
      this.scratchPelvis[k] = this.sacrum ? pelvis : 0;
    }

    if (bridged === null) this.measureFromStanding(window, start, end);

    const m = computeRepMetrics(
      {
        t: this.scratchT,
        depthCm: this.scratchDepth,
        pelvicTiltDeg: this.scratchPelvis,
        lumbarFlexionDeg: twoSensors ? this.scratchFlexion : null,
        start,
        end: end + 1,
      },
      this.winkThresholdDeg,
    );
    // The rep's own sample spacing (the median step: most steps are consecutive samples), not the orientation
    // filter's period estimate, which a stream that began with a backlog (notifications squeezed in time while
    // the clock mapping caught up) can leave at half the true period — every rep then looked half lost.
    const period = medianStep(this.scratchT, start, end, this.scratchSteps) ?? this.depthChannel!.filter.samplePeriod();
    let missing = 0;
    for (let k = start + 1; k <= end; k++) missing += Math.max(0, Math.round((this.scratchT[k] - this.scratchT[k - 1]) / period) - 1);
    // A rep whose first sample comes right after a hole began in the hole (the link came back mid-rep): the
    // hole's samples are missing from the rep, not absent from it.
    const firstSeq = window.startSeq + start;
    if (firstSeq - 1 >= b.oldest) {
      const before = this.scratchT[start] - b.get('t', firstSeq - 1);
      if (before > HOLE_S) missing += Math.max(0, Math.round(before / period) - 1);
    }
    const gapFraction = round3(missing / (missing + end - start + 1));

    this.reps++;
    this.lastRepEndSeq = Math.max(this.lastRepEndSeq, detected.endSeq);
    this.firstRepSeq = Math.min(this.firstRepSeq, window.startSeq + start);
    // A depth estimated across a hole must not move the lifter's suggested stopping depth, nor the onset of a
    // rep whose descent began before the samples did.
    const descentSeen = recovered === null || this.scratchDepth[0] < edge;
    if (m.butt_wink && m.wink_onset_depth_cm !== null && !depthIsUncertain(gapFraction) && descentSeen) this.winkOnsets.push({ rep: this.reps, onset_cm: round1(m.wink_onset_depth_cm) });
    let peakTilt = -Infinity;
    for (let k = start; k <= m.bottomEndIndex; k++) peakTilt = Math.max(peakTilt, this.scratchPelvis[k]);
    const rep: RepEvent = {
      type: 'rep',
      index: this.reps,
      t_start: round3(this.scratchT[start]),
      t_bottom: round3(bridged ? bridged.t : m.t_bottom),
      t_end: round3(this.scratchT[end]),
      // A bridge is kept only when deeper than every sample, so deeper than the samples' bottom too.
      depth_cm: round1(bridged ? bridged.depthCm : m.depth_cm),
      lumbar_flexion_max_deg: m.lumbar_flexion_max_deg === null ? null : round1(m.lumbar_flexion_max_deg),
      wink_deg: round1(m.wink_deg),
      butt_wink: m.butt_wink,
      wink_onset_depth_cm: m.wink_onset_depth_cm === null ? null : round1(m.wink_onset_depth_cm),
      pelvic_tilt_max_deg: this.sacrum ? round1(peakTilt) : 0,
      gap_fraction: gapFraction,
      lumbar_flexion_pct_of_max: this.flexionPercent(m.lumbar_flexion_max_deg),
    };
    this.onEvent(rep);
    return null;
  }

  /**
   * A window between two rests that went no rep's depth down may have gone a rep's depth UP and come back
   * down: both of its rests were pauses at the bottom, taken for standing (touch-and-go reps that pause only at
   * the bottom, seen from a start with no standing). A squat starts by going down, never up. The window is
   * integrated again without closing its height (the refined heights force its two ends to one height, and a
   * window from a bottom to a top rest would then seem to rise and fall): it must rise MIN_REP_DEPTH_CM and come
   * back down most of the way. Returns the highest point and the depth of the end rest below it, or null.
   * `scratchT`, `scratchAcc` and `scratchStill` hold the window (analyseRep).
   */
  private roseInstead(startSeq: number, n: number): RoseInstead | null {
    return this.roseAndFell(startSeq, n, heightsBetweenRests(this.scratchT, this.scratchAcc, this.scratchStill, n, this.scratchHeight));
  }

  /** The test of roseInstead on heights already in `scratchHeight` (from `startSeq` on, ending at `endM`). */
  private roseAndFell(startSeq: number, n: number, endM: number): RoseInstead | null {
    const h = this.scratchHeight;
    let top = 0;
    for (let k = 1; k < n; k++) if (h[k] > h[top]) top = k;
    const riseCm = h[top] * 100;
    const backDownCm = (h[top] - endM) * 100;
    if (!(riseCm >= MIN_REP_DEPTH_CM && backDownCm >= MIN_REP_DEPTH_CM && backDownCm >= ROSE_BACK_DOWN_SHARE * riseCm)) return null;
    return { startSeq, topSeq: startSeq + top, depthCm: backDownCm };
  }

  /**
   * The face votes so far came from descents that started at bottoms taken for standing, so they are forgotten,
   * and the descent from the window's top to the rest casts a vote instead: its top was found by height, not by
   * a face. Depths are those roseInstead left in `scratchHeight`.
   */
  private voteFacesFromTop(rose: RoseInstead, seq: number): void {
    this.sacrum?.face.forgetRepVotes();
    this.trunk?.face.forgetRepVotes();
    const h = this.scratchHeight;
    const topHeight = h[rose.topSeq - rose.startSeq];
    const refStart = Math.max(rose.startSeq, rose.topSeq - TURN_REFERENCE_HALF_SAMPLES);
    const refEnd = Math.min(seq, rose.topSeq + TURN_REFERENCE_HALF_SAMPLES);
    const refSacrum = this.finiteMean('pelvicTiltRaw', refStart, refEnd);
    const refTrunk = this.finiteMean('trunkRaw', refStart, refEnd);
    this.castFaceVotes(rose.topSeq, seq, (q) => (topHeight - h[q - rose.startSeq]) * 100, FACE_VOTE_DEPTH_CM, refSacrum, refTrunk);
  }

  /**
   * The rest that just ended a window is a pause at the bottom (roseInstead): the rep in progress started at
   * the window's highest point. The detector goes on from the bottom of that rep, and the live depth is
   * measured from that top, so the ascent out of the pause ends the rep at the next top as usual.
   */
  private resumeAtBottom(rose: RoseInstead, seq: number): void {
    this.voteFacesFromTop(rose, seq);
    // The window's first rest was a bottom too: its pose is no standing posture.
    this.posture.forgetSince(this.buffer.get('t', rose.startSeq));
    let maxForward = -Infinity;
    for (let q = rose.topSeq; q <= seq; q++) maxForward = Math.max(maxForward, this.forwardInclination(q));
    this.detector.resumeAtBottom(rose.topSeq, this.buffer.get('t', rose.topSeq), this.forwardInclination(rose.topSeq), maxForward, rose.depthCm, seq);
    this.kinematics.setHeightAtRest(-rose.depthCm / 100);
    this.buffer.set('liveDepthCm', seq, rose.depthCm);
    // Found at the bottom: a cue now would come a whole descent late.
    this.cuedCandidateStart = rose.topSeq;
  }

  /**
   * The rest audit. The live detector follows the causal depth, and a restless lifter's slow, shallow rep can
   * slip past it: the live depth reads a few centimetres short, or a still moment in the slow descent ends the
   * candidate as a dip. Between two rests the depth is far better known (each movement integrated with zero
   * velocity at both of its rests). So once a rest has lasted AUDIT_MIN_REST_S, the stretch since the last such
   * rest, if no rep was emitted in it, is integrated so (still moments shorter than that taken for movement): if
   * the lifter went down a rep's depth and came back up, it was a rep, analysed like any other (its refined
   * depth decides once more). A stretch that ends down (a pause at the bottom) is kept open until a later rest;
   * one longer than a rep may last is given up.
   */
  private auditStretch(seq: number): void {
    const b = this.buffer;
    let from = this.auditFromSeq;
    if (this.detector.inRep && from >= 0) return;
    // A rep emitted since: the stretch after it, if it ended at rest (a touch-and-go rep ends at a top).
    if (this.lastRepEndSeq >= from && this.lastRepEndSeq >= b.oldest) from = b.get('still', this.lastRepEndSeq) === 1 ? this.lastRepEndSeq : -1;
    const t = b.get('t', seq);
    if (from < b.oldest || t - b.get('t', from) > DEFAULT_REP_DETECTOR.maxRepS) {
      this.auditFromSeq = seq;
      return;
    }
    const n = seq - from + 1;
    b.copy('t', from, seq + 1, this.scratchT);
    b.copy('verticalAcc', from, seq + 1, this.scratchAcc);
    b.copy('still', from, seq + 1, this.scratchStill);
    this.scratchStill[0] = 1;
    this.scratchStill[n - 1] = 1;
    dropShortRests(this.scratchT, this.scratchStill, n, AUDIT_MIN_REST_S);
    const endM = heightsBetweenRests(this.scratchT, this.scratchAcc, this.scratchStill, n, this.scratchHeight);
    // Up and back down instead, the lifter still in this rest: both rests were bottoms (roseInstead). The live
    // detector may not have had the two as one window (a winker's pelvis turned near the bottom: a "top" there).
    const rose = seq === b.size - 1 && b.get('still', seq) === 1 ? this.roseAndFell(from, n, endM) : null;
    if (rose !== null) {
      this.auditFromSeq = seq;
      this.resumeAtBottom(rose, seq);
      return;
    }
    let lowestM = 0;
    for (let k = 0; k < n; k++) lowestM = Math.min(lowestM, this.scratchHeight[k]);
    const depthCm = -lowestM * 100;
    const endCm = endM * 100;
    // Back up where the stretch began, or above it (a slow descent reads short when a long false rest hides
    // part of it, and the rise is the better measure then).
    const backUp = endCm >= -Math.max(AUDIT_BACK_UP_CM, AUDIT_BACK_UP_SHARE * depthCm);
    // Still down (a pause at the bottom, or a slow descent's false rests): wait for the rest at the top.
    if (!backUp) return;
    this.auditFromSeq = seq;
    if (Math.max(depthCm, depthCm + endCm) < MIN_REP_DEPTH_CM) return;
    this.analyseRep({ startSeq: from, endSeq: seq }, null, AUDIT_MIN_REST_S);
  }

  /**
   * The samples may have begun inside a rep (a recording or a connection that starts mid-set): no anchor came
   * before it, so the rep detector could not follow it. At a rest before the first rep (`restStart`…`now`),
   * that rep is recovered backwards: the vertical acceleration — re-referred to today's gravity (each sample
   * keeps the one it was taken with) and bias model, less this rest's mean — is integrated from the rest (zero
   * velocity, standing height) back towards the first sample (RECOVERY_* above). Without a velocity at the far
   * end nothing corrects the drift, but the bias is the rest's own and the bottom lies only a second or two
   * back. A deepest point of at least MIN_REP_DEPTH_CM, seen with some descent before it, in a window where the
   * depth sensor's inclination moved (the body bent, not a drift), is a rep; it is analysed as any other, its
   * angles referred to this rest.
   *
   * The anchor may also be the first upright top of a lifter who never rests (catchUpReps): then `restStart`
   * is that top, the bias is the mean over the cycle to the next top (`restStart`…`now`: zero velocity at both
   * ends, as over a rest), and the angles refer to the top itself.
   */
  private recoverRepBegunBeforeSamples(restStart: number, now: number, reference = { refStart: restStart, refEnd: now }): void {
    const b = this.buffer;
    if (restStart - b.oldest < 3) return;
    const tRest = b.get('t', restStart);
    let from = restStart;
    while (from > b.oldest && tRest - b.get('t', from - 1) <= RECOVERY_LOOKBACK_S && b.get('t', from) - b.get('t', from - 1) <= RECOVERY_MAX_HOLE_S) from--;
    // Both sensors' angles are needed from the window's first sample (the other sensor's first samples may
    // come a little later).
    while (from < restStart && !(Number.isFinite(b.get('pelvicTiltRaw', from)) || this.sacrum === null)) from++;
    while (from < restStart && !(Number.isFinite(b.get('trunkRaw', from)) || this.trunk === null)) from++;
    const n = restStart - from + 1;
    if (n < 3) return;
    const gravity = this.depthGravity;
    const acc = (q: number): number =>
      b.get('rawVerticalAcc', q) + b.get('gravity', q) - gravity - this.biasModel.error(b.get('upX', q), b.get('upY', q), b.get('upZ', q));
    let bias = 0;
    for (let q = restStart; q <= now; q++) bias += acc(q);
    bias /= now - restStart + 1;
    // Backwards from the rest: height 0 and velocity 0 at its first sample.
    const h = this.scratchHeight;
    let v = 0;
    h[n - 1] = 0;
    let deepest = n - 1;
    let later = acc(restStart) - bias;
    for (let k = n - 1; k > 0; k--) {
      const earlier = acc(from + k - 1) - bias;
      const dt = b.get('t', from + k) - b.get('t', from + k - 1);
      const v0 = v - 0.5 * (later + earlier) * dt;
      h[k - 1] = h[k] - 0.5 * (v + v0) * dt;
      v = v0;
      later = earlier;
      if (h[k - 1] < h[deepest]) deepest = k - 1;
    }
    deepest = this.closeBetweenRests(from, restStart, acc, deepest);
    const depthCm = -h[deepest] * 100;
    if (depthCm < MIN_REP_DEPTH_CM || depthCm > PLAUSIBLE_LIVE_DEPTH_CM[1]) return;
    // The bottom must be seen, with some descent before it: a rep whose bottom came before the samples is only
    // an ascent, not a rep of this set (contract v1.1 §2: a descent and the return).
    if (depthCm + h[0] * 100 < Math.max(RECOVERY_MIN_DESCENT_CM, RECOVERY_MIN_DESCENT_SHARE * depthCm)) return;
    // The body bent (a winker's pelvis may be back near standing at the bottom: anywhere in the window counts).
    const channel = this.depthChannel === this.sacrum ? 'pelvicTiltRaw' : 'trunkRaw';
    const restDeg = b.get(channel, restStart);
    let bent = 0;
    for (let q = from; q < restStart; q++) bent = Math.max(bent, Math.abs(b.get(channel, q) - restDeg));
    if (!(bent >= RECOVERY_MIN_TILT_DEG)) return;
    // The rep starts where the depth was last near standing before its bottom, else at the first sample.
    let start = deepest;
    while (start > 0 && -h[start - 1] * 100 >= REP_EDGE_FRACTION * depthCm) start--;
    if (start > 0) h.copyWithin(0, start, n);
    this.analyseRep({ startSeq: from + start, endSeq: restStart }, reference);
  }

  /**
   * A recovery's heights (scratchHeight over [from, restStart], 0 at the rest) were integrated backwards with
   * the rest's own mean as the bias; over several seconds from a short rest that drifts by metres. An earlier
   * rest inside the look-back (a pause at the bottom of the rep the samples began in) is a second moment of
   * zero velocity: between the two, the movement is integrated with the velocity closed at both ends
   * (integrateBetweenRests, its constant error removed), and the heights before it are moved to join. Returns
   * the index of the deepest point.
   */
  private closeBetweenRests(from: number, restStart: number, acc: (q: number) => number, deepest: number): number {
    const b = this.buffer;
    let inner = restStart - 1;
    while (inner > from && b.get('still', inner) !== 1) inner--;
    if (inner <= from || b.get('still', inner) !== 1) return deepest;
    const n = restStart - inner + 1;
    if (n < 3) return deepest;
    for (let k = 0; k < n; k++) {
      this.scratchT[k] = b.get('t', inner + k);
      this.scratchAcc[k] = acc(inner + k);
    }
    const h = this.scratchHeight;
    const offset = inner - from;
    // Heights from the inner rest up to the rest now, then shifted so that the rest now is at 0; the heights
    // before the inner rest move by as much as its height did.
    const rise = integrateBetweenRests(this.scratchT, this.scratchAcc, 0, n - 1, 0, this.scratchDepth);
    const innerHeight = -rise;
    const shift = h[offset] - innerHeight;
    for (let k = 0; k < offset; k++) h[k] -= shift;
    for (let k = 0; k < n; k++) h[offset + k] = this.scratchDepth[k] - rise;
    let lowest = 0;
    for (let k = 1; k <= restStart - from; k++) if (h[k] < h[lowest]) lowest = k;
    return lowest;
  }

  /**
   * Each sensor's face vote from this rep (face-estimator.ts): its raw inclination over the early descent —
   * the samples between half of and the full early depth, the lesser of FACE_VOTE_DEPTH_CM and a share of the
   * rep's depth, above any lifter's wink — less the standing reference before the rep. Before the rep's
   * angles are computed, so a vote that settles the face already counts for this rep.
   */
  private voteFaces(window: RepWindow, n: number, depthCm: number, refSacrum: number, refTrunk: number): void {
    const early = Math.min(FACE_VOTE_DEPTH_CM, FACE_VOTE_DEPTH_SHARE * depthCm);
    let reached = 0;
    while (reached < n && this.scratchDepth[reached] < early) reached++;
    const depth = this.scratchDepth;
    this.castFaceVotes(window.startSeq, window.startSeq + reached - 1, (q) => depth[q - window.startSeq], early, refSacrum, refTrunk);
  }

  /**
   * The same vote, cast during the descent of a candidate that started at rest, once its live depth passes
   * FACE_VOTE_DEPTH_CM: so soon after a rest the live depth is as good as the refined one over the first
   * centimetres, and the face — and with it the upright tops that end touch-and-go reps — is known before the
   * first ascent instead of at the first rest after it, which a touch-and-go lifter may never give (their first
   * reps merged into one window). The rep is not voted again when it is analysed.
   */
  private voteFacesLive(seq: number): void {
    const start = this.detector.candidateStartSeq;
    const b = this.buffer;
    if (start === this.liveVoteStartSeq || start < b.oldest || b.get('still', start) !== 1) return;
    // A live depth restarted since the rest no longer counts from it: its 4–8 cm are not below that rest's pose.
    // (One tuning set: a rest at the bottom of a slow touch-and-go rep, the drifted depth restarted during the
    // ascent, and the next descent's start compared with the bottom's tilt voted the face wrong.)
    if (this.liveDepthRestartT >= b.get('t', start)) return;
    this.liveVoteStartSeq = start;
    const refStart = Math.max(b.oldest, this.firstSeqAfter(start, b.get('t', start) - STANDING_REFERENCE_S));
    const refSacrum = this.finiteMean('pelvicTiltRaw', refStart, start);
    const refTrunk = this.finiteMean('trunkRaw', refStart, start);
    this.castFaceVotes(start, seq, (q) => b.get('liveDepthCm', q), FACE_VOTE_DEPTH_CM, refSacrum, refTrunk);
  }

  /** The votes themselves: each sensor's mean raw inclination over the samples from…to whose depth lies
   *  between half of and the full `early` depth, less its standing reference. */
  private castFaceVotes(from: number, to: number, depthAt: (seq: number) => number, early: number, refSacrum: number, refTrunk: number): void {
    const b = this.buffer;
    let sumS = 0;
    let sumT = 0;
    let count = 0;
    for (let q = from; q <= to; q++) {
      const depth = depthAt(q);
      if (depth < 0.5 * early || depth > early) continue;
      sumS += b.get('pelvicTiltRaw', q);
      sumT += b.get('trunkRaw', q);
      count++;
    }
    if (count === 0) return;
    this.sacrum?.face.observeRepDescent(sumS / count - refSacrum);
    this.trunk?.face.observeRepDescent(sumT / count - refTrunk);
  }

  private get sacrumSign(): number {
    return this.sacrum?.face.sign ?? 1;
  }

  private get trunkSign(): number {
    return this.trunk?.face.sign ?? 1;
  }

  /**
   * Raw standing inclinations [sacrum, trunk] (deg, before the face sign): from a quiet standing of at least
   * MIN_QUIET_STANDING_S when there was one; else, when reps were found, the mean of their standing references
   * (the upright tops between touch-and-go reps, docs/INTERFACES.md §2 v1.1); else the longest standing seen.
   */
  private standingInclinationsRaw(): [number | null, number | null] {
    const [sacrumSum, sacrumCount, trunkSum, trunkCount] = this.repReferenceSum;
    if (!this.posture.hasQuietStanding() && sacrumCount + trunkCount > 0) {
      const mean = (sum: number, count: number) => (count > 0 ? sum / count : null);
      return [mean(sacrumSum, sacrumCount), mean(trunkSum, trunkCount)];
    }
    return [this.posture.sacralInclinationDeg(), this.posture.trunkInclinationDeg()];
  }

  /**
   * A sensor's standing reference for a rep: its mean over the reference samples, or — when it had not sent a
   * sample there yet (a recording that starts inside or just before the rep, the other sensor's first sample
   * a little later) — its first sample in the rep's window, which starts at a rest or an upright top. NaN when
   * the sensor sent nothing in the window either.
   */
  private referenceAngle(channel: SignalChannel, from: number, to: number, window: RepWindow): number {
    const mean = this.finiteMean(channel, from, to);
    if (Number.isFinite(mean)) return mean;
    for (let q = window.startSeq; q <= window.endSeq; q++) {
      const x = this.buffer.get(channel, q);
      if (Number.isFinite(x)) return x;
    }
    return Number.NaN;
  }

  /** Mean of a buffered channel's finite values over the samples from…to (NaN when there is none). */
  private finiteMean(channel: SignalChannel, from: number, to: number): number {
    let sum = 0;
    let count = 0;
    for (let q = from; q <= to; q++) {
      const x = this.buffer.get(channel, q);
      if (Number.isFinite(x)) {
        sum += x;
        count++;
      }
    }
    return sum / count;
  }

  /** The first buffered sequence number at or after time t, searching back from `seq`. */
  private firstSeqAfter(seq: number, t: number): number {
    let q = seq;
    while (q > this.buffer.oldest && this.buffer.get('t', q - 1) >= t) q--;
    return q;
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Median time step between consecutive entries of t[from..to], s (the upper median for an even count); null with
 * fewer than two steps. `scratch` (at least to − from long) holds the steps.
 */
function medianStep(t: Float64Array, from: number, to: number, scratch: Float64Array): number | null {
  if (to - from < 2) return null;
  const n = to - from;
  let positive = true;
  for (let k = from + 1; k <= to; k++) {
    const step = t[k] - t[k - 1];
    scratch[k - from - 1] = step;
    if (!(step > 0)) positive = false;
  }
  // Steps are positive (the samples' times increase); anything else (NaN, a zero of either sign) takes the sort,
  // whose order quickselect's comparisons cannot reproduce.
  if (!positive) return scratch.subarray(0, n).sort()[n >> 1];
  return selectKth(scratch, n, n >> 1);
}
