/** Runs the sensing pipeline over samples held in memory or streamed (analyze, tests, accuracy runs). */
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import type { TiltThresholds } from '../../shared/posture.ts';
import { AthletePipeline } from './athlete-pipeline.ts';
import type { SensingEvent } from './events.ts';

export interface AnalyzeOptions {
  readonly cutoffCm?: number | null;
  readonly winkThresholdDeg?: number;
  readonly tiltThresholds?: TiltThresholds;
  /** Include live frames (one per depth-sensor sample). */
  readonly live?: boolean;
}

/** Every event in emission order: reps and cues as the live gateway would publish them, the session last. */
export function analyzeSamples(sensors: SensorInfo[], samples: Iterable<ImuSample>, options: AnalyzeOptions = {}): SensingEvent[] {
  const events: SensingEvent[] = [];
  const pipeline = new AthletePipeline({ ...options, sensors, onEvent: (e) => events.push(e) });
  // An index loop over an array: the iterator protocol allocated a result object per sample.
  if (isArray(samples)) for (let i = 0; i < samples.length; i++) pipeline.push(samples[i]);
  else for (const s of samples) pipeline.push(s);
  pipeline.finish();
  return events;
}

function isArray(samples: Iterable<ImuSample>): samples is readonly ImuSample[] {
  return Array.isArray(samples);
}
