/**
 * Client-id takeover detection. An MQTT broker closes a client's connection when another client connects with the
 * same id (MQTT 3.1.1 §3.1.4); two programs sharing an id — a copied config with a fixed `clientId`, or someone
 * who learnt it — then knock each other off forever, each reconnect flipping `bridge/state`. The broker gives no
 * reason on the wire (3.1.1 has no DISCONNECT from the server), so the sign is the pattern: connections the broker
 * accepts and then closes within seconds, again and again. When that is seen, the client stops fighting: it
 * pauses reconnecting for minutes, longer each time, and says why once per pause.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../core/logger.ts';
import { setReconnectDelay } from './reconnect-timer.ts';

export interface TakeoverGuardLimits {
  /** A connection the broker closes within this time after accepting it counts as knocked off, ms. Default 10 s. */
  readonly shortMs?: number;
  /** This many knock-offs… Default 3. */
  readonly limit?: number;
  /** …within this window mean a takeover loop, ms. Default 60 s. */
  readonly windowMs?: number;
  /** The first pause, ms, doubling at each further loop up to `maxPauseMs`. Defaults 5 min and 1 h. */
  readonly pauseMs?: number;
  readonly maxPauseMs?: number;
}

export class TakeoverGuard {
  private readonly shortMs: number;
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly maxPauseMs: number;
  private nextPauseMs: number;
  private connectedAt: number | null = null;
  private knockOffs: number[] = [];
  /** Takeover loops detected so far. */
  loops = 0;

  constructor(
    limits: TakeoverGuardLimits = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.shortMs = limits.shortMs ?? 10_000;
    this.limit = limits.limit ?? 3;
    this.windowMs = limits.windowMs ?? 60_000;
    this.nextPauseMs = limits.pauseMs ?? 300_000;
    this.maxPauseMs = limits.maxPauseMs ?? 3_600_000;
  }

  /** The broker accepted the connection (CONNACK). */
  connected(): void {
    this.connectedAt = this.now();
  }

  /**
   * The connection closed without us asking. Returns how long to pause before reconnecting when this completes a
   * takeover loop, else null (reconnect as usual).
   */
  closed(): number | null {
    const since = this.connectedAt;
    this.connectedAt = null;
    if (since === null) return null; // never accepted: an unreachable broker, not a takeover
    const t = this.now();
    if (t - since > this.shortMs) return null;
    this.knockOffs = [...this.knockOffs.filter((k) => t - k <= this.windowMs), t];
    if (this.knockOffs.length < this.limit) return null;
    this.knockOffs = [];
    this.loops += 1;
    const pause = this.nextPauseMs;
    this.nextPauseMs = Math.min(this.maxPauseMs, pause * 2);
    return pause;
  }
}

/**
 * Watches an MQTT.js client for takeover loops and, on one, pauses its reconnecting and logs why. `who` names the
 * client in the log ("gateway", "historian").
 */
export function guardAgainstTakeover(client: MqttClient, logger: Logger, who: string, limits: TakeoverGuardLimits = {}): TakeoverGuard {
  const guard = new TakeoverGuard(limits);
  /** The reconnect period before a pause, restored when the paused attempt starts (unless another listener set its own). */
  let paused: { readonly pauseMs: number; readonly periodBefore: number } | null = null;
  client.on('connect', () => guard.connected());
  client.on('reconnect', () => {
    if (paused === null) return;
    if (client.options.reconnectPeriod === paused.pauseMs) setReconnectDelay(client, paused.periodBefore, false);
    paused = null;
  });
  client.on('close', () => {
    if (client.disconnecting) return; // we asked for it
    const pauseMs = guard.closed();
    if (pauseMs === null) return;
    logger.error(
      `mqtt: the broker keeps closing the ${who}'s connection right after accepting it — another client is probably connecting with the same client id; not fighting it: reconnecting paused`,
      { pause_s: Math.round(pauseMs / 1000), loops: guard.loops, hint: 'give each gateway and historian its own mqtt.clientId / historian.clientId, or leave them unset' },
    );
    // MQTT.js has already armed its reconnect timer (its own 'close' listener runs first): wait the pause instead;
    // the paused attempt restores the usual delay.
    paused = { pauseMs, periodBefore: client.options.reconnectPeriod ?? 1_000 };
    setReconnectDelay(client, pauseMs, true);
  });
  return guard;
}
