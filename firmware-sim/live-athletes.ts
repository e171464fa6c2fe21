/**
 * Simulated athletes for the live gateway (`squatmon start --sim`): each one squats set after set, for as long
 * as the gateway runs, wearing one or two virtual squatmon sensors hosted by a VirtualBleBinding — so the
 * gateway reaches them through real noble, exactly as it reaches real sensors.
 *
 * A lifter's sets repeat the same athlete and mounting (seed); between sets they stand still for `restS`. The
 * sensor errors persist across sets (one error model per sensor for the whole run), as on real hardware.
 */
import type { Placement } from '../shared/imu.ts';
import { STANDARD_GRAVITY } from '../shared/imu.ts';
import type { OutputRateHz } from '../shared/protocol/index.ts';
import { Rng } from '../shared/rng.ts';
import { SensorFirmware } from './firmware/index.ts';
import { DEFAULT_IMU_ERRORS, ImuErrorModel, buildSquatSet } from './model/index.ts';
import type { AthleteProfile, SquatSet } from './model/index.ts';
import type { VirtualBleBinding } from './peripheral/index.ts';
import { LinkFaultModel } from './link/index.ts';

export interface LiveAthleteSpec {
  readonly athleteId: string;
  readonly profile: AthleteProfile;
  readonly seed: number;
  readonly sensors: 'sacrum' | 'both';
  readonly rateHz: OutputRateHz;
  /** Notification loss in bursts, 0..1. */
  readonly lossRate: number;
  /** Share of delivered notifications that arrive twice, 0..1. Default 0. */
  readonly duplicateRate?: number;
  /** Standing rest between sets, s. */
  readonly restS?: number;
  /** Radio outages (true time, s). */
  readonly outages?: readonly { readonly start: number; readonly duration: number }[];
}

export interface LiveSensor {
  /** Sensor id for the gateway (recordings, payloads). */
  readonly id: string;
  readonly placement: Extract<Placement, 'sacrum' | 'thoracolumbar'>;
  /** The advertised local name, which the gateway's assignment matches. */
  readonly localName: string;
  readonly firmware: SensorFirmware;
}

const REPS_PER_SET = [5, 6, 4, 6];
const DEFAULT_REST_S = 60;

/** The lifter's motion over unlimited time: consecutive squat sets with rests between them. */
class ContinuousSquatter {
  /** The sets built so far that may still be asked for (the two sensors sample at slightly different times). */
  private readonly sets: { set: SquatSet; offset: number }[] = [];
  private built = 0;
  private readonly errors: ImuErrorModel[];
  private readonly pose = new Float64Array(4);

  constructor(private readonly spec: LiveAthleteSpec) {
    this.sets.push({ set: this.buildSet(), offset: 0 });
    const rng = new Rng(spec.seed ^ 0x11fe);
    this.errors = this.sets[0].set.sensors.map((_, i) => new ImuErrorModel({ ...DEFAULT_IMU_ERRORS, rateHz: spec.rateHz }, rng.fork(i)));
  }

  get sensorCount(): number {
    return this.sets[0].set.sensors.length;
  }

  sensor(index: number) {
    return this.sets[0].set.sensors[index];
  }

  private buildSet(): SquatSet {
    const set = buildSquatSet({
      profile: this.spec.profile,
      seed: this.spec.seed,
      reps: REPS_PER_SET[this.built % REPS_PER_SET.length],
      sensors: this.spec.sensors,
      errors: false,
    });
    this.built++;
    return set;
  }

  /** The set (with its start time) that true time t falls in, building sets ahead as time goes on. */
  private setAt(t: number): { set: SquatSet; offset: number } {
    const rest = this.spec.restS ?? DEFAULT_REST_S;
    let last = this.sets[this.sets.length - 1];
    while (t >= last.offset + last.set.duration + rest) {
      last = { set: this.buildSet(), offset: last.offset + last.set.duration + rest };
      this.sets.push(last);
      if (this.sets.length > 3) this.sets.shift();
    }
    for (let k = this.sets.length - 1; k >= 0; k--) if (t >= this.sets[k].offset) return this.sets[k];
    return this.sets[0];
  }

  /** Measured IMU of sensor `index` at true time t (increasing per sensor). */
  sample(index: number, t: number, out: Float64Array): void {
    const { set, offset } = this.setAt(t);
    const local = t - offset;
    if (local <= set.duration) {
      set.idealImu(index, local, out);
    } else {
      // Standing still after the set: gravity only, in the final pose.
      const q = set.pose(index, set.duration, this.pose);
      const w = q[0], x = q[1], y = q[2], z = q[3];
      out[0] = 2 * (x * z - w * y) * STANDARD_GRAVITY;
      out[1] = 2 * (y * z + w * x) * STANDARD_GRAVITY;
      out[2] = (1 - 2 * (x * x + y * y)) * STANDARD_GRAVITY;
      out[3] = 0;
      out[4] = 0;
      out[5] = 0;
    }
    this.errors[index].apply(t, out, out);
  }
}

/** Adds an athlete's virtual sensors to the binding; returns them for the gateway's assignments. */
export function addLiveAthlete(binding: VirtualBleBinding, spec: LiveAthleteSpec, athleteIndex: number): LiveSensor[] {
  const squatter = new ContinuousSquatter(spec);
  const sensors: LiveSensor[] = [];
  for (let i = 0; i < squatter.sensorCount; i++) {
    const sim = squatter.sensor(i);
    const serialTail = (0x5100 + athleteIndex * 16 + i).toString(16).toUpperCase();
    const firmware = new SensorFirmware({
      serial: `SQM1-${serialTail}`,
      sampler: (t, out) => squatter.sample(i, t, out),
      rateHz: spec.rateHz,
      attMtu: 247,
      clockDriftPpm: ((athleteIndex * 7 + i * 13) % 40) - 20,
      clockOffsetUs: (athleteIndex * 1_000_003 + i * 7_777_777) >>> 0,
    });
    binding.addSensor({
      firmware,
      rssi: -55 - 5 * athleteIndex,
      link: new LinkFaultModel({ lossRate: spec.lossRate, duplicateRate: spec.duplicateRate ?? 0, outages: spec.outages ?? [] }, spec.seed * 31 + i),
    });
    sensors.push({ id: `${spec.athleteId}-${sim.placement === 'sacrum' ? 'sacrum' : 'tl'}`.slice(0, 16), placement: sim.placement, localName: firmware.localName, firmware });
  }
  return sensors;
}
