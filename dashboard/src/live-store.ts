/**
 * What the page knows about each athlete right now, built from the ws messages: the athlete, its sensors, the
 * recent live frames (a little more than the traces show, so a finished rep's frames are still there), the reps
 * and cues of the current session, the session summary and whether a set is open. Views subscribe to changes.
 */
import type { Athlete, PublishedCue, PublishedLive, PublishedRep, PublishedSession, SensorState, ServerMessage } from './wire.ts';

/** Frames kept per athlete, seconds of frame time: the 10 s traces plus the longest rep. */
const FRAMES_KEPT_S = 30;
const REPS_KEPT = 200;

export interface AthleteLive {
  athlete: Athlete;
  sensors: Map<string, SensorState>;
  frames: PublishedLive[];
  latest: PublishedLive | null;
  session: string | null;
  reps: PublishedRep[];
  lastCue: PublishedCue | null;
  summary: PublishedSession | null;
  openSet: { session: string; set: number } | null;
}

export type LiveChange =
  | { readonly kind: 'athletes' }
  | { readonly kind: 'frame'; readonly athlete: string; readonly frame: PublishedLive }
  | { readonly kind: 'rep'; readonly athlete: string; readonly rep: PublishedRep }
  | { readonly kind: 'cue'; readonly athlete: string; readonly cue: PublishedCue }
  | { readonly kind: 'summary'; readonly athlete: string }
  | { readonly kind: 'sensor'; readonly athlete: string }
  | { readonly kind: 'set'; readonly athlete: string };

export class LiveStore {
  private readonly byId = new Map<string, AthleteLive>();
  private readonly listeners = new Set<(change: LiveChange) => void>();

  athletes(): AthleteLive[] {
    return [...this.byId.values()].sort((a, b) => a.athlete.id.localeCompare(b.athlete.id));
  }

  get(id: string): AthleteLive | undefined {
    return this.byId.get(id);
  }

  listen(listener: (change: LiveChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An athlete's settings changed through this page (the gateway sends no event for it). */
  updateAthlete(id: string, change: Partial<Athlete>): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    entry.athlete = { ...entry.athlete, ...change };
    this.emit({ kind: 'athletes' });
  }

  apply(message: ServerMessage): void {
    switch (message.type) {
      case 'hello': {
        const snapshot = message.snapshot;
        if (!snapshot) return;
        for (const athlete of snapshot.athletes) this.entry(athlete.id, athlete).athlete = athlete;
        for (const sensor of snapshot.sensors) this.entry(sensor.athlete)?.sensors.set(sensor.id, sensor);
        for (const rep of snapshot.lastReps) this.addRep(rep);
        // The running sessions' summaries and open sets as the gateway has them: a page opened mid-set or
        // between sets shows the same rep count, posture and suggestion as MQTT and REST.
        for (const summary of snapshot.sessions ?? []) {
          const entry = this.entry(summary.athlete);
          this.startSession(entry, summary.session);
          entry.summary = summary;
        }
        for (const set of snapshot.openSets ?? []) {
          const entry = this.entry(set.athlete);
          this.startSession(entry, set.session);
          entry.openSet = { session: set.session, set: set.set };
        }
        this.emit({ kind: 'athletes' });
        return;
      }
      case 'live':
        return this.addFrame(message);
      case 'rep':
        if (this.addRep(message)) this.emit({ kind: 'rep', athlete: message.athlete, rep: message });
        return;
      case 'cue': {
        const entry = this.entry(message.athlete);
        entry.lastCue = message;
        this.emit({ kind: 'cue', athlete: message.athlete, cue: message });
        return;
      }
      case 'session': {
        const entry = this.entry(message.athlete);
        this.startSession(entry, message.session);
        entry.summary = message;
        this.emit({ kind: 'summary', athlete: message.athlete });
        return;
      }
      case 'sensor': {
        const { type: _type, ...sensor } = message;
        this.entry(sensor.athlete).sensors.set(sensor.id, sensor);
        this.emit({ kind: 'sensor', athlete: sensor.athlete });
        return;
      }
      case 'set_started':
      case 'set_ended': {
        const entry = this.entry(message.athlete);
        this.startSession(entry, message.session);
        entry.openSet = message.type === 'set_started' ? { session: message.session, set: message.set } : null;
        this.emit({ kind: 'set', athlete: message.athlete });
        return;
      }
      default:
        return;
    }
  }

  /** The entry of an athlete, created on first sight (events can precede the athlete list after a restart). */
  private entry(id: string, athlete?: Athlete): AthleteLive {
    let entry = this.byId.get(id);
    if (!entry) {
      entry = {
        athlete: athlete ?? { id, name: id, sensors: [], cutoffCm: null, winkThresholdDeg: 10 },
        sensors: new Map(),
        frames: [],
        latest: null,
        session: null,
        reps: [],
        lastCue: null,
        summary: null,
        openSet: null,
      };
      this.byId.set(id, entry);
    }
    return entry;
  }

  /** A new session (the gateway restarted): its reps, cues and summary start empty. */
  private startSession(entry: AthleteLive, session: string): void {
    if (entry.session === session) return;
    entry.session = session;
    entry.reps = [];
    entry.lastCue = null;
    entry.summary = null;
    entry.openSet = null;
  }

  private addFrame(frame: PublishedLive): void {
    const entry = this.entry(frame.athlete);
    const frames = entry.frames;
    // Frame time restarts with each session: what came before belongs to another timeline.
    if (frames.length > 0 && frame.t < frames[frames.length - 1].t) frames.length = 0;
    frames.push(frame);
    let drop = 0;
    while (drop < frames.length && frame.t - frames[drop].t > FRAMES_KEPT_S) drop++;
    if (drop > 0) frames.splice(0, drop);
    entry.latest = frame;
    this.emit({ kind: 'frame', athlete: frame.athlete, frame });
  }

  /** False for a rep already known (the snapshot repeats reps the page may have seen). */
  private addRep(rep: PublishedRep): boolean {
    const entry = this.entry(rep.athlete);
    this.startSession(entry, rep.session);
    if (entry.reps.some((r) => r.id === rep.id)) return false;
    entry.reps.push(rep);
    if (entry.reps.length > REPS_KEPT) entry.reps.shift();
    return true;
  }

  /**
   * Reps in the athlete's current session: the session summary's count (it counts every rep, the page keeps
   * only the latest), or the reps seen when a rep came in after the summary.
   */
  repCount(id: string): number {
    const entry = this.byId.get(id);
    if (!entry) return 0;
    return Math.max(entry.summary?.reps ?? 0, entry.reps.length);
  }

  private emit(change: LiveChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
