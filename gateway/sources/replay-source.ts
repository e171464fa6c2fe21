/**
 * `--replay rec.csv`: feeds a recording to the gateway at real speed (or `speed` times faster), in the batches
 * a live sensor would deliver (every ~20 ms), so the live service behaves as with a sensor: live frames, cues
 * and reps appear as the lifter would have produced them. Identical samples give identical reps (the live
 * pipeline is the one `squatmon analyze` runs).
 */
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import { gyroBiasesFrom, openRecording } from '../../shared/recording/index.ts';
import type { GyroBias, RecordingReader } from '../../shared/recording/index.ts';
import type { Athlete } from '../core/domain.ts';
import type { Source, SourceHost } from './source.ts';

export interface ReplayFeed {
  readonly speed: number;
  /** Called with each batch of samples, in file order. */
  readonly onSamples: (samples: ImuSample[]) => void;
  /** Called once at the end of the file (or on a read error, with it). */
  readonly onEnd: (error: Error | null) => void;
  /** Called when a pause of `seconds` in the recording is replayed shorter (MAX_PAUSE_S). */
  readonly onLongPause?: (seconds: number) => void;
}

/** How much recording time one batch covers, s. */
const BATCH_S = 0.02;
/** Longest pause in a recording that a replay waits out, s (ten minutes: longer than any rest between sets). */
const MAX_PAUSE_S = 600;

/** Plays a recording's samples at `speed` times their own pace, in sensor-sized batches. */
class RecordingPlayer {
  private reader: RecordingReader | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  private constructor(readonly file: string) {}

  /** Opens the recording and reads its header (rejects with RecordingError on a bad one). */
  static async open(file: string): Promise<RecordingPlayer> {
    const source = new RecordingPlayer(file);
    source.reader = await openRecording(file);
    return source;
  }

  get sensors(): readonly SensorInfo[] {
    return this.reader!.header.sensors;
  }

  /** The recording's `# gyro_bias:` comments: what the recording gateway's filters had learned at its start. */
  get gyroBias(): Map<string, GyroBias> {
    return gyroBiasesFrom(this.reader!.header.comments);
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
            // A pause longer than any rest between sets is replayed as MAX_PAUSE_S: the replay goes on instead
            // of waiting hours (or forever, on a corrupt time) for the next sample.
            const pause = s.t - batchEnd;
            if (pause > MAX_PAUSE_S) {
              firstT += pause - MAX_PAUSE_S;
              feed.onLongPause?.(pause);
            }
            // The next batch boundary after s.t, in one step (a loop of 20 ms steps across a huge gap never ends).
            batchEnd += (Math.floor((s.t - batchEnd) / BATCH_S) + 1) * BATCH_S;
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

/** Source `replay`: one athlete, the recording's sensors, its samples at `speed` times real time. */
export class ReplaySource implements Source {
  readonly athletes: readonly Athlete[];
  readonly done: Promise<Error | null>;
  private finished: (error: Error | null) => void = () => {};

  private constructor(
    private readonly player: RecordingPlayer,
    athlete: Athlete,
    private readonly speed: number,
  ) {
    this.athletes = [athlete];
    this.done = new Promise((resolve) => (this.finished = resolve));
  }

  /** Reads the recording's header (rejects with RecordingError on a bad one); `athleteId` is whom it is for. */
  static async open(file: string, options: { readonly speed: number; readonly athleteId: string }): Promise<ReplaySource> {
    const player = await RecordingPlayer.open(file);
    const sensors = player.sensors.map((s) => ({ id: s.id, placement: s.placement, driver: 'squatmon', match: null, face: s.face ?? null }));
    const athlete: Athlete = { id: options.athleteId, name: `Replay of ${file}`, sensors, cutoffCm: null, winkThresholdDeg: 10 };
    return new ReplaySource(player, athlete, options.speed);
  }

  async start(host: SourceHost): Promise<void> {
    // Recording times are kept as they are: a replay's reps carry the file's times, as `analyze` prints them.
    const feed = await host.addAthlete(this.athletes[0], { keepSampleTimes: true, gyroBias: this.player.gyroBias });
    const file = this.player.file;
    this.player.start({
      speed: this.speed,
      onSamples: (samples) => feed.push(samples),
      onLongPause: (seconds) => host.logger.info('replay: a long pause in the recording is replayed as ten minutes', { file, seconds }),
      onEnd: (error) => {
        if (error) host.logger.error('replay stopped on a bad recording', { file, error: error.message });
        else host.logger.info('replay finished', { file });
        this.finished(error);
      },
    });
  }

  stop(): Promise<void> {
    return this.player.stop();
  }
}
