/**
 * The timed passes over one recording. The fusion passes read a quaternion after every sample and fold it into
 * a checksum, so no work can be optimised away and a filter gone NaN shows; the analyze passes return the
 * session's rep count, so a pipeline that did nothing shows.
 *
 * A pass is prepared once (untimed: e.g. loading samples into memory for the in-memory passes), then its
 * `run` is timed. File passes time everything from opening the file to the last sample.
 */
import AHRS from 'ahrs';
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import { STANDARD_GRAVITY } from '../../shared/imu.ts';
import { openRecording, readRecording } from '../../shared/recording/index.ts';
import { OrientationFilter } from '../../gateway/sensing/orientation/index.ts';
import { AthletePipeline } from '../../gateway/sensing/athlete-pipeline.ts';
import { analyzeSamples } from '../../gateway/sensing/analyze-samples.ts';

export const PASS_IDS = ['parse', 'parse-gz', 'madgwick', 'fusion', 'fusion-memory', 'analyze', 'analyze-memory'] as const;
export type PassId = (typeof PASS_IDS)[number];

/** The reference every other pass is compared with. */
export const REFERENCE_PASS: PassId = 'madgwick';
/** The pass the target is about, and its allowed time as a multiple of the reference pass's (issue 10: 1.5). */
export const TARGET_PASS: PassId = 'analyze';
export const TARGET_RATIO = 1.5;

export interface PassInput {
  readonly csvPath: string;
  readonly gzPath: string;
  /** Nominal output rate of the sensors, Hz. */
  readonly rateHz: number;
}

export interface PassOutput {
  readonly samples: number;
  /** Folds the per-sample results; for the analyze passes, the number of reps the session summary counts. */
  readonly checksum: number;
}

export type TimedRun = () => Promise<PassOutput>;

export interface BenchPass {
  readonly id: PassId;
  readonly label: string;
  /** What the timed part includes, for the report. */
  readonly includes: string;
  prepare(input: PassInput): Promise<TimedRun>;
}

/** Consumes one sample of sensor `slot`; returns what goes into the checksum. */
type SampleSink = (slot: number, sample: ImuSample) => number;
/** Builds the per-run state (filters per sensor) and its sink. */
type SinkFactory = (sensors: readonly SensorInfo[], rateHz: number) => SampleSink;

/** Index of each sensor id in the header's order: the sinks keep per-sensor state in arrays. */
function sensorSlots(sensors: readonly SensorInfo[]): Map<string, number> {
  return new Map(sensors.map((s, i) => [s.id, i]));
}

/** Parses `path` batch by batch, handing every sample to the sink built for this run. */
async function streamFile(path: string, rateHz: number, makeSink: SinkFactory | null): Promise<PassOutput> {
  const reader = await openRecording(path);
  const slots = sensorSlots(reader.header.sensors);
  const sink = makeSink?.(reader.header.sensors, rateHz) ?? null;
  let samples = 0;
  let checksum = 0;
  for await (const batch of reader.batches()) {
    samples += batch.length;
    if (sink === null) {
      // Parse only: touch the last sample so the batch is observed.
      checksum += batch[batch.length - 1].t;
      continue;
    }
    for (const sample of batch) checksum += sink(slots.get(sample.sensor)!, sample);
  }
  return { samples, checksum };
}

/**
 * npm `ahrs` 1.3.3, Madgwick, β = 0.1, one instance per sensor, its 6-axis (IMU) update: gyroscope in rad/s,
 * accelerometer in g (its documented units; it normalises the accelerometer anyway). The package's README calls
 * `sampleInterval` a rate in Hz but its Madgwick.js takes it in milliseconds (rate = 1000 / sampleInterval), so
 * it gets 1000 / rate. The measured time step is passed with every sample (as the magnetometer-less update's
 * `deltaTimeSec`), like the squatmon filter, which takes its time from the samples: lost packets make gaps.
 * getQuaternion() is read per sample, as a consumer of orientation would.
 */
const madgwickSink: SinkFactory = (sensors, rateHz) => {
  const filters = sensors.map(() => new AHRS({ sampleInterval: 1000 / rateHz, algorithm: 'Madgwick', beta: 0.1 }));
  const lastT = sensors.map(() => Number.NaN);
  const toG = 1 / STANDARD_GRAVITY;
  return (slot, s) => {
    const dt = s.t - lastT[slot];
    lastT[slot] = s.t;
    const filter = filters[slot];
    filter.update(s.gx, s.gy, s.gz, s.ax * toG, s.ay * toG, s.az * toG, undefined, undefined, undefined, dt > 0 ? dt : undefined);
    return filter.getQuaternion().w;
  };
};

/** squatmon's OrientationFilter (VQF-class), default parameters, one per sensor, quaternion read per sample. */
const orientationSink: SinkFactory = (sensors) => {
  const filters = sensors.map(() => new OrientationFilter());
  const q = new Float64Array(4);
  return (slot, s) => {
    const filter = filters[slot];
    filter.update(s.t, s.ax, s.ay, s.az, s.gx, s.gy, s.gz);
    filter.quaternion(q);
    return q[0];
  };
};

/**
 * Full analyze, streaming: the file batch by batch through the sensing core's AthletePipeline (the class behind
 * analyzeSamples and the live gateway), default options (no cue cutoff, no live frames). Streaming keeps the
 * memory flat, as a 20-minute file needs.
 */
async function analyzeFile(path: string): Promise<PassOutput> {
  const reader = await openRecording(path);
  let events = 0;
  const pipeline = new AthletePipeline({ sensors: reader.header.sensors, onEvent: () => events++ });
  let samples = 0;
  for await (const batch of reader.batches()) {
    samples += batch.length;
    for (const sample of batch) pipeline.push(sample);
  }
  const summary = pipeline.finish();
  if (events === 0) throw new Error('the pipeline emitted no events');
  return { samples, checksum: summary.reps };
}

function filePass(id: PassId, label: string, includes: string, file: 'csv' | 'gz', makeSink: SinkFactory | null): BenchPass {
  return {
    id,
    label,
    includes,
    async prepare(input) {
      const path = file === 'csv' ? input.csvPath : input.gzPath;
      return () => streamFile(path, input.rateHz, makeSink);
    },
  };
}

function memoryPass(id: PassId, label: string, includes: string, makeSink: SinkFactory): BenchPass {
  return {
    id,
    label,
    includes,
    async prepare(input) {
      const { header, samples } = await readRecording(input.csvPath);
      const slots = sensorSlots(header.sensors);
      const sensorSlot = Int32Array.from(samples, (s) => slots.get(s.sensor)!);
      return async () => {
        const sink = makeSink(header.sensors, input.rateHz);
        let checksum = 0;
        for (let i = 0; i < samples.length; i++) checksum += sink(sensorSlot[i], samples[i]);
        return { samples: samples.length, checksum };
      };
    },
  };
}

const analyzePass: BenchPass = {
  id: 'analyze',
  label: 'full analyze (parse + pipeline)',
  includes: 'parse the .csv + AthletePipeline (orientation of both sensors, stillness, depth, rep detection, per-rep metrics, session summary)',
  async prepare(input) {
    return () => analyzeFile(input.csvPath);
  },
};

const analyzeMemoryPass: BenchPass = {
  id: 'analyze-memory',
  label: 'analyze alone (in memory)',
  includes: 'analyzeSamples over samples already in memory (no parsing)',
  async prepare(input) {
    const { header, samples } = await readRecording(input.csvPath);
    return async () => {
      const events = analyzeSamples([...header.sensors], samples);
      const summary = events[events.length - 1];
      if (summary?.type !== 'session') throw new Error('analyzeSamples did not end with the session summary');
      return { samples: samples.length, checksum: summary.reps };
    };
  },
};

export const BENCH_PASSES: readonly BenchPass[] = [
  filePass('parse', 'parse (.csv)', 'open + parse the .csv into samples (shared/recording, batches)', 'csv', null),
  filePass('parse-gz', 'parse (.csv.gz)', 'open + gunzip + parse the .csv.gz', 'gz', null),
  filePass('madgwick', 'parse + ahrs Madgwick', 'parse the .csv + npm ahrs 1.3.3 Madgwick per sensor (β 0.1, 6-axis update, accelerometer in g, measured time step per sample), quaternion per sample', 'csv', madgwickSink),
  filePass('fusion', 'parse + fusion', 'parse the .csv + squatmon OrientationFilter per sensor, quaternion per sample', 'csv', orientationSink),
  memoryPass('fusion-memory', 'fusion alone (in memory)', 'OrientationFilter over samples already in memory (no parsing)', orientationSink),
  analyzePass,
  analyzeMemoryPass,
];

export function passById(id: string): BenchPass {
  const pass = BENCH_PASSES.find((p) => p.id === id);
  if (pass === undefined) throw new Error(`unknown pass '${id}' (${PASS_IDS.join(', ')})`);
  return pass;
}
