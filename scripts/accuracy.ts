/**
 * Accuracy of the sensing core against the simulator's ground truth, plus the orientation filter on BROAD;
 * writes docs/ACCURACY.md and exits 1 when any acceptance target fails (0 when all pass, 2 on bad usage).
 *
 *   npx tsx scripts/accuracy.ts [--sets N] [--tuning] [--out FILE]
 *
 * --sets N    number of simulated sets (default 48)
 * --tuning    score the tuning seeds instead of the held-out ones (the report is then only printed, unless --out)
 * --out FILE  where to write the report (default docs/ACCURACY.md for held-out runs)
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzeSamples } from '../gateway/sensing/analyze-samples.ts';
import { BROAD_DIR } from './broad-data.ts';
import {
  DEFAULT_SET_COUNT,
  RECORDING_CLOCK_OFFSET_S,
  evaluationSetSpecs,
  simulateEvaluationSet,
  summarizeDesign,
} from './accuracy/evaluation-sets.ts';
import type { EvaluationSet, SeedRange } from './accuracy/evaluation-sets.ts';
import { evaluateBroadOrientation } from './accuracy/orientation-broad.ts';
import { renderAccuracyReport, renderSummary } from './accuracy/report.ts';
import type { AccuracyRun } from './accuracy/report.ts';
import { CUE_DEPTH_MARGIN_CM, scoreSet, summarize, worstCases } from './accuracy/scoring.ts';
import type { SetScore } from './accuracy/scoring.ts';
import { checkBroadTarget, checkSimulatorTargets } from './accuracy/targets.ts';

const REPO = join(import.meta.dirname, '..');
const WORST_CASES_LISTED = 10;

interface Args {
  readonly sets: number;
  readonly range: SeedRange;
  readonly out: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  let sets = DEFAULT_SET_COUNT;
  let range: SeedRange = 'held-out';
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--tuning') range = 'tuning';
    else if (arg === '--sets') {
      sets = Number(argv[++i]);
      if (!Number.isInteger(sets) || sets < 1) throw new UsageError(`--sets needs a whole number ≥ 1`);
    } else if (arg === '--out') {
      out = argv[++i];
      if (out === undefined) throw new UsageError('--out needs a file name');
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  return { sets, range, out: out ?? (range === 'held-out' ? join(REPO, 'docs/ACCURACY.md') : null) };
}

class UsageError extends Error {}

function scoreEvaluationSet(set: EvaluationSet): SetScore {
  // Live frames only feed the diagnostics of missed cues (the causal depth the cue decision saw).
  const events = analyzeSamples(set.sensors, set.samples, {
    cutoffCm: set.cutoffCm,
    winkThresholdDeg: set.winkThresholdDeg,
    live: true,
  });
  return scoreSet({
    label: { seed: set.spec.seed, sensors: set.spec.sensors, rateHz: set.spec.rateHz },
    truth: set.truth,
    events,
    cutoffCm: set.cutoffCm,
    trueCrossings: set.trueCrossings,
    clockOffsetS: RECORDING_CLOCK_OFFSET_S,
    winkThresholdDeg: set.winkThresholdDeg,
  });
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`accuracy: ${e.message}\nusage: npx tsx scripts/accuracy.ts [--sets N] [--tuning] [--out FILE]\n`);
    return 2;
  }
  const started = performance.now();
  const sets: EvaluationSet[] = [];
  const scores: SetScore[] = [];
  const failures: { seed: number; message: string }[] = [];
  for (const spec of evaluationSetSpecs(args.range, args.sets)) {
    const set = simulateEvaluationSet(spec);
    sets.push(set);
    try {
      const score = scoreEvaluationSet(set);
      scores.push(score);
      process.stderr.write(
        `seed ${spec.seed} ${spec.sensors.padEnd(6)} ${spec.rateHz} Hz ${set.truth.pelvic_tilt.padEnd(9)} ` +
          `reps ${score.matches.length}/${score.truthRepCount} matched, ${score.falseReps.length} false, ` +
          `${score.cues.filter((c) => c.verdict === 'hit').length} cue hits\n`,
      );
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      failures.push({ seed: spec.seed, message });
      process.stderr.write(`seed ${spec.seed}: pipeline failed: ${message}\n`);
    }
  }
  const broad = await evaluateBroadOrientation(BROAD_DIR);
  const broadCheck = checkBroadTarget(broad);
  const runTimeS = (performance.now() - started) / 1000;

  const overall = summarize(scores);
  const group = (title: string, key: (s: SetScore) => string) => {
    const labels = [...new Set(scores.map(key))].sort();
    return { title, groups: labels.map((label) => ({ label, metrics: summarize(scores.filter((s) => key(s) === label)) })) };
  };
  const run: AccuracyRun = {
    date: new Date().toISOString().slice(0, 10),
    command: ['npx tsx scripts/accuracy.ts', ...process.argv.slice(2)].join(' '),
    range: args.range,
    runTimeS,
    design: summarizeDesign(sets, CUE_DEPTH_MARGIN_CM),
    overall,
    checks: checkSimulatorTargets(overall),
    breakdowns: [
      group('By sensors', (s) => (s.label.sensors === 'both' ? 'two sensors' : 'one sensor (sacrum)')),
      group('By rate', (s) => `${s.label.rateHz} Hz`),
      group('By standing posture (truth)', (s) => s.truthTilt),
    ],
    worst: worstCases(scores, WORST_CASES_LISTED),
    sets: scores,
    broad,
    broadCheck,
    failures,
  };
  if (args.out !== null) {
    writeFileSync(args.out, renderAccuracyReport(run));
    process.stderr.write(`wrote ${relative(process.cwd(), args.out)}\n`);
  }
  console.log(renderSummary(run));
  const failed = [...run.checks, broadCheck].filter((c) => !c.pass);
  if (failures.length > 0 || failed.length > 0) {
    console.log(`FAILED: ${[...failed.map((c) => c.metric), ...(failures.length > 0 ? [`${failures.length} sets crashed`] : [])].join('; ')}`);
    return 1;
  }
  console.log('all targets pass');
  return 0;
}

process.exitCode = await main();
