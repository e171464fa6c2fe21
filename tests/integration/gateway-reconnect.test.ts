/**
 * A sensor drops out mid-set and comes back: the connection manager reconnects, the set goes on, and every rep
 * is published exactly once — none lost, none doubled.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../gateway/config/config.ts';
import type { GatewayEvent, PublishedRep, SensorState } from '../../gateway/core/domain.ts';
import { startGateway } from '../../gateway/service/gateway.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { buildSquatSet, profileByName } from '../../firmware-sim/model/index.ts';
import { waitFor } from '../support/mqtt-harness.ts';

let dataDir: string;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('gateway across a sensor dropout', () => {
  it('reconnects and publishes every rep of the set once', async () => {
    // The simulated lifter's first set (same model the gateway's simulator runs): drop the radio between reps 2 and 3.
    const truth = buildSquatSet({ profile: profileByName('neutral-wink'), seed: 1, reps: 5, sensors: 'both', errors: false }).truth;
    const outageStart = truth.reps[1].t_end + 0.3;
    const outage = { start: outageStart, duration: 1.2 };
    expect(outageStart + outage.duration + 0.8).toBeLessThan(truth.reps[2].t_start);

    dataDir = await mkdtemp(join(tmpdir(), 'squatmon-reconnect-'));
    const config = configSchema.parse({
      dataDir,
      source: 'sim',
      sim: { athletes: 1, profiles: ['neutral-wink'], sensors: 'both', speed: 6, restS: 40, outages: [outage] },
      http: { port: 0 },
      mqtt: { port: 0 },
    });
    const reps: PublishedRep[] = [];
    const states: SensorState[] = [];
    const logger = memoryLogger();
    const gateway = await startGateway({
      config,
      logger,
      dashboardDir: join(dataDir, 'none'),
      tap: (e: GatewayEvent) => {
        if (e.kind === 'rep') reps.push(e.rep);
        if (e.kind === 'sensor') states.push(e.sensor);
      },
    });
    try {
      await waitFor(() => reps.length >= truth.reps.length, `${truth.reps.length} reps`, 60_000);
    } finally {
      await gateway.stop();
    }
    // The sensors were lost and found again.
    for (const id of ['sim-1-sacrum', 'sim-1-tl']) {
      const seq = states.filter((s) => s.id === id).map((s) => s.connected);
      const dropped = seq.indexOf(false, seq.indexOf(true));
      expect(dropped).toBeGreaterThan(0);
      expect(seq.indexOf(true, dropped)).toBeGreaterThan(dropped);
    }
    expect(logger.lines.some((l) => /reconnect|connected/.test(l))).toBe(true);
    // Every rep once: indexes 1..5 in order, ids unique, bottoms in the truth's rep windows (+ link latency).
    expect(reps.map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(reps.map((r) => r.id)).size).toBe(5);
    reps.forEach((r, i) => {
      expect(Math.abs(r.depth_cm - truth.reps[i].depth_cm)).toBeLessThan(4);
    });
  }, 90_000);
});
