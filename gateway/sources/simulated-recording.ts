/**
 * A whole simulated set, end to end as the gateway would record it: the squat model's sensor readings go
 * through each sensor's firmware (its own drifting clock, int16 quantisation, BLE frames), through the link
 * (loss bursts, latency, duplicates) and through the gateway's ingest (duplicate removal, clock mapping) into
 * the samples of a recording. Deterministic: the same options give the same samples.
 *
 * Clocks: the model, the firmware and the link run on true time; the recording's clock is the simulated
 * gateway's receive clock, which reads true time. So recording t ≈ true sample time + the link's minimum
 * latency (7.5 ms by default) — as in a real gateway, whose receive clock cannot know that latency.
 */
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import type { OutputRateHz } from '../../shared/protocol/index.ts';
import { Rng } from '../../shared/rng.ts';
import { SensorSampleStream } from '../ingest/sensor-sample-stream.ts';
import { SensorFirmware } from '../../firmware-sim/firmware/index.ts';
import { randomizedErrors, randomizedLink, randomizedModelOptions } from '../../firmware-sim/randomized-sets.ts';
import type { RandomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import type { LinkFaultConfig, LinkStats } from '../../firmware-sim/link/index.ts';
import { simulateLink } from '../../firmware-sim/link/index.ts';
import { buildSquatSet } from '../../firmware-sim/model/index.ts';
import type { AthleteProfile, SetTruth, SquatSetOptions } from '../../firmware-sim/model/index.ts';

export interface SimulateRecordingOptions {
  readonly profile: AthleteProfile;
  readonly seed: number;
  readonly reps: number;
  readonly sensors: 'sacrum' | 'both';
  readonly rateHz: OutputRateHz;
  /** Negotiated ATT MTU (default 247). */
  readonly attMtu?: number;
  /** Link faults applied to every sensor's notifications (default: none beyond latency). */
  readonly link?: LinkFaultConfig;
  /** Further options of the squat model (walk-out, per-rep depths, sensor errors…). */
  readonly model?: Partial<Omit<SquatSetOptions, 'profile' | 'seed' | 'reps' | 'sensors'>>;
}

export interface SimulatedSensorReport {
  readonly id: string;
  readonly placement: string;
  readonly clip_angle_deg: number;
  readonly clock_drift_ppm: number;
  readonly frames_received: number;
  readonly frames_lost: number;
  readonly duplicates_dropped: number;
  readonly link: LinkStats;
}

export interface SimulatedRecording {
  readonly sensors: SensorInfo[];
  /** All sensors' samples in time order. */
  readonly samples: ImuSample[];
  readonly truth: SetTruth;
  readonly report: SimulatedSensorReport[];
}

/** Crystal tolerance of a typical BLE module's sleep clock and IMU timer, ± ppm. */
const MAX_CLOCK_DRIFT_PPM = 40;

export function simulateRecording(options: SimulateRecordingOptions): SimulatedRecording {
  // Sensor noise is a density: its per-sample size depends on the output rate.
  const errors = options.model?.errors === false ? false : { ...options.model?.errors, rateHz: options.rateHz };
  const set = buildSquatSet({ ...options.model, errors, profile: options.profile, seed: options.seed, reps: options.reps, sensors: options.sensors });
  // Separate streams so that adding a sensor or changing the link does not change the other draws.
  const rng = new Rng(options.seed ^ 0x5eed51);
  const samples: ImuSample[] = [];
  const report: SimulatedSensorReport[] = [];
  set.sensors.forEach((sensor, index) => {
    const hardware = rng.fork(index);
    const clockDriftPpm = Math.round(hardware.uniform(-MAX_CLOCK_DRIFT_PPM, MAX_CLOCK_DRIFT_PPM) * 10) / 10;
    const firmware = new SensorFirmware({
      serial: `SQM1-${(0xa000 + index * 0x111 + (options.seed & 0xfff)).toString(16).toUpperCase().padStart(4, '0').slice(-4)}`,
      sampler: (t, out) => {
        set.measuredImu(index, t, out);
      },
      clockDriftPpm,
      clockOffsetUs: hardware.int(0, 0xffff_ffff),
      attMtu: options.attMtu ?? 247,
      rateHz: options.rateHz,
    });
    firmware.write('control', Uint8Array.of(0x01, 1), 0); // start_stream
    const imu = firmware.advanceTo(set.duration).filter((n) => n.characteristic === 'imu');
    const link = simulateLink(imu, options.link ?? {}, hardware.nextUint32());
    const stream = new SensorSampleStream(sensor.id);
    for (const delivery of link.delivered) stream.push(delivery.data, delivery.t, samples);
    report.push({
      id: sensor.id,
      placement: sensor.placement,
      clip_angle_deg: sensor.clipAngleDeg,
      clock_drift_ppm: clockDriftPpm,
      frames_received: stream.sequence.accepted,
      frames_lost: stream.sequence.lost,
      duplicates_dropped: stream.sequence.duplicates,
      link: link.stats,
    });
  });
  // Stable sort: samples of one sensor keep their (strictly increasing) order.
  samples.sort((a, b) => a.t - b.t);
  return { sensors: set.sensors.map((s) => ({ id: s.id, placement: s.placement })), samples, truth: set.truth, report };
}

/** Simulates the spec end to end (model → firmware → lossy link → ingest), as simulateRecording does. */
export function simulateRandomizedSet(spec: RandomizedSetSpec, options: { readonly duplicateRate?: number; readonly attMtu?: number } = {}): SimulatedRecording {
  return simulateRecording({
    profile: spec.profile,
    seed: spec.seed,
    reps: spec.reps,
    sensors: spec.sensors,
    rateHz: spec.rateHz,
    attMtu: options.attMtu,
    link: { ...randomizedLink(spec), duplicateRate: options.duplicateRate ?? 0 },
    model: { ...randomizedModelOptions(spec), errors: randomizedErrors(spec) },
  });
}
