/**
 * What a page opened at any moment needs, kept from the event stream: per athlete the current session's latest
 * reps, its summary as last published and the open set, and every sensor's state. The WebSocket snapshot and
 * the REST plan read it, so every view starts from the same facts MQTT carried.
 */
import type { GatewayEvent, PublishedRep, PublishedSession, SensorState, SetRef } from '../core/domain.ts';
import type { Sink } from '../core/event-bus.ts';

/** Reps of each athlete's current session kept (a page shows the latest of them). */
export const LAST_REPS_KEPT = 50;

export class LiveState implements Sink {
  readonly name = 'live state';
  private readonly lastReps = new Map<string, PublishedRep[]>();
  private readonly latestSessions = new Map<string, PublishedSession>();
  private readonly openSets = new Map<string, SetRef>();
  private readonly sensorStates = new Map<string, SensorState>();

  handle(event: GatewayEvent): void {
    switch (event.kind) {
      case 'rep': {
        const athlete = event.rep.athlete;
        const kept = (this.lastReps.get(athlete) ?? []).filter((r) => r.session === event.rep.session);
        kept.push(event.rep);
        if (kept.length > LAST_REPS_KEPT) kept.shift();
        this.lastReps.set(athlete, kept);
        return;
      }
      case 'session':
        this.latestSessions.set(event.session.athlete, event.session);
        return;
      case 'set-started':
        this.openSets.set(event.ref.athlete, event.ref);
        return;
      case 'set-ended':
        if (this.openSets.get(event.ref.athlete)?.set === event.ref.set) this.openSets.delete(event.ref.athlete);
        return;
      case 'sensor':
        // Keyed by athlete too: the historian sees the sensors of several gateways, whose ids may repeat.
        this.sensorStates.set(`${event.sensor.athlete}/${event.sensor.id}`, event.sensor);
        return;
      default:
        return;
    }
  }

  /** The running session's summary of an athlete as last published, or null. */
  session(athlete: string): PublishedSession | null {
    return this.latestSessions.get(athlete) ?? null;
  }

  get sensors(): SensorState[] {
    return [...this.sensorStates.values()];
  }

  get reps(): PublishedRep[] {
    return [...this.lastReps.values()].flat();
  }

  get sessions(): PublishedSession[] {
    return [...this.latestSessions.values()];
  }

  get sets(): SetRef[] {
    return [...this.openSets.values()];
  }
}
