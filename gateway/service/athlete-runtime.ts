/**
 * One athlete in the live gateway: the sensing pipeline fed with the athlete's samples, the session and its
 * sets, a recording file per set, and the facts turned into GatewayEvents for the sinks.
 *
 * Sets open by themselves when the lifter starts a rep (or on a start-set command) and close after
 * `idleCloseS` without a rep (or on a stop-set command, or at shutdown). A set's recording begins with the
 * last `prerollS` of samples, so it holds the quiet standing that `squatmon analyze` needs — the first set's with
 * everything since the session began (up to FIRST_SET_PREROLL_S).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ImuSample, SensorFace, SensorInfo } from '../../shared/imu.ts';
import { asRecorded, eventComment, gyroBiasComment, RecordingWriter } from '../../shared/recording/index.ts';
import type { GyroBias, RecordingComment } from '../../shared/recording/index.ts';
import { AthletePipeline } from '../sensing/athlete-pipeline.ts';
import { MAX_FLEXION_TEST_EVENT } from '../sensing/recorded-events.ts';
import type { LiveFrame, SensingEvent } from '../sensing/events.ts';
import type { SessionSummary } from '../coach/session-summary.ts';
import { withDrills } from '../coach/session-summary.ts';
import type { Athlete, GatewayEvent, SetRef } from '../core/domain.ts';
import { repId } from '../core/domain.ts';
import type { Logger } from '../core/logger.ts';

export interface AthleteRuntimeOptions {
  readonly athlete: Athlete;
  readonly simulated: boolean;
  /** Folder for set recordings; null: do not record. */
  readonly recordingsDir: string | null;
  readonly emit: (event: GatewayEvent) => void;
  readonly logger: Logger;
  /** Wall clock, ms since the epoch (injectable for tests). */
  readonly now?: () => number;
  readonly idleCloseS?: number;
  readonly prerollS?: number;
  /**
   * Keep the samples' own times (a replayed recording) instead of counting session time from the first sample
   * (live sensors, whose gateway clock starts at an arbitrary value).
   */
  readonly keepSampleTimes?: boolean;
  /** Extra `# key: value` lines for every recording. */
  readonly recordingComments?: readonly string[];
  /** Gyroscope bias estimates to start the orientation filters from, by sensor id (a replayed recording's). */
  readonly gyroBias?: ReadonlyMap<string, GyroBias>;
  /**
   * The gateway clock the live samples' times are on, s. With it (and live sample times), a timer tells the
   * pipeline every CUE_TICK_MS how late it is, so a stopping-depth cue whose samples were lost or are still on
   * their way fires on time (AthletePipeline.tick).
   */
  readonly clock?: () => number;
}

const DEFAULT_IDLE_CLOSE_S = 45;
const DEFAULT_PREROLL_S = 8;
/**
 * The first set's pre-roll reaches back to the session's first sample when that is at most this long ago: the
 * live pipeline started there, so `squatmon analyze` of the first set's recording sees exactly the samples the
 * live gateway saw and gives the same reps (tests/faults/cpu-starvation.test.ts).
 */
const FIRST_SET_PREROLL_S = 120;
/** Period of the timer that ticks the pipeline between samples (cues across lost packets), ms. */
const CUE_TICK_MS = 10;
/** Stale pre-roll samples dropped at a time. */
const PREROLL_DROP = 256;
/** Pre-roll samples written per event-loop turn. */
const PREROLL_SLICE = 200;

function sessionIdFor(athlete: string, ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}-${athlete}`;
}

export class AthleteRuntime {
  private athleteState: Athlete;
  private readonly sensors: SensorInfo[];
  private readonly pipeline: AthletePipeline;
  private readonly emit: (event: GatewayEvent) => void;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly idleCloseS: number;
  private readonly prerollS: number;
  readonly sessionId: string;
  /** Gateway-clock time of the first sample: recordings count time from it. */
  private originT: number | null = null;
  private lastT = 0;
  private setNumber = 0;
  private openSet: {
    ref: SetRef;
    writer: RecordingWriter | null;
    lastActivityT: number;
    path: string | null;
    opening: Promise<void>;
    /** Events of this set that came while its file was being opened. */
    pendingComments: RecordingComment[];
  } | null = null;
  /** Recordings being opened or closed: finish() waits for them. */
  private readonly fileTasks = new Set<Promise<void>>();
  private readonly preroll: ImuSample[] = [];
  private cueTimer: ReturnType<typeof setInterval> | null = null;
  /** Inside tickPipeline: a cue emitted now was decided by the timer, not by a sample. */
  private ticking = false;
  /** Arrival number of preroll[0]. */
  private prerollFirstSeq = 0;
  /**
   * Per pre-roll chunk (PREROLL_DROP samples), the pipeline's gyroscope bias estimates just before the chunk's first
   * sample reached it — the pre-roll always starts at a chunk — so a recording can say what the filters knew at
   * its first sample (`# gyro_bias:`), and `analyze` of it starts from there, as the live gateway did.
   */
  private readonly chunkGyroBias: Array<Array<[string, GyroBias]>> = [];
  private lastPhase: LiveFrame['phase'] = 'standing';
  private pendingEvents: RecordingComment[] = [];
  private finished = false;

  constructor(private readonly options: AthleteRuntimeOptions) {
    this.athleteState = options.athlete;
    this.sensors = options.athlete.sensors.map((s) => ({ id: s.id, placement: s.placement, ...(s.face ? { face: s.face } : {}) }));
    this.emit = options.emit;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.idleCloseS = options.idleCloseS ?? DEFAULT_IDLE_CLOSE_S;
    this.prerollS = options.prerollS ?? DEFAULT_PREROLL_S;
    this.sessionId = sessionIdFor(options.athlete.id, this.now());
    this.pipeline = new AthletePipeline({
      sensors: this.sensors,
      ...(options.gyroBias ? { gyroBias: options.gyroBias } : {}),
      cutoffCm: options.athlete.cutoffCm,
      winkThresholdDeg: options.athlete.winkThresholdDeg,
      live: true,
      ticksFromTimer: options.clock !== undefined && !options.keepSampleTimes,
      onEvent: (e) => this.onSensingEvent(e),
    });
    const clock = options.clock;
    if (clock && !options.keepSampleTimes) {
      this.cueTimer = setInterval(() => this.tickPipeline(clock()), CUE_TICK_MS);
      this.cueTimer.unref();
    }
  }

  /** The gateway clock reads `now` (s): the pipeline learns how long its depth sensor has been silent. */
  private tickPipeline(now: number): void {
    if (this.finished || this.originT === null) return;
    this.ticking = true;
    try {
      this.pipeline.tick(now - this.originT);
    } finally {
      this.ticking = false;
    }
  }

  get athlete(): Athlete {
    return this.athleteState;
  }

  get currentSet(): SetRef | null {
    return this.openSet?.ref ?? null;
  }

  /**
   * The file of the open set's recording with everything received so far in it (flushed now), for readers of a
   * set that has not ended (the history's trace of an open set); null when that set is not open here or not
   * recorded. Read it with `openRecording(file, { growing: true })`.
   */
  async openSetRecording(session: string, set: number): Promise<string | null> {
    const open = this.openSet;
    if (!open || open.ref.session !== session || open.ref.set !== set || !open.path) return null;
    await open.opening;
    const writer = open.writer;
    if (!writer || this.openSet !== open) return null;
    try {
      await writer.flush();
    } catch {
      return null; // closed or failed meanwhile: the set's final file (or its absence) answers instead
    }
    return writer.inProgressPath;
  }


  /** Time of the latest sample on the session's clock (the recording's), s. */
  get sessionTimeS(): number {
    return this.lastT;
  }

  /** The lifter starts a maximum lumbar flexion test (calibration wizard): recorded, and measured live. */
  beginMaxFlexionTest(): void {
    this.markEvent(MAX_FLEXION_TEST_EVENT);
    this.pipeline.beginMaxFlexionTest();
  }

  /** The session so far (standing posture, suggested cutoff…). */
  currentSummary(): SessionSummary {
    return withDrills(this.pipeline.summary());
  }

  /** Which way round a sensor of this athlete is worn, as configured or found so far (null: not yet known). */
  sensorFace(sensorId: string): SensorFace | null {
    return this.pipeline.sensorFace(sensorId);
  }

  /**
   * Notes a named moment (`# event: t=… name=…`), e.g. a calibration, in the open set's recording — or, with no
   * set open, in the header of the next set's recording (whose pre-roll may cover it). While a set's file is
   * still being opened, the event waits for it (it belongs to that set).
   */
  markEvent(name: string): void {
    const comment = eventComment({ t: this.lastT, name, attributes: {} });
    const set = this.openSet;
    const writer = set?.writer;
    if (!writer) {
      if (set && set.path) set.pendingComments.push(comment);
      else this.pendingEvents.push(comment);
      return;
    }
    try {
      writer.comment(comment);
    } catch (err) {
      this.logger.warn('event not recorded', { name, error: (err as Error).message });
    }
  }

  /** Feeds samples of this athlete's sensors (gateway clock, s), in arrival order. */
  push(samples: readonly ImuSample[]): void {
    if (this.finished) return;
    for (const raw of samples) {
      if (this.originT === null) this.originT = this.options.keepSampleTimes ? 0 : raw.t;
      // Session time, rounded as the recording stores it: replaying the recording reproduces these results.
      const s = asRecorded({ ...raw, t: raw.t - this.originT });
      this.lastT = s.t;
      this.remember(s);
      if (this.openSet?.writer) this.write(this.openSet.writer, s);
      this.pipeline.push(s);
    }
    this.closeIdleSet();
  }

  startSet(): SetRef {
    if (this.openSet) return this.openSet.ref;
    this.setNumber++;
    const ref: SetRef = { athlete: this.athleteState.id, session: this.sessionId, set: this.setNumber };
    let path: string | null = null;
    if (this.options.recordingsDir) {
      const dir = join(this.options.recordingsDir, this.sessionId);
      mkdirSync(dir, { recursive: true });
      path = join(dir, `set-${this.setNumber}.csv.gz`);
    }
    this.openSet = { ref, writer: null, lastActivityT: this.lastT, path, opening: Promise.resolve(), pendingComments: [] };
    this.emit({ kind: 'set-started', ref, startedAt: this.now(), recording: path });
    // Opening the file is asynchronous; samples until then are in the pre-roll, which is written first.
    if (path) this.openSet.opening = this.track(this.openRecording(path, ref));
    return ref;
  }

  stopSet(): SetRef | null {
    const set = this.openSet;
    if (!set) return null;
    this.openSet = null;
    if (set.writer) {
      const w = set.writer;
      this.track(w.close().catch((err: Error) => this.logger.error('recording could not be finished', { path: set.path, error: err.message })));
    }
    this.emit({ kind: 'set-ended', ref: set.ref, endedAt: this.now() });
    return set.ref;
  }

  setCutoff(cutoffCm: number | null): void {
    this.athleteState = { ...this.athleteState, cutoffCm };
    this.pipeline.setCutoff(cutoffCm);
  }

  setWinkThreshold(deg: number): void {
    // The threshold is applied by the pipeline at each rep; a change takes a new pipeline option.
    this.athleteState = { ...this.athleteState, winkThresholdDeg: deg };
    this.pipeline.setWinkThreshold(deg);
  }

  rename(name: string): void {
    this.athleteState = { ...this.athleteState, name };
  }

  /** Ends the session: closes the set and its recording, emits the session summary. */
  async finish(): Promise<SessionSummary> {
    this.stopSet();
    this.finished = true;
    if (this.cueTimer !== null) clearInterval(this.cueTimer);
    while (this.fileTasks.size > 0) await Promise.all([...this.fileTasks]);
    return withDrills(this.pipeline.finish());
  }

  private track(task: Promise<void>): Promise<void> {
    const tracked = task.finally(() => this.fileTasks.delete(tracked));
    this.fileTasks.add(tracked);
    return tracked;
  }

  private async openRecording(path: string, ref: SetRef): Promise<void> {
    // Events noted before this set began go in its header: taken now, before anything can run in between.
    const earlierEvents = this.pendingEvents.splice(0);
    // What the orientation filters had learned when the first sample to be written (preroll[0]) reached them.
    const learned = (this.chunkGyroBias[0] ?? []).map(([id, bias]) => gyroBiasComment(id, bias));
    try {
      const writer = await RecordingWriter.create(path, {
        sensors: this.sensors,
        comments: [
          `athlete: ${this.athleteState.id}`,
          `session: ${this.sessionId}`,
          `set: ${ref.set}`,
          `simulated: ${this.options.simulated}`,
          ...(this.options.recordingComments ?? []),
          ...learned,
          ...earlierEvents,
        ],
      });
      // The pre-roll (seconds of samples) is written in slices, one per event-loop turn: writing it at once would
      // hold up the live pipelines of every athlete for several milliseconds, and cues with them.
      // Pre-roll samples are addressed by arrival number (two sensors' samples are not in time order).
      let next = this.prerollFirstSeq;
      for (;;) {
        if (this.openSet?.ref !== ref) {
          await writer.close();
          return;
        }
        const from = Math.max(0, next - this.prerollFirstSeq);
        const pending = this.preroll.slice(from, from + PREROLL_SLICE);
        if (pending.length === 0) break;
        for (const s of pending) this.write(writer, s);
        next = this.prerollFirstSeq + from + pending.length;
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const comment of this.openSet.pendingComments.splice(0)) writer.comment(comment);
      this.openSet.writer = writer;
    } catch (err) {
      this.logger.error('cannot write the set recording; the set goes on without it', { path, error: (err as Error).message });
    }
  }

  private write(writer: RecordingWriter, s: ImuSample): void {
    try {
      writer.write(s);
    } catch (err) {
      this.logger.warn('sample not recorded', { error: (err as Error).message });
    }
  }

  /**
   * Keeps the last prerollS of samples (before the first set: FIRST_SET_PREROLL_S) for the next set's recording.
   * Old ones are dropped in chunks of PREROLL_DROP, once that many are stale: O(1) per sample, amortised.
   */
  private remember(s: ImuSample): void {
    // s has not reached the pipeline yet: at a chunk's first sample, note what the filters know before it.
    if ((this.prerollFirstSeq + this.preroll.length) % PREROLL_DROP === 0) {
      this.chunkGyroBias.push(this.sensors.flatMap((sensor): Array<[string, GyroBias]> => {
        const bias = this.pipeline.gyroBias(sensor.id);
        return bias === null ? [] : [[sensor.id, bias]];
      }));
    }
    this.preroll.push(s);
    const p = this.preroll;
    // Nothing is dropped while a set's file is being opened: its pre-roll is still being written from here.
    if (this.openSet !== null && this.openSet.writer === null && this.openSet.path !== null) return;
    const keepS = this.setNumber === 0 ? Math.max(this.prerollS, FIRST_SET_PREROLL_S) : this.prerollS;
    if (p.length > PREROLL_DROP && s.t - p[PREROLL_DROP - 1].t > keepS) {
      p.splice(0, PREROLL_DROP);
      this.chunkGyroBias.shift();
      this.prerollFirstSeq += PREROLL_DROP;
    }
  }

  private closeIdleSet(): void {
    if (this.openSet && this.lastT - this.openSet.lastActivityT > this.idleCloseS) this.stopSet();
  }

  private ref(): SetRef {
    return this.openSet?.ref ?? this.startSet();
  }

  private onSensingEvent(e: SensingEvent): void {
    const simulated = this.options.simulated;
    const athlete = this.athleteState.id;
    switch (e.type) {
      case 'live':
        if (this.lastPhase === 'standing' && e.phase === 'descent' && !this.openSet) this.startSet();
        this.lastPhase = e.phase;
        // Only a rep in progress keeps the set open. 'moving' is not: it is also what the detector shows for a
        // moment after lost packets (a gap is never taken as rest), and a shuffle or a walk during the rest
        // between sets is no rep either; counting it kept sets open forever on a lossy radio.
        if (this.openSet && e.phase !== 'standing' && e.phase !== 'moving') this.openSet.lastActivityT = e.t;
        this.emit({ kind: 'live', live: { ...e, athlete, simulated } });
        return;
      case 'cue': {
        const ref = this.ref();
        // A cue the timer decided came from no sample: its "sample-in" is the timer's own moment.
        this.emit({ kind: 'cue', cue: { ...e, ...ref, simulated }, ...(this.ticking ? { receivedAt: performance.now() } : {}) });
        return;
      }
      case 'rep': {
        const ref = this.ref();
        this.openSet!.lastActivityT = e.t_end;
        this.emit({ kind: 'rep', rep: { ...e, ...ref, id: repId(ref, e.index), simulated } });
        // The retained session topic follows the session as it goes, not only at its end.
        this.onSensingEvent(this.pipeline.summary());
        return;
      }
      case 'session':
        this.emit({ kind: 'session', session: { ...withDrills(e), athlete, session: this.sessionId, simulated } });
        return;
    }
  }
}
