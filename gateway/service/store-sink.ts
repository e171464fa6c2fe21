/**
 * Writes the gateway's facts to the history store: sets, reps and cues as they happen. The store queues writes
 * in call order, so a set is stored before its reps. A failed write (database locked, disk full) is logged and
 * counted; it never reaches the sensing pipeline or the live view. A set whose start could not be stored is
 * stored again before its next rep or cue (the store refuses reps of an unknown set), so a lock that happened
 * to fall on a set's start costs that set nothing once it is gone.
 */
import type { HistoryStore, NewSet } from '../store/history-store.ts';
import type { GatewayEvent, SetRef } from '../core/domain.ts';
import type { Logger } from '../core/logger.ts';

function setKey(ref: SetRef): string {
  return `${ref.session}/${ref.set}`;
}

export class StoreSink {
  failedWrites = 0;
  private lastError = '';
  /** Sets whose start was not stored yet. */
  private readonly unstoredSets = new Map<string, NewSet>();

  constructor(
    private readonly store: HistoryStore,
    private readonly logger: Logger,
  ) {}

  handle(event: GatewayEvent): void {
    switch (event.kind) {
      case 'set-started': {
        const set: NewSet = { session: event.ref.session, set: event.ref.set, athlete: event.ref.athlete, startedAt: event.startedAt, recording: event.recording };
        this.unstoredSets.set(setKey(event.ref), set);
        this.track(this.storeSet(set), 'set');
        return;
      }
      case 'set-ended':
        this.track(this.store.endSet(event.ref.session, event.ref.set, event.endedAt), 'set end');
        return;
      case 'rep':
        this.track(this.ensureSet(event.rep).then(() => this.store.insertRep(event.rep)), 'rep');
        return;
      case 'cue':
        this.track(this.ensureSet(event.cue).then(() => this.store.insertCue(event.cue)), 'cue');
        return;
      default:
        // Live frames and sensor states are not history; the session is stored when it ends.
        return;
    }
  }

  private async storeSet(set: NewSet): Promise<void> {
    await this.store.startSet(set);
    this.unstoredSets.delete(`${set.session}/${set.set}`);
  }

  /** Stores the set first if its start was lost; resolves at once when it is stored already. */
  private async ensureSet(ref: SetRef): Promise<void> {
    const pending = this.unstoredSets.get(setKey(ref));
    if (pending) await this.storeSet(pending);
  }

  private track(write: Promise<unknown>, what: string): void {
    write.catch((err: Error) => {
      this.failedWrites++;
      // One line per kind of failure, not one per rep, while the problem lasts.
      if (err.message !== this.lastError) this.logger.error(`history: ${what} not stored`, { error: err.message });
      this.lastError = err.message;
    });
  }
}
