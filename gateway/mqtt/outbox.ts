/**
 * The bounded queue of QoS 1 messages (reps, cues, session, sensor state, responses, discovery) between the
 * gateway and its MQTT client. Messages wait here while the broker is unreachable and are handed to MQTT.js only
 * while connected and with fewer than `maxInFlight` unacknowledged, so memory stays bounded however long the
 * outage or however slow the broker: at most `maxQueued` here plus `maxInFlight` inside MQTT.js (which resends
 * its unacknowledged ones itself after a reconnect — never re-sent from here, so a message never goes out twice
 * from our side).
 *
 * Retained messages are state: a newer one for the same topic replaces a queued older one in place, so a long
 * outage with a chatty sensor costs one slot per topic. When full, the oldest message is dropped and counted:
 * the live feed prefers the latest facts (reps are also in the SQLite history, keyed by the same id).
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../core/logger.ts';
import { plainEncoder } from './signing.ts';
import type { PayloadEncoder } from './signing.ts';

export interface OutboxLimits {
  /** Messages waiting for the client. Default 5000 (≈ 2.5 MB of reps). */
  readonly maxQueued?: number;
  /** Unacknowledged messages inside MQTT.js. Default 100. */
  readonly maxInFlight?: number;
}

export interface OutboxStats {
  readonly queued: number;
  readonly inFlight: number;
  /** Dropped because the queue was full. */
  readonly dropped: number;
  /** Acknowledged by the broker. */
  readonly delivered: number;
}

interface Entry {
  readonly topic: string;
  payload: string;
  readonly retain: boolean;
}

export class Outbox {
  private readonly queue: Entry[] = [];
  private readonly queuedRetained = new Map<string, Entry>();
  private readonly maxQueued: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private dropped = 0;
  private delivered = 0;
  private droppingSinceLastDrain = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly client: MqttClient,
    private readonly logger: Logger,
    limits: OutboxLimits = {},
    /** Turns a payload into the published text (signed when the gateway has a signing key). */
    private readonly encode: PayloadEncoder = plainEncoder,
  ) {
    this.maxQueued = limits.maxQueued ?? 5_000;
    this.maxInFlight = limits.maxInFlight ?? 100;
    client.on('connect', () => this.pump());
  }

  send(topic: string, payload: unknown, retain: boolean): void {
    const text = this.encode(topic, payload);
    if (retain) {
      const queued = this.queuedRetained.get(topic);
      if (queued) {
        queued.payload = text;
        return;
      }
    }
    if (this.queue.length >= this.maxQueued) this.dropOldest();
    const entry: Entry = { topic, payload: text, retain };
    this.queue.push(entry);
    if (retain) this.queuedRetained.set(topic, entry);
    this.pump();
  }

  stats(): OutboxStats {
    return { queued: this.queue.length, inFlight: this.inFlight, dropped: this.dropped, delivered: this.delivered };
  }

  /** Resolves when nothing is queued or in flight, or after `timeoutMs` (for a graceful shutdown). */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0;
  }

  private dropOldest(): void {
    const oldest = this.queue.shift();
    if (!oldest) return;
    if (oldest.retain) this.queuedRetained.delete(oldest.topic);
    this.dropped += 1;
    if (!this.droppingSinceLastDrain) {
      this.droppingSinceLastDrain = true;
      this.logger.warn('mqtt outbox full: dropping the oldest messages until the broker catches up', {
        limit: this.maxQueued,
      });
    }
  }

  private pump(): void {
    while (this.client.connected && !this.client.disconnecting && this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const entry = this.queue.shift() as Entry;
      if (entry.retain) this.queuedRetained.delete(entry.topic);
      this.inFlight += 1;
      this.client.publish(entry.topic, entry.payload, { qos: 1, retain: entry.retain }, (err) => {
        this.inFlight -= 1;
        if (err) {
          // Only on shutdown (the client refuses new work); MQTT.js keeps anything it still has to resend.
          this.logger.warn('mqtt publish not completed', { topic: entry.topic, error: err.message });
        } else {
          this.delivered += 1;
        }
        this.pump();
      });
    }
    if (this.queue.length === 0 && this.droppingSinceLastDrain) {
      this.droppingSinceLastDrain = false;
      this.logger.info('mqtt outbox drained', { dropped_total: this.dropped });
    }
    if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
