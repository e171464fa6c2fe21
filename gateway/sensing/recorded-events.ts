/**
 * Named moments a recording carries (`# event: t=… name=…`) that change what the pipeline computes — today the
 * start of a maximum lumbar flexion test (the calibration wizard). `squatmon analyze` feeds them to the
 * pipeline at their time, as the live gateway did when they happened.
 */
import type { AthletePipeline } from './athlete-pipeline.ts';

/** The event the live gateway writes when a maximum flexion test starts (`calibration_<kind>`). */
export const MAX_FLEXION_TEST_EVENT = 'calibration_max_flexion';

export interface TimedEvent {
  readonly t: number;
  readonly name: string;
  /** e.g. `duration_s` of a maximum flexion test (default MAX_FLEXION_TEST_S). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Applies events to a pipeline when the samples' time reaches them (events may arrive in any order). */
export class RecordedEventPlayer {
  private readonly pending: TimedEvent[] = [];

  constructor(private readonly pipeline: AthletePipeline) {}

  add(event: TimedEvent): void {
    if (event.name !== MAX_FLEXION_TEST_EVENT) return;
    this.pending.push(event);
    this.pending.sort((a, b) => a.t - b.t);
  }

  /** Call before pushing a sample at time t. */
  before(t: number): void {
    while (this.pending.length > 0 && this.pending[0].t <= t) {
      const event = this.pending.shift()!;
      const duration = Number(event.attributes?.duration_s);
      this.pipeline.beginMaxFlexionTest(duration > 0 && duration <= 60 ? duration : undefined);
    }
  }
}
