import { describe, expect, it } from 'vitest';
import { GilbertElliottChannel, LinkFaultModel, simulateLink } from '../../firmware-sim/link/index.ts';
import type { Delivery, LinkFaultConfig } from '../../firmware-sim/link/index.ts';
import type { Notification, NotifyingCharacteristic } from '../../firmware-sim/firmware/index.ts';
import { Rng } from '../../shared/rng.ts';

/** `count` notifications every `periodS`, each carrying its index in its first 4 bytes. */
function stream(count: number, periodS: number, characteristic: NotifyingCharacteristic = 'imu'): Notification[] {
  const out: Notification[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, i, true);
    out.push({ t: i * periodS, characteristic, data });
  }
  return out;
}

const indexOf = (d: Delivery) => new DataView(d.data.buffer, d.data.byteOffset).getUint32(0, true);

/** Lengths of the runs of consecutive indices missing from the deliveries. */
function lossBursts(delivered: readonly Delivery[], count: number): number[] {
  const seen = new Uint8Array(count);
  for (const d of delivered) seen[indexOf(d)] = 1;
  const bursts: number[] = [];
  let run = 0;
  for (let i = 0; i < count; i++) {
    if (seen[i] === 0) run++;
    else if (run > 0) {
      bursts.push(run);
      run = 0;
    }
  }
  if (run > 0) bursts.push(run);
  return bursts;
}

describe('link fault model', () => {
  for (const lossRate of [0.03, 0.05]) {
    it(`loses ${lossRate * 100} % of a long stream in bursts longer than one`, () => {
      const n = 40_000;
      const { delivered, stats } = simulateLink(stream(n, 0.01), { lossRate, meanBurstLength: 3 }, 42);
      expect(stats.sent).toBe(n);
      expect(stats.lost / n).toBeGreaterThan(lossRate * 0.8);
      expect(stats.lost / n).toBeLessThan(lossRate * 1.2);
      const bursts = lossBursts(delivered, n);
      expect(bursts.reduce((a, b) => a + b, 0)).toBe(stats.lost);
      const meanBurst = stats.lost / bursts.length;
      expect(meanBurst).toBeGreaterThan(2.4);
      expect(meanBurst).toBeLessThan(3.6);
    });
  }

  it('duplicates about the configured share, each copy right after its original', () => {
    const n = 20_000;
    const { delivered, stats } = simulateLink(stream(n, 0.01), { duplicateRate: 0.01 }, 7);
    expect(stats.lost).toBe(0);
    expect(stats.duplicated / n).toBeGreaterThan(0.007);
    expect(stats.duplicated / n).toBeLessThan(0.013);
    expect(delivered.filter((d) => d.duplicate)).toHaveLength(stats.duplicated);
    delivered.forEach((d, i) => {
      if (d.duplicate) {
        expect(indexOf(delivered[i - 1])).toBe(indexOf(d));
        expect(delivered[i - 1].t).toBe(d.t);
      }
    });
    expect(stats.delivered).toBe(n + stats.duplicated);
  });

  it('preserves order under jittered latency, and keeps latency in range when the stream is sparse', () => {
    const config: LinkFaultConfig = { lossRate: 0.05, duplicateRate: 0.02, latencyS: { min: 0.0075, max: 0.03 } };
    const dense = simulateLink(stream(5000, 0.0025), config, 3).delivered;
    for (let i = 1; i < dense.length; i++) {
      expect(dense[i].t).toBeGreaterThanOrEqual(dense[i - 1].t);
      expect(indexOf(dense[i])).toBeGreaterThanOrEqual(indexOf(dense[i - 1]));
    }
    const sparse = simulateLink(stream(2000, 0.05), config, 3).delivered;
    const latencies = sparse.map((d) => d.t - d.sentAt);
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(0.0075);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(0.03);
    expect(Math.max(...latencies) - Math.min(...latencies)).toBeGreaterThan(0.015);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const config: LinkFaultConfig = { lossRate: 0.05, duplicateRate: 0.01 };
    const notes = stream(3000, 0.01);
    const a = simulateLink(notes, config, 11);
    const b = simulateLink(notes, config, 11);
    const c = simulateLink(notes, config, 12);
    expect(b.stats).toEqual(a.stats);
    expect(b.delivered.map((d) => [d.t, indexOf(d), d.duplicate])).toEqual(a.delivered.map((d) => [d.t, indexOf(d), d.duplicate]));
    expect(c.delivered.map((d) => indexOf(d))).not.toEqual(a.delivered.map((d) => indexOf(d)));
  });

  it('applies loss and duplication only to the faulted characteristics', () => {
    const { stats } = simulateLink(stream(5000, 0.01, 'control'), { lossRate: 0.2, duplicateRate: 0.2 }, 5);
    expect(stats).toMatchObject({ sent: 5000, delivered: 5000, lost: 0, duplicated: 0 });
  });

  it('loses what is sent during an outage or still in flight when it starts', () => {
    const link = new LinkFaultModel({ latencyS: { min: 0.02, max: 0.02 }, outages: [{ start: 1, duration: 0.5 }] }, 1);
    expect(link.isUp(0.99)).toBe(true);
    expect(link.isUp(1)).toBe(false);
    expect(link.isUp(1.5)).toBe(true);
    expect(link.nextOutageStartAfter(0)).toBe(1);
    expect(link.nextOutageStartAfter(1)).toBe(Infinity);
    for (const n of stream(200, 0.01)) link.send(n); // 0 … 1.99 s
    const got = link.receiveUntil(Infinity).map(indexOf);
    // Sent at ≤ 0.97 s arrive before 1 s; 0.98–0.99 are in flight at the drop; 1.00–1.49 are sent into it.
    expect(got).toEqual([...Array.from({ length: 98 }, (_, i) => i), ...Array.from({ length: 50 }, (_, i) => 150 + i)]);
    expect(link.stats).toMatchObject({ sent: 200, lostToDisconnect: 52, lost: 0, delivered: 148 });
  });

  it('counts what is in flight when the connection is closed', () => {
    const link = new LinkFaultModel({ latencyS: { min: 0.03, max: 0.03 }, duplicateRate: 1 }, 1);
    for (const n of stream(10, 0.01)) link.send(n);
    expect(link.receiveUntil(0.065).length).toBe(8); // indices 0..3, each twice
    expect(link.dropInFlight()).toBe(6);
    expect(link.inFlightCount).toBe(0);
    expect(link.stats).toMatchObject({ sent: 10, delivered: 8, duplicated: 4, lostToDisconnect: 6 });
  });

  it('rejects impossible burst-loss parameters', () => {
    const rng = new Rng(1);
    expect(() => new GilbertElliottChannel({ lossRate: 0.5, meanBurstLength: 3, lossInBadState: 0.4 }, rng)).toThrow(RangeError);
    expect(() => new GilbertElliottChannel({ lossRate: 0.05, meanBurstLength: 0.5, lossInBadState: 1 }, rng)).toThrow(RangeError);
  });
});
