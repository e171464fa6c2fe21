/**
 * docs/ACCURACY.md from an accuracy run, and the compact summary printed on stdout.
 */
import type { DesignSummary, SeedRange } from './evaluation-sets.ts';
import { HELD_OUT_SEED_BASE, RECORDING_CLOCK_OFFSET_S, TUNING_SEED_COUNT } from './evaluation-sets.ts';
import type { BroadOrientationResult } from './orientation-broad.ts';
import type { AccuracyMetrics, MeanAbsError, Ratio, SetScore, WorstCases, WorstList } from './scoring.ts';
import { CUE_DEPTH_MARGIN_CM, CUE_TIME_TOLERANCE_S, WINK_EXCLUSION_BAND_DEG } from './scoring.ts';
import { BROAD_MAX_MEAN_RMSE_DEG } from './targets.ts';
import type { TargetCheck } from './targets.ts';

export interface AccuracyRun {
  /** ISO date of the run. */
  readonly date: string;
  readonly command: string;
  readonly range: SeedRange;
  readonly runTimeS: number;
  readonly design: DesignSummary;
  readonly overall: AccuracyMetrics;
  readonly checks: readonly TargetCheck[];
  readonly breakdowns: readonly { readonly title: string; readonly groups: readonly { readonly label: string; readonly metrics: AccuracyMetrics }[] }[];
  readonly worst: WorstCases;
  readonly sets: readonly SetScore[];
  readonly broad: BroadOrientationResult | null;
  readonly broadCheck: TargetCheck | null;
  /** Sets the pipeline threw on: seed and message. */
  readonly failures: readonly { readonly seed: number; readonly message: string }[];
  /**
   * What the sections after this report miss (the broadened simulator's groups, the real recordings' checks;
   * reported only, they do not fail the command): named in the first result line so that it cannot be read as
   * "everything passes". Absent when those sections are not part of the report.
   */
  readonly reportedOnlyMisses?: readonly string[];
}

export const share = (r: Ratio): string => (r.value === null ? '–' : r.value.toFixed(3));
export const mae = (e: MeanAbsError): string => (e.value === null ? '–' : e.value.toFixed(2) + (e.missing > 0 ? ` (${e.missing} null)` : ''));
export const ms = (s: number | null): string => (s === null ? '–' : (s * 1000).toFixed(0));
const signedCm = (v: number | null): string => (v === null ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(2)}`);
const counts = (c: Readonly<Record<string, number>>): string =>
  Object.entries(c)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function breakdownTable(groups: readonly { readonly label: string; readonly metrics: AccuracyMetrics }[]): string {
  return table(
    ['Group', 'Sets', 'Rep recall', 'Rep precision', 'Depth MAE cm', 'Flexion MAE °', 'Wink F1', 'Onset MAE cm',
      'Tilt class', 'Lordosis MAE °', 'Sacral MAE °', 'Suggestion in band', 'Cue recall', 'Cue precision', 'Cue ≤ 80 ms', 'Cue median ms', 'Cue p90 |err| ms'],
    groups.map(({ label, metrics: m }) => [
      label,
      String(m.sets),
      share(m.repRecall),
      share(m.repPrecision),
      mae(m.depthMaeCm),
      mae(m.lumbarFlexionMaeDeg),
      m.winkF1.value === null ? '–' : m.winkF1.value.toFixed(3),
      mae(m.winkOnsetMaeCm),
      share(m.tiltAccuracy),
      mae(m.standingLordosisMaeDeg),
      mae(m.sacralInclinationMaeDeg),
      share(m.suggestionInBand),
      share(m.cueRecall),
      share(m.cuePrecision),
      share(m.cueTiming.withinTolerance),
      ms(m.cueTiming.medianS),
      ms(m.cueTiming.p90AbsS),
    ]),
  );
}

export function worstList(title: string, list: WorstList): string {
  if (list.total === 0) return `**${title}:** none.`;
  const shown = list.rows.length < list.total ? ` (worst ${list.rows.length} of ${list.total})` : ` (${list.total})`;
  const items = list.rows.map(
    (r) => `- seed ${r.seed} (${r.sensors === 'both' ? 'two sensors' : 'one sensor'}, ${r.rateHz} Hz)` +
      `${r.rep === null ? '' : `, rep ${r.rep}`}: ${r.what}`,
  );
  return [`**${title}${shown}:**`, '', ...items].join('\n');
}

function seedRangeText(run: AccuracyRun): string {
  const [first, last] = run.design.seeds;
  return run.range === 'held-out'
    ? `held-out seeds ${first}–${last} (HELD_OUT_SEED_BASE ${HELD_OUT_SEED_BASE} + k; never used while tuning)`
    : `TUNING seeds ${first}–${last} (the range developers tune on, 1–${TUNING_SEED_COUNT}: not a held-out result)`;
}

/** The first result line's scope: what it covers, and what the reported-only sections below miss. */
function resultScope(run: AccuracyRun): string {
  const misses = run.reportedOnlyMisses;
  if (misses === undefined) return '';
  const scope = ' on the original simulator and BROAD';
  return misses.length === 0 ? `${scope}, and on the broadened simulator and the real recordings too` : `${scope}; reported only, not met: ${misses.join(', ')}`;
}

export function renderAccuracyReport(run: AccuracyRun): string {
  const d = run.design;
  const allChecks = run.broadCheck === null ? run.checks : [...run.checks, run.broadCheck];
  const failed = allChecks.filter((c) => !c.pass);
  const parts: string[] = [];
  parts.push(`# Sensing accuracy

Generated ${run.date} by \`${run.command}\` (run time ${run.runTimeS.toFixed(0)} s on the build machine: every section below).
Regenerate with \`npm run accuracy\` (= \`npx tsx scripts/accuracy.ts\`); \`--sets N\` changes the number of sets,
\`--tuning\` scores the tuning seeds instead (printed only, unless \`--out FILE\` is given). The command exits
with 1 when any target fails, so it doubles as a check.

**Result: ${failed.length === 0 ? 'every target passes' : `${failed.length} of ${allChecks.length} targets fail (${failed.map((c) => c.metric).join('; ')})`}${resultScope(run)}.**`);

  parts.push(`## Evaluation design

- ${d.sets} simulated sets, ${seedRangeText(run)}; ${d.durationS.toFixed(0)} s of recording in all.
- Athlete per set: \`profileFromSeed(seed)\` (random posture, depth 25–55 cm, winker or not, tempo, pauses,
  sway, fidget rate, anthropometry). Standing posture classes (truth): ${counts(d.postures)}.
- Sensors alternate per set: ${counts(d.sensors)}. Rate alternates every two sets: ${counts(d.ratesHz)}.
- Whole chain of \`simulateRecording\`: squat model with sensor errors → firmware (own drifting clock, int16,
  BLE frames) → link with 3 % burst loss (mean burst 3, latency 7.5–30 ms) → gateway ingest. Frames lost:
  ${(100 * d.frameLossShare).toFixed(1)} %.
- ${d.reps} reps (6–8 per set), of which ${d.partialReps} partial (55–68 % of the athlete's depth, 2 per set, at
  random positions) so that the depth cue is scored on both sides of the cutoff; ${d.winkingReps} reps wink in truth.
  Non-rep movements in truth: ${counts(d.movements)}.
- Cue cutoff per set: halfway between the deepest partial rep and the shallowest full rep (true depths), range
  ${d.cutoffCm[0].toFixed(1)}–${d.cutoffCm[1].toFixed(1)} cm. Reps by true depth: ${d.repsVersusCutoff.past} at least ${CUE_DEPTH_MARGIN_CM} cm past
  their cutoff, ${d.repsVersusCutoff.short} at least ${CUE_DEPTH_MARGIN_CM} cm short of it, ${d.repsVersusCutoff.near} within ±${CUE_DEPTH_MARGIN_CM} cm (cues not scored).
  Wink threshold 10°.`);

  parts.push(`## Scoring

- Truth is on true time; the recording clock reads ${(RECORDING_CLOCK_OFFSET_S * 1000).toFixed(1)} ms later (the
  link's minimum latency), so truth times are shifted by that before any comparison.
- A detected rep matches the truth rep whose [t_start, t_end] contains its t_bottom, one to one (if two detected
  reps fall in one truth rep, the bottom nearest the true bottom matches and the other is a false rep). Recall =
  matched / truth reps; precision = matched / detected reps, so reps detected during walk-outs, re-racks or
  fidgets count against it.
- Depth, lumbar flexion max (two-sensor sets), wink onset depth (reps that winked in both truth and detection):
  MAE over matched reps. A null where the truth has a value is reported as missing and fails the target.
- Butt wink F1 over matched reps, leaving out reps whose true \`wink_deg\` is within ±${WINK_EXCLUSION_BAND_DEG}° of the threshold.
- Tilt class: the session's \`pelvic_tilt\` vs the truth's, per set. Standing lordosis (two-sensor sets) and
  sacral inclination: per-set MAE against the truth's quiet-standing means.
- Cues: a cue belongs to the truth rep containing its time. Recall over truth reps ≥ cutoff + ${CUE_DEPTH_MARGIN_CM} cm (cued or
  not); precision over cues in reps ≥ cutoff + ${CUE_DEPTH_MARGIN_CM} cm (the first cue is a hit) or ≤ cutoff − ${CUE_DEPTH_MARGIN_CM} cm (false), plus
  cues outside every rep and second cues in a rep (false); cues in reps within ±${CUE_DEPTH_MARGIN_CM} cm are not scored.
- Cue timing error = cue t − true crossing, where the true crossing is the first instant of the rep's descent at
  which the noise-free depth (model sensor height below its mean over the 0.5 s before the rep, 1 ms grid,
  interpolated) reaches the cutoff. Target: ${(CUE_TIME_TOLERANCE_S * 1000).toFixed(0)} ms for 90 % of cues.`);

  parts.push(`## Results

${table(['Metric', 'Measured', 'Target', 'Result'], allChecks.map((c) => [c.metric, c.measured, c.target, c.pass ? 'pass' : '**FAIL**']))}

Cue timing: median error ${ms(run.overall.cueTiming.medianS)} ms (positive = late), p90 of |error|
${ms(run.overall.cueTiming.p90AbsS)} ms over ${run.overall.cueTiming.n} timed cues.
Diagnostic for the cue: the causal (live) depth's peak inside each rep ≥ cutoff + 2 cm differs from the true depth
by ${signedCm(run.overall.causalPeakBiasCm)} cm on average (MAE ${mae(run.overall.causalPeakMaeCm)} cm, n = ${run.overall.causalPeakMaeCm.n}).`);

  if (run.failures.length > 0) {
    parts.push(`## Sets the pipeline failed on

${run.failures.map((f) => `- seed ${f.seed}: ${f.message}`).join('\n')}`);
  }

  parts.push(`## Breakdown

${run.breakdowns.map((b) => `### ${b.title}\n\n${breakdownTable(b.groups)}`).join('\n\n')}`);

  const w = run.worst;
  parts.push(`## Worst cases (for tuning)

${worstList('Depth', w.depth)}

${worstList('Lumbar flexion max', w.lumbarFlexion)}

${worstList('Butt wink misclassified (outside the exclusion band)', w.wink)}

${worstList('Cue timing', w.cueTiming)}

${worstList('Missed reps', w.missedReps)}

${worstList('False reps', w.falseReps)}

${worstList('False or missing cues', w.falseOrMissedCues)}`);

  parts.push(`## Per set

${table(
  ['Seed', 'Sensors', 'Rate', 'Tilt (truth → detected)', 'Reps matched/truth', 'False reps', 'Cutoff cm', 'Cued/targets', 'False cues'],
  run.sets.map((s) => [
    String(s.label.seed),
    s.label.sensors === 'both' ? 'two' : 'one',
    `${s.label.rateHz} Hz`,
    `${s.truthTilt} → ${s.detectedTilt ?? 'null'}`,
    `${s.matches.length}/${s.truthRepCount}`,
    String(s.falseReps.length),
    s.cutoffCm.toFixed(1),
    `${s.cueTargets.filter((c) => c.cued).length}/${s.cueTargets.length}`,
    String(s.cues.filter((c) => c.verdict === 'false').length),
  ]),
)}`);

  if (run.broad !== null) {
    const b = run.broad;
    parts.push(`## Orientation (BROAD)

The sensing core's orientation filter, run causally over the ${b.trials.length} BROAD trials in ../shared/data/broad
(real IMU, optical truth). Inclination RMSE over the scored movement samples with valid truth (data README);
VQF's figures from the same README. \`npx tsx scripts/eval-broad.ts\` adds Madgwick as a baseline. Target (the
issue's): mean ≤ ${BROAD_MAX_MEAN_RMSE_DEG}° (VQF 0.73°, Madgwick 2.40°).

${table(
  ['Trial', 'Filter RMSE °', 'VQF RMSE °'],
  [...b.trials.map((t) => [t.name, t.rmseDeg.toFixed(3), t.vqfDeg.toFixed(2)]), ['**mean**', b.meanDeg.toFixed(3), b.vqfMeanDeg.toFixed(3)]],
)}`);
  }
  return parts.join('\n\n') + '\n';
}

/** A few lines for stdout: each target with its verdict. */
export function renderSummary(run: AccuracyRun): string {
  const checks = run.broadCheck === null ? run.checks : [...run.checks, run.broadCheck];
  const width = Math.max(...checks.map((c) => c.metric.length));
  const lines = checks.map((c) => `${c.pass ? 'pass' : 'FAIL'}  ${c.metric.padEnd(width)}  ${c.measured}  (target ${c.target})`);
  const [first, last] = run.design.seeds;
  return [
    `squatmon accuracy — ${run.design.sets} sets, ${run.range} seeds ${first}–${last}, ${run.design.reps} reps; run time ${run.runTimeS.toFixed(1)} s`,
    `postures (truth): ${counts(run.design.postures)}`,
    ...lines,
    ...run.failures.map((f) => `pipeline error on seed ${f.seed}: ${f.message}`),
  ].join('\n');
}
