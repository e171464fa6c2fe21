/**
 * Writes the gateway's facts to the history store: sets, reps and cues as they happen. The store queues writes
 * in call order, so a set is stored before its reps. A failed write (database locked, disk full) is logged and
 * counted; it never reaches the sensing pipeline or the live view.
 */
import type { HistoryStore } from '../store/history-store.ts';
import type { GatewayEvent } from './domain.ts';
import type { Logger } from './logger.ts';

export class StoreSink {
  failedWrites = 0;
  private lastError = '';

  constructor(
    private readonly store: HistoryStore,
    private readonly logger: Logger,
  ) {}

  handle(event: GatewayEvent): void {
    switch (event.kind) {
      case 'set-started':
        this.track(
          this.store.startSet({ session: event.ref.session, set: event.ref.set, athlete: event.ref.athlete, startedAt: event.startedAt, recording: event.recording }),
          'set',
        );
        return;
      case 'set-ended':
        this.track(this.store.endSet(event.ref.session, event.ref.set, event.endedAt), 'set end');
        return;
      case 'rep':
        this.track(this.store.insertRep(event.rep), 'rep');
        return;
      case 'cue':
        this.track(this.store.insertCue(event.cue), 'cue');
        return;
      default:
        // Live frames and sensor states are not history; the session is stored when it ends.
        return;
    }
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
