/**
 * The gateway's one stream of facts (GatewayEvent): the athlete runtimes and the historian publish, the sinks
 * (MQTT, the store, the WebSocket hub, haptics, the live state) subscribe. Each sink is isolated: one that
 * throws is logged with its name and the event's kind, and the others still get the event.
 */
import type { GatewayEvent } from './domain.ts';
import type { Logger } from './logger.ts';

export interface Sink {
  /** For the log when it fails. */
  readonly name: string;
  handle(event: GatewayEvent): void;
}

export class EventBus {
  private readonly sinks: Sink[] = [];

  constructor(private readonly logger: Logger) {}

  /** Adds a sink: it gets every event published from now on, after the sinks added before it. */
  subscribe(sink: Sink): void {
    this.sinks.push(sink);
  }

  publish(event: GatewayEvent): void {
    for (const sink of this.sinks) {
      try {
        sink.handle(event);
      } catch (err) {
        this.logger.error('a sink failed on an event', { sink: sink.name, kind: event.kind, error: (err as Error).message });
      }
    }
  }
}
