/**
 * The exact curves of a stored set: its recording run through the sensing pipeline again, the way the live
 * gateway ran it, and the live frames kept at TRACE_RATE_HZ. A recording's times are session times — the clock
 * of the stored reps' t_start/t_end — so a rep's stretch of the curve is cut by the stored rep's own times.
 *
 * The recording begins with the runtime's pre-roll (8 s before the set opened), which should give the re-run
 * pipeline the quiet standing it needs before the set's first rep. The pre-roll may however begin in the middle of
 * a movement (the walk-out, or the last rep before a stopped set), and the pipeline takes its sensors' gravity
 * from their first sample: begun in motion it would never see a rest again. So the pipeline is fed from the
 * depth sensor's first rest on — nothing before it could belong to a rep anyway, since a rep starts from
 * standing. Pure apart from reading the file.
 */
import { stat } from 'node:fs/promises';
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import { gyroBiasesFrom, MAX_OVERALL_DISORDER_S, openRecording } from '../../shared/recording/index.ts';
import { AthletePipeline } from '../sensing/athlete-pipeline.ts';
import type { Phase } from '../sensing/events.ts';
import { DEFAULT_STILLNESS } from '../sensing/stillness.ts';

/** One point of a set's curve: the live frame's fields, without those that are the same for the whole set. */
export interface TraceFrame {
  /** Session time, s (the stored reps' clock). */
  readonly t: number;
  readonly depth_cm: number;
  readonly lumbar_flexion_deg: number | null;
  readonly pelvic_tilt_deg: number | null;
  readonly phase: Phase;
}

/** Frames per second at most: smooth on a chart, a tenth of the bytes of a 250 Hz sensor. */
export const TRACE_RATE_HZ = 25;
/** Curve kept either side of a rep's own span, s, so its chart shows the standing before and after. */
export const REP_MARGIN_S = 0.5;
const MIN_FRAME_GAP_S = 1 / TRACE_RATE_HZ;
/** Recorded times have 4 decimals: a gap of exactly 40 ms may read as 39.99… ms in floating point. */
const TIME_EPSILON_S = 1e-6;

/**
 * The set's curve, one frame per depth-sensor sample thinned to at most TRACE_RATE_HZ (consecutive frames at
 * least 1/TRACE_RATE_HZ apart). Rejects with RecordingError for a recording that does not parse. `growing`: the
 * file of an open set, read as far as it is written.
 */
export async function computeSetTrace(file: string, winkThresholdDeg: number, growing = false): Promise<TraceFrame[]> {
  const reader = await openRecording(file, { growing });
  const frames: TraceFrame[] = [];
  let lastKept = -Infinity;
  const pipeline = new AthletePipeline({
    sensors: reader.header.sensors,
    gyroBias: gyroBiasesFrom(reader.header.comments),
    winkThresholdDeg,
    // No cue is replayed: the curve is all that is wanted.
    cutoffCm: null,
    live: true,
    onEvent: (event) => {
      if (event.type !== 'live' || event.t - lastKept < MIN_FRAME_GAP_S - TIME_EPSILON_S) return;
      lastKept = event.t;
      frames.push({
        t: event.t,
        depth_cm: event.depth_cm,
        lumbar_flexion_deg: event.lumbar_flexion_deg,
        pelvic_tilt_deg: event.pelvic_tilt_deg,
        phase: event.phase,
      });
    },
  });
  const start = new FirstRest(reader.header.sensors);
  // Batch by batch: the file is read in chunks, so the event loop (and the live athletes) get turns in between.
  for await (const batch of reader.batches()) {
    for (const sample of batch) for (const passed of start.pass(sample)) pipeline.push(passed);
  }
  return frames;
}

/**
 * Holds a recording's samples back until its depth sensor (the sacrum, else the thoracolumbar sensor: the
 * pipeline's choice) first rests, then passes them on from the start of that rest. A rest is judged the way the
 * pipeline's stillness detector judges it, but without a gravity estimate to compare with (that is what is
 * missing): for a whole stillness window the sensor turns slower than the threshold and reads a specific force
 * within the allowed deviation of the window's first sample — so the pipeline's gravity, taken from that first
 * sample, is right.
 */
class FirstRest {
  private readonly depthSensor: string | null;
  private held: ImuSample[] = [];
  private restStartT = Number.NaN;
  private restForce = Number.NaN;
  private resting = false;

  constructor(sensors: readonly SensorInfo[]) {
    this.depthSensor = (sensors.find((s) => s.placement === 'sacrum') ?? sensors.find((s) => s.placement === 'thoracolumbar'))?.id ?? null;
    // Without a depth sensor the pipeline makes no frames: nothing to wait for.
    this.resting = this.depthSensor === null;
  }

  /** The samples to feed the pipeline now, in order. */
  pass(s: ImuSample): readonly ImuSample[] {
    if (this.resting) return [s];
    if (s.sensor !== this.depthSensor) {
      // Bounded while the depth sensor is silent: a rest is confirmed within a window of its start, and the other
      // sensor's rows may lag the depth sensor's by at most the recording's disorder.
      const oldest = s.t - DEFAULT_STILLNESS.windowS - MAX_OVERALL_DISORDER_S;
      if (this.held.length > 0 && this.held[0].t < oldest) this.held = this.held.filter((x) => x.t >= oldest);
      this.held.push(s);
      return [];
    }
    const force = Math.hypot(s.ax, s.ay, s.az);
    const quiet = Math.hypot(s.gx, s.gy, s.gz) <= DEFAULT_STILLNESS.maxGyroRadS && Math.abs(force - this.restForce) <= DEFAULT_STILLNESS.maxAccDeviation;
    if (!quiet) {
      // A possible rest begins here: what came before cannot start the pipeline.
      this.held = [];
      this.restStartT = s.t;
      this.restForce = force;
    }
    this.held.push(s);
    if (s.t - this.restStartT < DEFAULT_STILLNESS.windowS) return [];
    this.resting = true;
    const passed = this.held;
    this.held = [];
    return passed;
  }
}

/** The frames (in time order) from `from` to `to`, both inclusive. */
export function framesBetween(frames: readonly TraceFrame[], from: number, to: number): TraceFrame[] {
  return frames.filter((f) => f.t >= from && f.t <= to);
}

/**
 * The last few computed traces, so that a history page asking for several reps of one set runs the pipeline once.
 * Requests arriving while a trace is computed share that computation. A file that changed (size or modification
 * time) is computed again; a failed computation is not kept.
 */
export class SetTraceCache {
  private readonly entries = new Map<string, Promise<TraceFrame[]>>();

  constructor(private readonly capacity: number) {}

  async frames(file: string, winkThresholdDeg: number, growing = false): Promise<readonly TraceFrame[]> {
    const { size, mtimeMs } = await stat(file);
    const key = JSON.stringify([file, size, mtimeMs, winkThresholdDeg, growing]);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = computeSetTrace(file, winkThresholdDeg, growing);
      const computed = entry;
      computed.catch(() => {
        if (this.entries.get(key) === computed) this.entries.delete(key);
      });
    }
    // Most recently used last: the first key is the one to drop.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }
}
