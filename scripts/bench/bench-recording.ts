/**
 * The benchmark's input: a simulated two-sensor 200 Hz set long enough to cover the target duration, written
 * as a recording v1 in plain text and gzip, so every pass reads the same bytes a real session would produce.
 */
import { stat } from 'node:fs/promises';
import type { SensorInfo } from '../../shared/imu.ts';
import { RecordingWriter } from '../../shared/recording/index.ts';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { buildSquatSet, profileByName } from '../../firmware-sim/model/index.ts';

export const BENCH_PROFILE = 'neutral-wink';
export const BENCH_SEED = 20;
export const BENCH_RATE_HZ = 200;
/** Notification loss of a crowded gym's radio link, in bursts: the parser and filters see the gaps. */
export const BENCH_LOSS_RATE = 0.03;

export interface BenchRecording {
  readonly csvPath: string;
  readonly gzPath: string;
  readonly sensors: SensorInfo[];
  readonly rateHz: number;
  readonly reps: number;
  readonly durationS: number;
  readonly samples: number;
  readonly csvBytes: number;
  readonly gzBytes: number;
  readonly framesLost: number;
  readonly framesSent: number;
  /** Time to simulate and to write both files, s (not part of any pass). */
  readonly simulateS: number;
  readonly writeS: number;
}

/**
 * Fewest reps whose set lasts at least `seconds`. The set's length only needs the motion script, which is cheap
 * to build, so the expensive sensor simulation runs once.
 */
function repsFor(seconds: number): number {
  const profile = profileByName(BENCH_PROFILE);
  const durationOf = (reps: number): number => buildSquatSet({ profile, seed: BENCH_SEED, reps, sensors: 'both' }).duration;
  const probeReps = 10;
  let reps = Math.max(1, Math.ceil((seconds / durationOf(probeReps)) * probeReps));
  while (durationOf(reps) < seconds) reps++;
  while (reps > 1 && durationOf(reps - 1) >= seconds) reps--;
  return reps;
}

/** Simulates the set and writes `csvPath` and `csvPath + '.gz'`. */
export async function writeBenchRecording(csvPath: string, seconds: number): Promise<BenchRecording> {
  const reps = repsFor(seconds);
  const simStart = process.hrtime.bigint();
  const sim = simulateRecording({
    profile: profileByName(BENCH_PROFILE),
    seed: BENCH_SEED,
    reps,
    sensors: 'both',
    rateHz: BENCH_RATE_HZ,
    link: { lossRate: BENCH_LOSS_RATE },
  });
  const writeStart = process.hrtime.bigint();
  const gzPath = `${csvPath}.gz`;
  const comments = ['source: squatmon bench', 'simulated: true', `profile: ${BENCH_PROFILE}`, `seed: ${BENCH_SEED}`];
  for (const path of [csvPath, gzPath]) {
    const writer = await RecordingWriter.create(path, { sensors: sim.sensors, comments });
    try {
      for (const sample of sim.samples) if (!writer.write(sample)) await writer.drain();
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }
  const writeEnd = process.hrtime.bigint();
  return {
    csvPath,
    gzPath,
    sensors: sim.sensors,
    rateHz: BENCH_RATE_HZ,
    reps: sim.truth.reps.length,
    durationS: sim.truth.duration,
    samples: sim.samples.length,
    csvBytes: (await stat(csvPath)).size,
    gzBytes: (await stat(gzPath)).size,
    framesLost: sim.report.reduce((n, s) => n + s.frames_lost, 0),
    framesSent: sim.report.reduce((n, s) => n + s.link.sent, 0),
    simulateS: Number(writeStart - simStart) / 1e9,
    writeS: Number(writeEnd - writeStart) / 1e9,
  };
}
