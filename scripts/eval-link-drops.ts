/**
 * A probe the broadened simulator's groups do not cover: the link drops in the middle of a rep (both sensors,
 * 0.8, 1.5 or 2 s, from 20 % of the way down the fourth rep to 30 % past its bottom), with 5 % burst loss
 * besides. For each drop: is every other rep found once, is the rep in progress published at most once, flagged
 * uncertain (`gap_fraction` > 0.25) when its depth is more than 3 cm off, and no more than 15 cm deeper than it
 * was, and is nothing else published?
 * Prints the drops that fail and a count per kind of failure.
 *
 *   npx tsx scripts/eval-link-drops.ts [seeds, default 6] [profile, default neutral-wink]
 */
import { profileByName } from '../firmware-sim/model/index.ts';
import { analyzeSamples } from '../gateway/sensing/analyze-samples.ts';
import type { RepEvent } from '../gateway/sensing/events.ts';
import { simulateRecording } from '../gateway/sources/simulated-recording.ts';
import { depthIsUncertain } from '../shared/rep.ts';
import { EVALUATION_LINK, RECORDING_CLOCK_OFFSET_S } from './accuracy/evaluation-sets.ts';

const seeds = Number(process.argv[2] ?? 6);
const profile = profileByName(process.argv[3] ?? 'neutral-wink');
const SHARES_OF_DESCENT = [0.2, 0.4, 0.6, 0.8, 1.0, 1.3];
const DURATIONS_S = [0.8, 1.5, 2.0];
const HIT = 3;
const LOSS = 0.05;

const kinds = { 'another rep missed or merged': 0, 'rep in progress twice': 0, 'rep in progress off by > 3 cm, not flagged': 0, 'rep in progress too deep': 0, 'something else published': 0 };
let drops = 0;
let failed = 0;
for (let seed = 1; seed <= seeds; seed++) {
  const base = { profile, seed, reps: 6, sensors: 'both' as const, rateHz: 100 as const };
  const truth = simulateRecording({ ...base, link: { ...EVALUATION_LINK, lossRate: LOSS } }).truth.reps;
  for (const share of SHARES_OF_DESCENT) {
    for (const duration of DURATIONS_S) {
      const start = truth[HIT].t_start + share * (truth[HIT].t_bottom - truth[HIT].t_start);
      // The drop must end before the next rep begins: that rep is not the one in progress.
      if (start + duration >= truth[HIT + 1].t_start) continue;
      drops++;
      const sim = simulateRecording({ ...base, link: { ...EVALUATION_LINK, lossRate: LOSS, outages: [{ start, duration }] } });
      const reps = analyzeSamples([...sim.sensors], sim.samples).filter((e): e is RepEvent => e.type === 'rep');
      const offset = RECORDING_CLOCK_OFFSET_S;
      const matches = (k: number) => reps.filter((r) => r.t_bottom - offset > truth[k].t_start && r.t_bottom - offset < truth[k].t_end);
      const found: (keyof typeof kinds)[] = [];
      truth.forEach((_, k) => {
        if (k !== HIT && matches(k).length !== 1) found.push('another rep missed or merged');
      });
      const inProgress = matches(HIT);
      if (inProgress.length > 1) found.push('rep in progress twice');
      // A long rep (a pause at the bottom) loses less than a quarter of its samples to a short drop: unflagged
      // is right when its depth is.
      if (inProgress.some((r) => !depthIsUncertain(r.gap_fraction) && Math.abs(r.depth_cm - truth[HIT].depth_cm) > 3)) found.push('rep in progress off by > 3 cm, not flagged');
      if (inProgress.some((r) => r.depth_cm > truth[HIT].depth_cm + 15)) found.push('rep in progress too deep');
      if (reps.some((r) => !truth.some((_, k) => matches(k).includes(r)))) found.push('something else published');
      const unique = [...new Set(found)];
      for (const kind of unique) kinds[kind]++;
      if (unique.length > 0) {
        failed++;
        const shown = reps.map((r) => `${r.depth_cm} cm (gap ${r.gap_fraction})`).join(', ');
        console.log(`seed ${seed}, drop at ${share} of the descent for ${duration} s: ${unique.join('; ')} — published ${shown}; truth ${truth.map((r) => r.depth_cm.toFixed(1)).join(', ')} cm`);
      }
    }
  }
}
console.log(`\n${failed} of ${drops} drops with a wrong result`);
for (const [kind, n] of Object.entries(kinds)) console.log(`  ${kind}: ${n}`);
