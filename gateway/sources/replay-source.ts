/**
 * `--replay rec.csv`: feeds a recording to the gateway at real speed (or `speed` times faster), in the batches
 * a live sensor would deliver (every ~20 ms), so the live service behaves as with a sensor: live frames, cues
 * and reps appear as the lifter would have produced them. Identical samples give identical reps (the live
 * pipeline is the one `squatmon analyze` runs).
 */
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import { openRecording } from '../../shared/recording/index.ts';
import type { RecordingReader } from '../../shared/recording/index.ts';

export interface ReplayFeed {
  readonly speed: number;
  /** Called with each batch of samples, in file order. */
  readonly onSamples: (samples: ImuSample[]) => void;
  /** Called once at the end of the file (or on a read error, with it). */
  readonly onEnd: (error: Error | null) => void;
}

/** How much recording time one batch covers, s. */
const BATCH_S = 0.02;

export class ReplaySource {
  private reader: RecordingReader | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  private constructor(readonly file: string) {}

  /** Opens the recording and reads its header (rejects with RecordingError on a bad one). */
  static async open(file: string): Promise<ReplaySource> {
    const source = new ReplaySource(file);
    source.reader = await openRecording(file);
    return source;
  }

  get sensors(): readonly SensorInfo[] {
    return this.reader!.header.sensors;
  }

  /** Starts feeding the samples; the consumer must be ready for the first batch. */
  start(feed: ReplayFeed): void {
    void this.run(feed);
  }

  private async run(feed: ReplayFeed): Promise<void> {
    const reader = this.reader!;
    const startWall = performance.now() / 1000;
    let firstT: number | null = null;
    let batch: ImuSample[] = [];
    let batchEnd = 0;
    try {
      for await (const chunk of reader.batches()) {
        for (const s of chunk) {
          if (this.stopped) return;
          if (firstT === null) {
            firstT = s.t;
            batchEnd = s.t + BATCH_S;
          }
          if (s.t >= batchEnd) {
            // Wait until this batch is due on the wall clock.
            const due = startWall + (batchEnd - firstT) / feed.speed;
            const wait = due - performance.now() / 1000;
            if (wait > 0.002) await this.sleep(wait);
            if (this.stopped) return;
            feed.onSamples(batch);
            batch = [];
            while (s.t >= batchEnd) batchEnd += BATCH_S;
          }
          batch.push(s);
        }
      }
      if (batch.length > 0 && !this.stopped) feed.onSamples(batch);
      feed.onEnd(null);
    } catch (err) {
      feed.onEnd(err as Error);
    }
  }

  private sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => {
      this.timer = setTimeout(resolve, seconds * 1000);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.reader?.close();
  }
}
