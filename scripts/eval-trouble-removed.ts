/**
 * What each trouble of the broadened simulator costs: a group's tuning sets scored as drawn and with one trouble
 * removed from every set (the set's spec changed, the same seed, so everything else stays as drawn). Measured
 * for docs/SENSING.md §15 ("Everything at once"). With one set (`sets` 1) it also prints each rep's depth error.
 *
 *   npx tsx scripts/eval-trouble-removed.ts [group] [first set] [sets] [trouble …]
 *     (defaults: mixed 0 60, each trouble in turn: sway loss gyro-bias acc-bias noise; `all` removes all at once;
 *     `acc-bias-only` and `acc-scale-only` remove one half of acc-bias)
 */
import { RANDOMIZED_CONDITIONS, randomizedSetSpec } from '../firmware-sim/randomized-sets.ts';
import type { RandomizedCondition, RandomizedSetSpec } from '../firmware-sim/randomized-sets.ts';
import { randomizedSeed, scoreRandomizedSet } from './accuracy/randomized-evaluation.ts';
import { summarize } from './accuracy/scoring.ts';
import type { SetScore } from './accuracy/scoring.ts';
import { PARTIAL_REMOVALS, TROUBLE_REMOVALS } from './accuracy/trouble-removals.ts';
import type { PartialTrouble, Trouble } from './accuracy/trouble-removals.ts';

const ALL_REMOVED: Partial<RandomizedSetSpec> = Object.assign({}, ...Object.values(TROUBLE_REMOVALS));

const group = (process.argv[2] ?? 'mixed') as RandomizedCondition;
const first = Number(process.argv[3] ?? 0);
const sets = Number(process.argv[4] ?? 60);
const REMOVALS: Record<Trouble | PartialTrouble, Partial<RandomizedSetSpec>> = { ...TROUBLE_REMOVALS, ...PARTIAL_REMOVALS };
const troubles = (process.argv.length > 5 ? process.argv.slice(5) : Object.keys(TROUBLE_REMOVALS)) as (Trouble | PartialTrouble | 'all')[];
if (!RANDOMIZED_CONDITIONS.includes(group) || !Number.isInteger(first) || first < 0 || !Number.isInteger(sets) || sets < 1 || troubles.some((t) => t !== 'all' && !(t in REMOVALS))) {
  console.error(`usage: npx tsx scripts/eval-trouble-removed.ts [${RANDOMIZED_CONDITIONS.join('|')}] [first set] [sets] [${Object.keys(REMOVALS).join('|')}|all …]`);
  process.exit(2);
}

function line(label: string, change: Partial<RandomizedSetSpec>): void {
  const scores: SetScore[] = [];
  for (let k = first; k < first + sets; k++) {
    const score = scoreRandomizedSet({ ...randomizedSetSpec(randomizedSeed('tuning', group, k), group), ...change }).score;
    if (score === null) throw new Error(`set ${k}: the pipeline failed`);
    scores.push(score);
  }
  const m = summarize(scores);
  const p90 = m.cueTiming.p90AbsS === null ? '–' : `${(m.cueTiming.p90AbsS * 1000).toFixed(0)} ms`;
  const perRep = sets === 1 ? ` | depth errors ${scores[0].matches.map((r) => (r.detected.depth_cm - r.truth.depth_cm).toFixed(1)).join(' ')} cm` : '';
  console.log(
    `${label.padEnd(16)} recall ${m.repRecall.value?.toFixed(3)}, depth MAE ${m.depthMaeCm.value?.toFixed(2)} cm, ` +
      `suggestion in band ${m.suggestionInBand.hits}/${m.suggestionInBand.total}, cue recall ${m.cueRecall.value?.toFixed(3)}, cue p90 ${p90}${perRep}`,
  );
}

console.log(`${group}, tuning sets ${first}–${first + sets - 1}`);
line('as drawn', {});
for (const t of troubles) line(t === 'all' ? 'none of them' : `no ${t}`, t === 'all' ? ALL_REMOVED : REMOVALS[t]);
