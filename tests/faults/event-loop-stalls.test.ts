/**
 * Fault: the gateway's event loop stalls again and again — a slow disk write, a long garbage collection, a busy
 * machine — so sensor notifications reach it late and then in a burst. Here it is blocked for 250 ms every
 * 500 ms while the simulator runs at 6 × real time, so each stall holds back 1.5 s of data (more than the clock
 * mapper's 1 s jump threshold).
 *
 * What must hold: the samples keep their sensor's timing, so the reps come out as the lifter did them — none
 * with a hole (`gap_fraction` 0), depths within 5 cm of the truth.
 *
 * FOUND AND FIXED: the clock mapper took the late notifications for a jump back of the sensor's clock and
 * re-anchored on them; every rep then had holes (`gap_fraction` ≈ 0.5) and depths from 12 to 177 cm.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildSquatSet, profileByName } from '../../firmware-sim/model/index.ts';
import { startSimGateway, waitFor } from './fault-support.ts';
import type { SimGateway } from './fault-support.ts';

let sim: SimGateway | null = null;
let blocker: NodeJS.Timeout | null = null;
afterEach(async () => {
  if (blocker) clearInterval(blocker);
  await sim?.close();
  sim = null;
});

describe('a gateway whose event loop stalls', () => {
  it('keeps the samples on their sensor clock: reps without holes, with their depths', async () => {
    const truth = buildSquatSet({ profile: profileByName('neutral-wink'), seed: 1, reps: 5, sensors: 'both', errors: false }).truth.reps;
    sim = await startSimGateway({});
    const s = sim;
    blocker = setInterval(() => {
      const until = performance.now() + 250;
      while (performance.now() < until) {
        // Busy: nothing else runs in this process meanwhile.
      }
    }, 500);
    await waitFor(() => s.reps().length >= truth.length, 'the first set', 90_000);
    clearInterval(blocker);
    blocker = null;
    const reps = s.reps().slice(0, truth.length);
    console.info(`event-loop stalls: depths ${reps.map((r) => r.depth_cm).join(', ')} cm (truth ${truth.map((r) => r.depth_cm.toFixed(1)).join(', ')}); gap fractions ${reps.map((r) => r.gap_fraction).join(', ')}`);
    reps.forEach((rep, k) => {
      expect(rep.gap_fraction, `rep ${k + 1} gap_fraction`).toBe(0);
      expect(Math.abs(rep.depth_cm - truth[k].depth_cm), `rep ${k + 1} depth`).toBeLessThan(5);
    });
  }, 120_000);
});
