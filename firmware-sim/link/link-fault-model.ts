/**
 * A deterministic model of the BLE link between one sensor and the gateway, applied to the firmware's
 * notification stream: burst loss (Gilbert–Elliott), duplicated notifications, delivery latency with jitter,
 * and scheduled outages (the link drops for a while: the connection is lost and cannot be re-established
 * until the outage ends).
 *
 * BLE delivers the notifications of a connection in order, so a notification is never received before the
 * one sent ahead of it: receive time = max(send time + latency, previous receive time). A duplicate is
 * received right after its original, at the same time.
 *
 * Loss and duplication apply to the characteristics in `faultedCharacteristics` (default: IMU data only,
 * the stream that fills the radio's buffers); the others only see latency and outages.
 */
import { Rng } from '../../shared/rng.ts';
import type { Notification, NotifyingCharacteristic } from '../firmware/sensor-firmware.ts';
import { GilbertElliottChannel } from './gilbert-elliott.ts';

export interface LinkOutage {
  /** True time the link drops, s. */
  readonly start: number;
  /** How long it stays down, s. */
  readonly duration: number;
}

export interface LinkFaultConfig {
  /** Long-run share of faulted notifications lost, e.g. 0.03 or 0.05. Default 0. */
  readonly lossRate?: number;
  /** Mean burst length in notifications. Default 3. */
  readonly meanBurstLength?: number;
  /** Loss probability inside a burst. Default 1 (every notification of a burst is lost). */
  readonly lossInBadState?: number;
  /** Share of delivered faulted notifications that arrive twice. Default 0. */
  readonly duplicateRate?: number;
  /** Delivery latency, uniform in [min, max] seconds. Default 7.5–30 ms (one to a few connection intervals). */
  readonly latencyS?: { readonly min: number; readonly max: number };
  /** Scheduled outages. Default none. */
  readonly outages?: readonly LinkOutage[];
  /** Characteristics subject to loss and duplication. Default ['imu']. */
  readonly faultedCharacteristics?: readonly NotifyingCharacteristic[];
}

export interface Delivery {
  /** True time the central receives it, s. */
  readonly t: number;
  /** True time the firmware sent it, s. */
  readonly sentAt: number;
  readonly characteristic: NotifyingCharacteristic;
  readonly data: Uint8Array;
  /** True for the second copy of a duplicated notification. */
  readonly duplicate: boolean;
}

export interface LinkStats {
  /** Notifications handed to the link. */
  sent: number;
  /** Copies received (duplicates included). */
  delivered: number;
  /** Lost to burst loss. */
  lost: number;
  /** Extra copies received or still in flight. */
  duplicated: number;
  /** Lost because the connection was down when they were sent, or went down while they were in flight. */
  lostToDisconnect: number;
}

export const IDEAL_LINK: LinkFaultConfig = { latencyS: { min: 0, max: 0 } };

export class LinkFaultModel {
  readonly outages: readonly LinkOutage[];
  private readonly burstLoss: GilbertElliottChannel;
  private readonly duplicateRate: number;
  private readonly latencyMin: number;
  private readonly latencyMax: number;
  private readonly faulted: ReadonlySet<NotifyingCharacteristic>;
  private readonly duplicateRng: Rng;
  private readonly latencyRng: Rng;
  private readonly inFlight: Delivery[] = [];
  private inFlightHead = 0;
  private lastReceiveT = -Infinity;
  private readonly counters: LinkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, lostToDisconnect: 0 };

  constructor(config: LinkFaultConfig, seed: number) {
    const rng = new Rng(seed);
    // Separate streams, so that changing one fault's setting does not reshuffle the others.
    this.burstLoss = new GilbertElliottChannel(
      {
        lossRate: config.lossRate ?? 0,
        meanBurstLength: config.meanBurstLength ?? 3,
        lossInBadState: config.lossInBadState ?? 1,
      },
      rng.fork(1),
    );
    this.duplicateRng = rng.fork(2);
    this.latencyRng = rng.fork(3);
    this.duplicateRate = config.duplicateRate ?? 0;
    this.latencyMin = config.latencyS?.min ?? 0.0075;
    this.latencyMax = config.latencyS?.max ?? 0.03;
    if (!(this.latencyMin >= 0 && this.latencyMax >= this.latencyMin)) throw new RangeError('bad latency range');
    this.outages = [...(config.outages ?? [])].sort((a, b) => a.start - b.start);
    this.faulted = new Set(config.faultedCharacteristics ?? ['imu']);
  }

  /** A snapshot of the counters. */
  get stats(): LinkStats {
    return { ...this.counters };
  }

  /** Notifications sent but not yet received. */
  get inFlightCount(): number {
    return this.inFlight.length - this.inFlightHead;
  }

  /** Whether the link can carry a connection at true time t. */
  isUp(t: number): boolean {
    return this.outageAt(t) === null;
  }

  /** The outage covering t (start included, end excluded), if any. */
  outageAt(t: number): LinkOutage | null {
    for (const o of this.outages) if (t >= o.start && t < o.start + o.duration) return o;
    return null;
  }

  /** Start of the first outage beginning strictly after t, or Infinity. */
  nextOutageStartAfter(t: number): number {
    for (const o of this.outages) if (o.start > t) return o.start;
    return Infinity;
  }

  /** Hand a notification to the link (calls must come in send-time order). */
  send(n: Notification): void {
    this.counters.sent++;
    if (!this.isUp(n.t)) {
      this.counters.lostToDisconnect++;
      return;
    }
    const faulted = this.faulted.has(n.characteristic);
    if (faulted && this.burstLoss.nextIsLost()) {
      this.counters.lost++;
      return;
    }
    const receiveT = Math.max(n.t + this.latencyRng.uniform(this.latencyMin, this.latencyMax), this.lastReceiveT);
    if (receiveT >= this.nextOutageStartAfter(n.t)) {
      // Still in the radio's queue when the link dropped.
      this.counters.lostToDisconnect++;
      return;
    }
    this.lastReceiveT = receiveT;
    this.inFlight.push({ t: receiveT, sentAt: n.t, characteristic: n.characteristic, data: n.data, duplicate: false });
    if (faulted && this.duplicateRng.next() < this.duplicateRate) {
      this.counters.duplicated++;
      this.inFlight.push({ t: receiveT, sentAt: n.t, characteristic: n.characteristic, data: n.data, duplicate: true });
    }
  }

  /** Everything received up to and including true time t, in order. */
  receiveUntil(t: number): Delivery[] {
    const out: Delivery[] = [];
    while (this.inFlightHead < this.inFlight.length && this.inFlight[this.inFlightHead].t <= t) {
      out.push(this.inFlight[this.inFlightHead++]);
    }
    this.compact();
    this.counters.delivered += out.length;
    return out;
  }

  /** The connection closed (either side): what was still in flight is lost. Returns how many notifications. */
  dropInFlight(): number {
    let dropped = 0;
    for (let i = this.inFlightHead; i < this.inFlight.length; i++) {
      // A dropped second copy will never be received, so it no longer counts as a duplicate.
      if (this.inFlight[i].duplicate) this.counters.duplicated--;
      else dropped++;
    }
    this.counters.lostToDisconnect += dropped;
    this.inFlight.length = 0;
    this.inFlightHead = 0;
    return dropped;
  }

  private compact(): void {
    if (this.inFlightHead > 1024 && this.inFlightHead * 2 > this.inFlight.length) {
      this.inFlight.splice(0, this.inFlightHead);
      this.inFlightHead = 0;
    }
  }
}

/** Run a whole notification stream (in send order) through a fresh link model. */
export function simulateLink(
  notifications: readonly Notification[],
  config: LinkFaultConfig,
  seed: number,
): { delivered: Delivery[]; stats: LinkStats } {
  const link = new LinkFaultModel(config, seed);
  for (const n of notifications) link.send(n);
  const delivered = link.receiveUntil(Infinity);
  return { delivered, stats: link.stats };
}
