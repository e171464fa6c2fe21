/**
 * The ACCURACY.md sections of the broadened simulator (randomised sets, per condition group) and of the real
 * recordings, and their lines for stdout. Reuses the table helpers of report.ts.
 */
import { RANDOMIZED_CONDITIONS } from '../../firmware-sim/randomized-sets.ts';
import type { RandomizedEvaluation, RandomizedGroupResult } from './randomized-evaluation.ts';
import {
  RANDOMIZED_CUTOFF_SHARE,
  RANDOMIZED_HELD_OUT_SEED_BASE,
  RANDOMIZED_SEEDS_PER_CONDITION,
  RANDOMIZED_TUNING_SEED_BASE,
} from './randomized-evaluation.ts';
import type { RealsquatCheck, RealsquatGroup, RealsquatResult } from './realsquat.ts';
import { REALSQUAT_DEPTH_MARGIN_CM } from './realsquat.ts';
import type { PerturbedRealsquat } from './realsquat-perturbations.ts';
import { mae, ms, share, table, worstList } from './report.ts';
import { worstCases } from './scoring.ts';

const WORST_LISTED = 8;

function failedNames(g: RandomizedGroupResult): string[] {
  return g.checks.filter((c) => !c.pass).map((c) => c.metric);
}

export function renderRandomizedSection(ev: RandomizedEvaluation, strict: boolean): string {
  const rows = ev.groups.map((g) => {
    const m = g.metrics;
    const reps = g.sets.reduce((n, s) => n + (s.score?.truthRepCount ?? 0), 0);
    const failed = failedNames(g);
    return [
      g.condition === 'all' ? '**all**' : g.condition,
      String(g.sets.length),
      String(reps),
      share(m.repRecall),
      share(m.repPrecision),
      mae(m.depthMaeCm),
      mae(m.lumbarFlexionMaeDeg),
      share(m.tiltAccuracy),
      mae(m.standingLordosisMaeDeg),
      mae(m.sacralInclinationMaeDeg),
      m.winkF1.value === null ? '–' : m.winkF1.value.toFixed(3),
      share(m.suggestionInBand),
      share(m.cueRecall),
      share(m.cuePrecision),
      ms(m.cueTiming.medianS),
      ms(m.cueTiming.p90AbsS),
      // Metric names contain `|dt|`: escape the pipes inside a Markdown table cell.
      failed.length === 0 ? 'pass' : `**FAIL** (${failed.length}: ${failed.join(', ').replace(/\|/g, '\\|')})`,
    ];
  });
  const failing = ev.groups.filter((g) => failedNames(g).length > 0).map((g) => g.condition);
  const base = ev.range === 'tuning' ? RANDOMIZED_TUNING_SEED_BASE : RANDOMIZED_HELD_OUT_SEED_BASE;
  const seedRows = ev.groups
    .filter((g) => g.seeds !== null)
    .map((g) => [g.condition, `${g.seeds![0]}–${g.seeds![1]}`]);
  const all = ev.groups.flatMap((g) => (g.condition === 'all' && ev.groups.length > 1 ? [] : g.sets));
  const worst = worstCases(all.flatMap((s) => (s.score === null ? [] : [s.score])), WORST_LISTED);
  const crashes = all.filter((s) => s.error !== null);
  return `## Broadened simulator (domain-randomised sets, ${ev.range} seeds)

Sets from \`randomizedSetSpec(seed, condition)\` ([SIMULATOR.md §11](SIMULATOR.md#11-randomised-sets-domain-randomisation)),
${ev.setsPerGroup} per condition group, ${ev.range === 'held-out' ? 'held-out seeds (never used while tuning)' : 'TUNING seeds (not a held-out result)'}:
condition c, set k has seed ${base} + ${RANDOMIZED_SEEDS_PER_CONDITION}·c + k (c in the order
${RANDOMIZED_CONDITIONS.join(', ')}); the tuning range starts at ${RANDOMIZED_TUNING_SEED_BASE}, scored by \`--tuning\`.
Each group pushes its own factor to the extreme and draws the rest from moderate defaults; \`mixed\` draws
everything at once. Scoring as above (same functions), with: cue cutoff ${RANDOMIZED_CUTOFF_SHARE} × the median true depth of the
set's reps ≥ 25 cm; reps of a mid-set start that began before the recording (their standing height was never
seen) or crossed the cutoff within 0.3 s of its start are not cue targets; a metric with nothing to score in a group (flexion with one-sensor sets only, no winking rep) is
\`–\` and does not fail. Run time ${ev.runTimeS.toFixed(0)} s. \`--sets-per-group N\` changes the number of sets;
\`--group NAME\` scores one group alone for a quick look (printed only, unless \`--out FILE\`); \`--tuning --first-set K\`
scores tuning-range sets from index K on — sets never tuned on, to confirm a change before it lands.

Targets per group: recall and precision ≥ 0.99, depth MAE ≤ 2 cm, flexion MAE ≤ 2°, tilt class ≥ 0.95, lordosis
and sacral MAE ≤ 3°, wink F1 ≥ 0.95, cue recall and precision ≥ 0.97, cue |dt| p90 ≤ 80 ms, median within ±20 ms.
${strict ? 'They fail the exit code (`--strict-broad`).' : 'Reported only: they fail the exit code only with `--strict-broad` while the sensing core is being rebuilt.'}

**Result: ${failing.length === 0 ? 'every group passes' : `${failing.length} of ${ev.groups.length} rows fail (${failing.join(', ')})`}.**

${table(
  ['Group', 'Sets', 'Reps', 'Rep recall', 'Rep precision', 'Depth MAE cm', 'Flexion MAE °', 'Tilt class', 'Lordosis MAE °',
    'Sacral MAE °', 'Wink F1', 'Suggestion in band', 'Cue recall', 'Cue precision', 'Cue median ms', 'Cue p90 \\|dt\\| ms', 'Targets'],
  rows,
)}

Seeds per group:

${table(['Group', 'Seeds'], seedRows)}
${crashes.length === 0 ? '' : `\nThe pipeline threw on ${crashes.length} sets:\n\n${crashes.map((s) => `- ${s.spec.condition} seed ${s.spec.seed}: ${s.error}`).join('\n')}\n`}
### Worst cases of the broadened sets (for tuning)

${worstList('Missed reps', worst.missedReps)}

${worstList('False reps', worst.falseReps)}

${worstList('Depth', worst.depth)}

${worstList('Cue timing', worst.cueTiming)}
`;
}

function realGroupRows(groups: readonly RealsquatGroup[]): string[][] {
  return groups.map((g) => [g.label, String(g.files), share(g.recall), `${g.recall.hits}/${g.recall.total}`, share(g.precision), `${g.precision.hits}/${g.precision.total}`]);
}

const num = (v: number | null, digits = 1): string => (v === null ? '–' : v.toFixed(digits));

export function renderRealsquatSection(r: RealsquatResult | null, checks: readonly RealsquatCheck[], strict: boolean, absentMessage: string): string {
  if (r === null) return `## Real recordings (realsquat)\n\n${absentMessage}.\n`;
  const failed = checks.filter((c) => !c.pass);
  const anyFace = r.files.some((f) => Object.values(f.faces).some((v) => v !== null));
  return `## Real recordings (realsquat)

${r.files.length} real recordings in ../shared/data/realsquat (MPU-6050 on the lower back, ~110 Hz, 3 people, touch-and-go,
little or no standing at the start, mounting face unknown; see that folder's README), read at run time and run
through \`analyzeSamples\` with each file's sensors. A hand-labelled rep window (\`rep_times\`) is **found** when exactly
one detected rep not yet matched has its \`t_bottom\` inside it (greedy, in time order, one rep per window).
Recall = windows found / windows; precision = matched reps / detected reps. There is no depth or angle truth, so
depth and wink are checked only as orderings per person. Run time ${r.runTimeS.toFixed(1)} s.
Targets: recall ≥ 0.97, precision ≥ 0.97, per person correct deeper than partial by > ${REALSQUAT_DEPTH_MARGIN_CM} cm and buttwink winking
more than correct. ${strict ? 'They fail the exit code (`--strict-broad`).' : 'Reported only (they fail the exit code only with `--strict-broad` for now).'}

**Result: ${failed.length === 0 ? 'every target passes' : `${failed.length} of ${checks.length} targets fail`}.**

${table(['Metric', 'Measured', 'Target', 'Result'], checks.map((c) => [c.metric, c.measured, c.target, c.pass ? 'pass' : '**FAIL**']))}

### By person and form class

${table(['Group', 'Files', 'Recall', 'Windows found', 'Precision', 'Matched / detected'], [
  ...realGroupRows([r.overall]),
  ...realGroupRows(r.bySubject),
  ...realGroupRows(r.byForm),
])}

### Depth and wink per person (means over detected reps)

${table(
  ['Person', 'Depth correct cm', 'Depth partial cm', `Correct deeper by > ${REALSQUAT_DEPTH_MARGIN_CM} cm`, 'Wink buttwink °', 'Wink correct °', 'Buttwink larger'],
  r.depthOrdering.map((d, i) => {
    const w = r.winkOrdering[i];
    return [`s${d.subject}`, num(d.a), num(d.b), d.pass ? 'yes' : '**no**', num(w.a), num(w.b), w.pass ? 'yes' : '**no**'];
  }),
)}

### Per file

${table(
  ['File', 'Windows found', 'Detected reps', 'Mean depth cm', 'Mean wink °', 'Face', 'Tilt class'],
  r.files.map((f) => [
    f.name,
    `${f.windowsFound}/${f.windows}`,
    String(f.detectedReps),
    num(f.meanDepthCm),
    num(f.meanWinkDeg),
    Object.entries(f.faces).map(([id, face]) => `${id} ${face ?? '–'}`).join(', ') || '–',
    f.error === null ? (f.pelvicTilt ?? 'null') : `error: ${f.error}`,
  ]),
)}
${anyFace ? '' : '\nNo session reported a sensor face yet (`sensors[].face`, docs/INTERFACES.md §1 v1.1), so the face column is empty.\n'}`;
}

/** Rows of the perturbed real recordings: recall and precision, the windows under way at the first sample, orderings. */
function perturbedRows(perturbed: readonly PerturbedRealsquat[]): string[][] {
  return perturbed.map((p) => {
    const r = p.result;
    const orderings = [...r.depthOrdering, ...r.winkOrdering];
    const passed = orderings.filter((o) => o.pass).length;
    const later = r.overall.recall.total - p.windowsBegunBefore;
    const laterFound = r.overall.recall.hits - p.windowsBegunBeforeFound;
    return [
      p.perturbation.id,
      p.perturbation.description,
      `${share(r.overall.recall)} (${r.overall.recall.hits}/${r.overall.recall.total})`,
      p.windowsBegunBefore === 0 ? '–' : `${laterFound}/${later} after, ${p.windowsBegunBeforeFound}/${p.windowsBegunBefore} under way`,
      `${share(r.overall.precision)} (${r.overall.precision.hits}/${r.overall.precision.total})`,
      `${passed}/${orderings.length}`,
    ];
  });
}

/**
 * The real recordings under the perturbations of realsquat-perturbations.ts: a check of generalisation, reported
 * only (no target of its own).
 */
export function renderPerturbedRealsquatSection(perturbed: readonly PerturbedRealsquat[] | null, absentMessage: string): string {
  if (perturbed === null) return `### Real recordings, perturbed\n\n${absentMessage}.\n`;
  return `### Real recordings, perturbed

The same recordings changed in the ways a user's setup can differ from theirs (scripts/accuracy/realsquat-perturbations.ts,
seeded per file, in memory only): real movement with the simulator's kinds of trouble on top. Reported only; the
targets above apply to the recordings as they are. "Windows" splits the recall of a cut recording into the windows
that begin after its first sample and those already under way there (a rep whose start the samples never saw).
The orderings are the six per-person checks above (correct deeper than partial, buttwink winking more than correct).

${table(['Perturbation', 'What', 'Recall', 'Windows', 'Precision', 'Orderings'], perturbedRows(perturbed))}
`;
}

/** stdout lines for the broadened groups and the real recordings. */
export function renderBroadenedSummary(ev: RandomizedEvaluation | null, real: RealsquatResult | null, realChecks: readonly RealsquatCheck[], absentMessage: string): string {
  const lines: string[] = [];
  if (ev !== null) {
    lines.push(`broadened simulator (${ev.range} seeds, ${ev.setsPerGroup} sets per group, ${ev.runTimeS.toFixed(1)} s):`);
    for (const g of ev.groups) {
      const m = g.metrics;
      const failed = failedNames(g);
      lines.push(
        `  ${failed.length === 0 ? 'pass' : 'FAIL'}  ${g.condition.padEnd(14)} recall ${share(m.repRecall)} precision ${share(m.repPrecision)} ` +
          `depth ${mae(m.depthMaeCm)} cm, cue recall ${share(m.cueRecall)} p90 ${ms(m.cueTiming.p90AbsS)} ms` +
          (failed.length === 0 ? '' : `  [${failed.join(', ')}]`),
      );
    }
  }
  if (real === null) lines.push(absentMessage);
  else {
    lines.push(`real recordings (${real.files.length} files, ${real.runTimeS.toFixed(1)} s):`);
    for (const c of realChecks) lines.push(`  ${c.pass ? 'pass' : 'FAIL'}  ${c.metric}: ${c.measured} (target ${c.target})`);
  }
  return lines.join('\n');
}
