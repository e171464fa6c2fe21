/**
 * Decides, per forwarded message, whether the embedded broker sends a live frame to a client or sheds it.
 *
 * Why: aedes waits for a backed-up socket to drain before it completes a delivery, and while it waits the
 * messages routed to that client stay in flight, so one subscriber that stopped reading slows delivery to all
 * (and backs up the gateway's own publishing socket). QoS 0 messages are the live frames, whose contract is
 * "at most once, newest wins": one that would fill a client's socket buffer is not forwarded at all, so aedes
 * never waits on a socket for a live frame. QoS 1 messages (reps, cues, state) are always forwarded; if the
 * client stays stalled, aedes' drain timeout disconnects it and a persistent session gets them later.
 */
import type { AedesPublishPacket, Client } from 'aedes';
import type { Logger } from '../core/logger.ts';

/** Per-client counters of the embedded broker. */
export interface EmbeddedBrokerStats {
  /** QoS 0 messages (live frames) not forwarded to a client because its socket was backed up. */
  qos0DroppedForSlowClients: number;
  /** Times a client started falling behind (a stall episode; logged once per connection). */
  slowClientEpisodes: number;
}

/** An MQTT PUBLISH header is at most this long beyond its topic (fixed header, length bytes, topic length). */
const HEADER_BYTES = 7;

export class SlowClientShedder {
  private readonly counters: EmbeddedBrokerStats = { qos0DroppedForSlowClients: 0, slowClientEpisodes: 0 };
  /** Clients whose last live frame was shed; the episode ends when one fits again. */
  private readonly behind = new WeakSet<Client>();
  private readonly warned = new WeakSet<Client>();
  /**
   * Bytes of live frames forwarded to a client and not written yet: aedes writes a forwarded QoS 0 message on
   * the next turn of the event loop (setImmediate), so they are not in the socket's writableLength yet.
   */
  private readonly scheduledBytes = new WeakMap<Client, number>();

  constructor(private readonly logger: Logger) {}

  /** aedes' authorizeForward: the packet to send, or null to shed it. */
  forward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    if (packet.qos !== 0) return packet;
    const conn = client.conn;
    const size = payloadLength(packet.payload) + Buffer.byteLength(packet.topic) + HEADER_BYTES;
    const scheduled = this.scheduledBytes.get(client) ?? 0;
    if (conn.writableLength + scheduled + size < conn.writableHighWaterMark) {
      // Cleared once aedes' writes of this turn have run (they were queued before this callback's inner one).
      if (scheduled === 0) setImmediate(() => setImmediate(() => this.scheduledBytes.delete(client)));
      this.scheduledBytes.set(client, scheduled + size);
      this.behind.delete(client);
      return packet;
    }
    this.counters.qos0DroppedForSlowClients += 1;
    if (!this.behind.has(client)) {
      this.behind.add(client);
      this.counters.slowClientEpisodes += 1;
      // Once per connection: a client that reads slowly falls behind and catches up again and again.
      if (!this.warned.has(client)) {
        this.warned.add(client);
        this.logger.warn('mqtt client is not reading: its live frames are dropped until it catches up', { client: client.id });
      }
    }
    return null;
  }

  stats(): EmbeddedBrokerStats {
    return { ...this.counters };
  }
}

function payloadLength(payload: string | Buffer): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}
