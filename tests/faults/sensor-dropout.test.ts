/**
 * Fault: both sensors of an athlete lose the radio in the middle of a rep and come back, while 5 % of the IMU
 * notifications are lost in bursts (simulator `lossPct: 5`, Gilbert–Elliott bursts). Through the whole live
 * gateway (simulator → noble → connection manager → pipeline → sinks).
 *
 * What must hold: nothing crashes; the reps before and after the drop are published once each (unique ids);
 * the rep in progress at the drop is published once with `gap_fraction > 0`, or not at all — never twice;
 * the set goes on after the drop (the later reps belong to the same set), and the rest between the lifter's
 * sets still ends the first one although lost packets interrupt it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildSquatSet, profileByName } from '../../firmware-sim/model/index.ts';
import type { PublishedRep } from '../../gateway/core/domain.ts';
import { depthIsUncertain } from '../../shared/rep.ts';
import { startSimGateway, waitFor } from './fault-support.ts';
import type { SimGateway } from './fault-support.ts';

const REST_S = 60;
let sim: SimGateway | null = null;
afterAll(async () => {
  await sim?.close();
});

describe('a sensor drop in the middle of a rep, with 5 % burst loss', () => {
  it('publishes every rep once, the interrupted one once with a gap or not at all, and the set goes on', async () => {
    // The simulated lifter's first two sets: the same model (profile, seed 1, 5 then 6 reps, 60 s rest) the
    // gateway's simulator runs. The drop is in the second set: by then the connections are older than the
    // manager's 30 s "stable" mark, so the reconnect is attempted at once (see the report on set 1 below).
    const model = (reps: number) => buildSquatSet({ profile: profileByName('neutral-wink'), seed: 1, reps, sensors: 'both', errors: false });
    const first = model(5);
    const secondStart = first.duration + REST_S;
    const truth = [...first.truth.reps, ...model(6).truth.reps.map((r) => ({ ...r, t_start: r.t_start + secondStart, t_bottom: r.t_bottom + secondStart, t_end: r.t_end + secondStart }))];
    const interruptedIndex = 5 + 2; // set 2, rep 3
    const interrupted = truth[interruptedIndex];
    // The radio drops in the rep's descent, 60 % of the way to the bottom, for 1.5 s of simulated time.
    const outage = { start: interrupted.t_start + 0.6 * (interrupted.t_bottom - interrupted.t_start), duration: 1.5 };
    expect(outage.start).toBeLessThan(interrupted.t_bottom);
    expect(outage.start + outage.duration).toBeLessThan(truth[interruptedIndex + 1].t_start);

    sim = await startSimGateway({ sim: { lossPct: 5, restS: REST_S, outages: [outage] } });
    const s = sim;
    // Session time = simulated time − the moment the first sample arrived; rep 1 (before the drop) gives it.
    const offset = () => s.reps()[0].t_bottom - truth[0].t_bottom;
    const lastTruthBottom = truth[truth.length - 1].t_bottom;
    await waitFor(
      () => s.reps().length > 0 && s.reps().some((r) => r.t_bottom - offset() > lastTruthBottom - 1),
      'the last rep of the second set',
      60_000,
    );
    const reps = s.reps();
    await s.close();
    sim = null;

    // No id twice; reps are numbered through the session (as `analyze` numbers a recording), without a gap;
    // each set holds a run of consecutive reps.
    expect(new Set(reps.map((r) => r.id)).size).toBe(reps.length);
    expect(reps.map((r) => r.index)).toEqual(reps.map((_, i) => i + 1));
    for (const set of new Set(reps.map((r) => r.set))) {
      const indexes = reps.filter((r) => r.set === set).map((r) => r.index);
      expect(indexes).toEqual(indexes.map((_, i) => indexes[0] + i));
    }

    // A published rep belongs to the truth rep whose descent-to-standing window holds its bottom.
    const within = (r: PublishedRep, k: number) => {
      const t = r.t_bottom - offset();
      return t > truth[k].t_start && t < truth[k].t_end;
    };
    const matchesOf = (k: number): PublishedRep[] => reps.filter((r) => within(r, k));
    truth.forEach((_, k) => {
      if (k !== interruptedIndex) expect(matchesOf(k), `truth rep ${k + 1}`).toHaveLength(1);
    });
    const inProgress = matchesOf(interruptedIndex);
    expect(inProgress.length).toBeLessThanOrEqual(1);
    if (inProgress.length === 1) {
      // Flagged as an estimate, and a plausible one: the hole is bridged, not integrated through (that once
      // reported 101 cm for a 46 cm squat).
      expect(depthIsUncertain(inProgress[0].gap_fraction)).toBe(true);
      expect(inProgress[0].depth_cm).toBeLessThan(interrupted.depth_cm + 15);
    }
    // Nothing published that is not one of the lifter's reps.
    expect(reps.filter((r) => !truth.some((_, k) => within(r, k)))).toEqual([]);
    // The drop did not split the set: every rep of the lifter's second set is in one set of the gateway's,
    // not the first one (the rest between the sets closed it).
    const secondSetReps = reps.filter((r) => truth.slice(5).some((_, k) => within(r, 5 + k)));
    expect(new Set(secondSetReps.map((r) => r.set)).size).toBe(1);
    expect(secondSetReps[0].set).toBeGreaterThan(reps[0].set);

    // Both sensors were lost and came back, and the burst loss was seen as lost frames.
    const states = s.sensorStates();
    for (const id of ['sim-1-sacrum', 'sim-1-tl']) {
      const connected = states.filter((st) => st.id === id).map((st) => st.connected);
      const drop = connected.indexOf(false, connected.indexOf(true));
      expect(drop, `${id} dropped`).toBeGreaterThan(0);
      expect(connected.indexOf(true, drop), `${id} came back`).toBeGreaterThan(drop);
      expect(Math.max(...states.filter((st) => st.id === id).map((st) => st.frames_lost))).toBeGreaterThan(0);
    }
    expect(s.logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
    console.info(
      `sensor dropout: ${reps.length} reps published; rep in progress ${inProgress.length === 1 ? `published with gap_fraction ${inProgress[0].gap_fraction}` : 'not published'}; ` +
        `gap fractions ${reps.map((r) => r.gap_fraction).join(', ')}`,
    );
  }, 90_000);
});
