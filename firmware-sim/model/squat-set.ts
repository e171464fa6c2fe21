/**
 * A simulated squat set: the body model, the sensors on it, their ideal and measured IMU readings at any
 * true time, and the ground truth.
 */
import type { Placement } from '../../shared/imu.ts';
import { DEG, RAD, STANDARD_GRAVITY } from '../../shared/imu.ts';
import { Rng } from '../../shared/rng.ts';
import { DEFAULT_IMU_ERRORS, IDEAL_IMU_ERRORS, ImuErrorModel } from './imu-errors.ts';
import type { ImuErrorParams } from './imu-errors.ts';
import { BodyMotion, CHANNEL_COUNT, RepMovement } from './motion.ts';
import type { SwayTerm } from './motion.ts';
import type { AthleteProfile } from './profiles.ts';
import { RigState, SensorRig } from './rig.ts';
import type { SensorFace, SensorMount } from './rig.ts';
import { applyMatTransposed, mat3, mulMatTransposed, quatFromMat, smallRotationVector } from './rotation.ts';
import { buildScript } from './script.ts';
import type { RepTempo, SetScript } from './script.ts';
import { STANDING_REFERENCE_WINDOW_S, TRUTH_STEP_S, computeTruth, referenceFromModel, uprightTopTime } from './truth.ts';
import type { SetTruth } from './truth.ts';
import { DEFAULT_TILT_THRESHOLDS, DEFAULT_WINK_THRESHOLD_DEG } from '../../shared/posture.ts';
import type { TiltThresholds } from '../../shared/posture.ts';

export interface SquatSetOptions {
  readonly profile: AthleteProfile;
  readonly seed: number;
  readonly reps: number;
  /** `both`: S1 thoracolumbar + S2 sacrum; `sacrum`: S2 only. */
  readonly sensors: 'sacrum' | 'both';
  /** Walk-out after the first quiet standing and re-rack at the end (default true). */
  readonly walkout?: boolean;
  /** Quiet-standing sway and breathing (default true). */
  readonly sway?: boolean;
  /** Fidgets between reps with the profile's probability (default true). */
  readonly fidgets?: boolean;
  /** Mounting misalignment (angle and position of each patch vs its landmark; default true). */
  readonly mounting?: boolean;
  /** Length of the first quiet standing, s (≥ 3; default 3–5 from the seed). */
  readonly quietStandingS?: number;
  /** Per-rep target depths, cm, overriding the profile (e.g. half reps); NaN entries keep the profile's. */
  readonly repDepthsCm?: readonly number[];
  /** Clip angles, deg, overriding the profile's and the seed's. */
  readonly clipAngleDeg?: { readonly sacrum?: number; readonly thoracolumbar?: number };
  /** Sensor errors of `measuredImu`: overrides of DEFAULT_IMU_ERRORS, or false for ideal sensors. */
  readonly errors?: Partial<ImuErrorParams> | false;
  readonly winkThresholdDeg?: number;
  readonly tiltThresholds?: Partial<TiltThresholds>;
  /** Which way round each sensor is clipped on (default `out`: z = outward skin normal). */
  readonly face?: { readonly sacrum?: SensorFace; readonly thoracolumbar?: SensorFace };
  /** Per-rep descent / pause / ascent, s, overriding the profile's jittered tempo. */
  readonly repTempos?: readonly (RepTempo | undefined)[];
  /** Time from each rep's end to the next rep's start, s, overriding the profile's rests; < 0 overlaps them. */
  readonly restsS?: readonly number[];
  /** Mid-set start: no quiet standing or walk-out, rep 1 starts at this time (negative: before the recording). */
  readonly leadInS?: number;
  /** Sway added to the profile's (a lifter who never stands still). */
  readonly extraSway?: readonly SwayTerm[];
}

export interface SimSensor extends SensorMount {
  /** `S1` thoracolumbar, `S2` sacrum (as in the docs/INTERFACES.md example). */
  readonly id: 'S1' | 'S2';
  readonly placement: Extract<Placement, 'sacrum' | 'thoracolumbar'>;
  /** Standing skin inclination of the landmark (the profile's value), deg. */
  readonly anatomicalInclinationDeg: number;
  readonly face: SensorFace;
}

/** Step of the central differences for acceleration and angular rate, s. */
const DIFF_STEP_S = 1e-3;

export class SquatSet {
  readonly seed: number;
  readonly profile: AthleteProfile;
  readonly duration: number;
  readonly sensors: readonly SimSensor[];
  /** One error model per sensor, driving `measuredImu` (inspect `.bias`, `.accelGain`, ...). */
  readonly errorModels: readonly ImuErrorModel[];
  private readonly script: SetScript;
  private readonly body: BodyMotion;
  /** The body with every rep left out (built on first use): the standing posture behind touch-and-go reps. */
  private standingBody: BodyMotion | null = null;
  private readonly rig: SensorRig;
  /** +1 for a face-out sensor, −1 face in: the outward normal is this times the sensor's z axis. */
  private readonly normalSign: Float64Array;
  private readonly winkThresholdDeg: number;
  private readonly tiltThresholds: TiltThresholds;
  private cachedTruth: SetTruth | null = null;
  // Scratch state for the hot paths (no per-sample allocation).
  private readonly ch = new Float64Array(CHANNEL_COUNT);
  private readonly chBefore = new Float64Array(CHANNEL_COUNT);
  private readonly chAfter = new Float64Array(CHANNEL_COUNT);
  private readonly state = new RigState();
  private readonly stateBefore = new RigState();
  private readonly stateAfter = new RigState();
  /** Time whose ±step states are in stateBefore/stateAfter (sensors sampled together share them). */
  private diffT = Number.NaN;
  private readonly pos = new Float64Array(3);
  private readonly posBefore = new Float64Array(3);
  private readonly posAfter = new Float64Array(3);
  private readonly rot = mat3();
  private readonly rotBefore = mat3();
  private readonly rotAfter = mat3();
  private readonly rotDelta = mat3();
  private readonly vec = new Float64Array(3);
  private readonly idealScratch = new Float64Array(6);

  constructor(options: SquatSetOptions) {
    const { profile, seed } = options;
    if (!Number.isInteger(options.reps) || options.reps < 0) throw new RangeError(`reps must be a whole number ≥ 0`);
    this.seed = seed;
    this.profile = profile;
    // Streams per purpose and per placement, forked in a fixed order: the sacrum sensor and the body motion
    // are the same whether or not the thoracolumbar sensor is worn.
    const root = new Rng(seed);
    const mountRoot = root.fork(1);
    const scriptRng = root.fork(2);
    const mountRngs = { thoracolumbar: mountRoot.fork(0), sacrum: mountRoot.fork(1) };
    const errorRngs = { thoracolumbar: root.fork(10), sacrum: root.fork(11) };
    const placements: SimSensor['placement'][] = options.sensors === 'both' ? ['thoracolumbar', 'sacrum'] : ['sacrum'];
    const mounting = options.mounting ?? true;
    this.sensors = placements.map((placement): SimSensor => {
      const mountRng = mountRngs[placement];
      const small = (sd: number, limit: number): number =>
        mounting ? Math.max(-limit, Math.min(limit, sd * mountRng.gaussian())) : 0;
      const drawnClip = mountRng.uniform(0, 360);
      const mountPitchDeg = small(1.5, 3);
      const mountRollDeg = small(1.5, 3);
      const upSkin = small(0.01, 0.02);
      const lateral = small(0.005, 0.01);
      return {
        id: placement === 'sacrum' ? 'S2' : 'S1',
        placement,
        clipAngleDeg: options.clipAngleDeg?.[placement] ?? profile.clipAngleDeg?.[placement] ?? drawnClip,
        mountPitchDeg,
        mountRollDeg,
        // The sensor body sits ~6 mm proud of the skin along the normal.
        mountOffsetM: [upSkin, lateral, 0.006],
        anatomicalInclinationDeg:
          placement === 'sacrum' ? profile.sacralInclinationDeg : profile.sacralInclinationDeg - profile.standingLordosisDeg,
        face: options.face?.[placement] ?? 'out',
      };
    });
    this.rig = new SensorRig(
      {
        sacrumInclination: profile.sacralInclinationDeg * DEG,
        thoracolumbarInclination: (profile.sacralInclinationDeg - profile.standingLordosisDeg) * DEG,
        sacrumBehindHipM: profile.sacrumBehindHipCm / 100,
        sacrumAboveHipM: profile.sacrumAboveHipCm / 100,
        sensorSpacingM: profile.sensorSpacingCm / 100,
      },
      this.sensors,
    );
    const depthSensor = this.sensors.findIndex((s) => s.placement === 'sacrum');
    this.script = buildScript(
      profile,
      {
        reps: options.reps,
        walkout: options.walkout ?? true,
        sway: options.sway ?? true,
        fidgets: options.fidgets ?? true,
        quietStandingS: options.quietStandingS,
        repDepthsCm: options.repDepthsCm,
        repTempos: options.repTempos,
        restsS: options.restsS,
        leadInS: options.leadInS,
        extraSway: options.extraSway,
      },
      this.rig,
      depthSensor,
      scriptRng,
    );
    this.duration = this.script.duration;
    this.normalSign = Float64Array.from(this.sensors, (s) => (s.face === 'in' ? -1 : 1));
    this.body = new BodyMotion(this.script.movements, this.script.sway, this.duration, DIFF_STEP_S);
    const errorParams: ImuErrorParams =
      options.errors === false ? IDEAL_IMU_ERRORS : { ...DEFAULT_IMU_ERRORS, ...(options.errors ?? {}) };
    this.errorModels = this.sensors.map((sensor) => new ImuErrorModel(errorParams, errorRngs[sensor.placement]));
    this.winkThresholdDeg = options.winkThresholdDeg ?? DEFAULT_WINK_THRESHOLD_DEG;
    this.tiltThresholds = { ...DEFAULT_TILT_THRESHOLDS, ...(options.tiltThresholds ?? {}) };
  }

  /** True sensor-to-earth orientation [w, x, y, z] at true time t. */
  pose(sensorIndex: number, t: number, out: Float64Array): Float64Array {
    this.trueSensorPose(sensorIndex, t, this.pos, this.rot);
    return quatFromMat(out, this.rot);
  }

  /** True sensor position (earth frame, m; z above the floor) at true time t. */
  position(sensorIndex: number, t: number, out: Float64Array): Float64Array {
    this.trueSensorPose(sensorIndex, t, out, this.rot);
    return out;
  }

  /** True skin inclination θ = asin(n_z) of the sensor at true time t, deg (n the outward normal, whatever the face). */
  inclinationDeg(sensorIndex: number, t: number): number {
    this.trueSensorPose(sensorIndex, t, this.pos, this.rot);
    return Math.asin(Math.max(-1, Math.min(1, this.normalSign[sensorIndex] * this.rot[8]))) * RAD;
  }

  /**
   * The depth sensor's standing height (m) a rep starting at repStart is measured from: the mean over the
   * STANDING_REFERENCE_WINDOW_S before it, of the actual pose or — touch-and-go, mid-set start — of the model's
   * standing posture (truth.ts referenceFromModel), or the actual upright top before a touch-and-go rep that no
   * quiet standing came before (truth.ts uprightTopTime). The same number the truth's depth uses.
   */
  standingHeightBefore(sensorIndex: number, repStart: number): number {
    const top = uprightTopTime(this.script, repStart, (t) => this.position(sensorIndex, t, this.pos)[2]);
    if (top !== null) return this.position(sensorIndex, top, this.pos)[2];
    const fromModel = referenceFromModel(this.script, repStart);
    const t0 = fromModel ? repStart - STANDING_REFERENCE_WINDOW_S : Math.max(0, repStart - STANDING_REFERENCE_WINDOW_S);
    const steps = Math.max(1, Math.round((repStart - t0) / TRUTH_STEP_S));
    let z = 0;
    for (let k = 0; k <= steps; k++) {
      const t = t0 + k * TRUTH_STEP_S;
      if (fromModel) this.solveStandingAt(t);
      else this.solveAt(t);
      this.rig.sensorPose(this.state, sensorIndex, this.pos, this.rot);
      z += this.pos[2] / (steps + 1);
    }
    return z;
  }

  /**
   * Noise-free [ax, ay, az, gx, gy, gz] in the sensor frame at true time t: specific force Rᵀ(a + g·ẑ) (m/s²)
   * and angular rate with [ω]× = RᵀṘ (rad/s), from central differences (±1 ms) of the exact pose.
   */
  idealImu(sensorIndex: number, t: number, out: Float64Array): Float64Array {
    const h = DIFF_STEP_S;
    if (t !== this.diffT) {
      this.body.evaluateAround(t, this.chBefore, this.ch, this.chAfter);
      this.rig.solve(this.chBefore, this.stateBefore);
      this.rig.solve(this.ch, this.state);
      this.rig.solve(this.chAfter, this.stateAfter);
      this.diffT = t;
    }
    this.rig.sensorPose(this.stateBefore, sensorIndex, this.posBefore, this.rotBefore);
    this.rig.sensorPose(this.state, sensorIndex, this.pos, this.rot);
    this.rig.sensorPose(this.stateAfter, sensorIndex, this.posAfter, this.rotAfter);
    const k = 1 / (h * h);
    const ax = (this.posAfter[0] - 2 * this.pos[0] + this.posBefore[0]) * k;
    const ay = (this.posAfter[1] - 2 * this.pos[1] + this.posBefore[1]) * k;
    const az = (this.posAfter[2] - 2 * this.pos[2] + this.posBefore[2]) * k + STANDARD_GRAVITY;
    applyMatTransposed(out, this.rot, ax, ay, az, 0);
    mulMatTransposed(this.rotDelta, this.rotBefore, this.rotAfter);
    smallRotationVector(this.vec, this.rotDelta);
    out[3] = this.vec[0] / (2 * h);
    out[4] = this.vec[1] / (2 * h);
    out[5] = this.vec[2] / (2 * h);
    return out;
  }

  /**
   * Measured [ax, ay, az, gx, gy, gz] at true time t: the ideal reading through the sensor's error model.
   * Stateful: per sensor, t must increase from call to call (rebuild the set to replay from the start).
   */
  measuredImu(sensorIndex: number, t: number, out: Float64Array): Float64Array {
    this.idealImu(sensorIndex, t, this.idealScratch);
    return this.errorModels[sensorIndex].apply(t, this.idealScratch, out);
  }

  /** Body and segments at t into this.state (invalidates the differentiation cache, which shares it). */
  private solveAt(t: number): void {
    this.body.evaluate(t, this.ch);
    this.rig.solve(this.ch, this.state);
    this.diffT = Number.NaN;
  }

  private solveStandingAt(t: number): void {
    this.standingBody ??= new BodyMotion(
      this.script.movements.filter((m) => !(m instanceof RepMovement)),
      this.script.sway,
      this.duration,
      DIFF_STEP_S,
    );
    this.standingBody.evaluate(t, this.ch);
    this.rig.solve(this.ch, this.state);
    this.diffT = Number.NaN;
  }

  private trueSensorPose(sensorIndex: number, t: number, pos: Float64Array, rot: Float64Array): void {
    this.solveAt(t);
    this.rig.sensorPose(this.state, sensorIndex, pos, rot);
  }

  /** Ground truth (computed on first access, on a 1 kHz grid, then cached). */
  get truth(): SetTruth {
    if (this.cachedTruth === null) {
      const n = this.sensors.length;
      const sampler = (solve: (t: number) => void) => (t: number, height: Float64Array, theta: Float64Array): void => {
        solve(t);
        for (let i = 0; i < n; i++) {
          this.rig.sensorPose(this.state, i, this.pos, this.rot);
          height[i] = this.pos[2];
          theta[i] = Math.asin(Math.max(-1, Math.min(1, this.normalSign[i] * this.rot[8]))) * RAD;
        }
      };
      this.cachedTruth = computeTruth({
        profile: this.profile.name,
        seed: this.seed,
        sensors: this.sensors,
        script: this.script,
        winkThresholdDeg: this.winkThresholdDeg,
        tiltThresholds: this.tiltThresholds,
        sample: sampler((t) => this.solveAt(t)),
        sampleStanding: sampler((t) => this.solveStandingAt(t)),
      });
    }
    return this.cachedTruth;
  }
}

export function buildSquatSet(options: SquatSetOptions): SquatSet {
  return new SquatSet(options);
}
