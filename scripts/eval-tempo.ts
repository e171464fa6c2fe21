/**
 * Tempo squats (3.8 s descents) one trouble at a time: how many reps are missed and how far the reported depth
 * is off, over clean tempo sets made from the broadened `mixed` tuning sets (scripts/accuracy/tempo-sets.ts).
 * Measured for docs/SENSING.md §5 ("Tempo squats").
 *
 *   npx tsx scripts/eval-tempo.ts [first set] [sets] [sway|noise|loss …]      (defaults: sets 0–39, an ideal sensor)
 */
import { scoreRandomizedSet } from './accuracy/randomized-evaluation.ts';
import { percentile } from './accuracy/scoring.ts';
import { cleanTempoSet } from './accuracy/tempo-sets.ts';
import type { TempoTrouble } from './accuracy/tempo-sets.ts';

const first = Number(process.argv[2] ?? 0);
const sets = Number(process.argv[3] ?? 40);
const keep = process.argv.slice(4) as TempoTrouble[];
if (!Number.isInteger(first) || first < 0 || !Number.isInteger(sets) || sets < 1 || keep.some((k) => !['sway', 'noise', 'loss'].includes(k))) {
  console.error('usage: npx tsx scripts/eval-tempo.ts [first set] [sets] [sway|noise|loss …]');
  process.exit(2);
}
const cm = (p: number): string => `${percentile(errors, p)?.toFixed(2) ?? '–'} cm`;
let missed = 0;
let truthReps = 0;
const errors: number[] = [];
for (let k = first; k < first + sets; k++) {
  const score = scoreRandomizedSet(cleanTempoSet(k, keep)).score;
  if (score === null) throw new Error(`set ${k}: the pipeline failed`);
  missed += score.missed.length;
  truthReps += score.truthRepCount;
  for (const m of score.matches) errors.push(m.detected.depth_cm - m.truth.depth_cm);
}
console.log(
  `tempo sets ${first}–${first + sets - 1}, kept: ${keep.length ? keep.join(', ') : 'nothing (ideal sensor)'}: ${missed} of ${truthReps} reps missed; ` +
    `depth error (reported − true) median ${cm(50)}, p10 ${cm(10)}, p90 ${cm(90)}`,
);
