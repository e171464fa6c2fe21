/**
 * Quick per-file look at the sensing core on the real recordings of ../shared/data/realsquat, for tuning:
 * windows found / total, detected reps, mean depth and wink, the face the session reports, tilt class.
 * Same loading and scoring as the accuracy report (scripts/accuracy/realsquat.ts).
 *
 *   npx tsx scripts/eval-realsquat.ts [data directory] [--filter TEXT]
 *   npx tsx scripts/eval-realsquat.ts [data directory] --perturb [ID,ID…]   (the perturbed table only;
 *     ids from scripts/accuracy/realsquat-perturbations.ts, all by default)
 */
import { resolve } from 'node:path';
import { REALSQUAT_DIR, checkRealsquatTargets, evaluateRealsquat, realsquatAbsentMessage } from './accuracy/realsquat.ts';
import type { RealsquatFileResult } from './accuracy/realsquat.ts';
import { evaluatePerturbedRealsquat } from './accuracy/realsquat-perturbations.ts';
import { renderPerturbedRealsquatSection } from './accuracy/broadened-report.ts';

const argv = process.argv.slice(2);
const filterAt = argv.indexOf('--filter');
const filter = filterAt >= 0 ? argv.splice(filterAt, 2)[1] ?? '' : '';
const perturbAt = argv.indexOf('--perturb');
const perturb = perturbAt >= 0 ? argv.splice(perturbAt, 2)[1] ?? '' : null;
const dir = resolve(argv[0] ?? REALSQUAT_DIR);

if (perturb !== null) {
  const ids = perturb.split(',').filter((id) => id !== '');
  console.log(renderPerturbedRealsquatSection(await evaluatePerturbedRealsquat(dir, ids), realsquatAbsentMessage(dir)));
  process.exit(0);
}

const num = (v: number | null): string => (v === null ? '–' : v.toFixed(1)).padStart(8);
const row = (f: RealsquatFileResult): string =>
  `${f.name.padEnd(26)}${`${f.windowsFound}/${f.windows}`.padStart(8)}${String(f.detectedReps).padStart(6)}${num(f.meanDepthCm)}${num(f.meanWinkDeg)}  ` +
  `${(Object.entries(f.faces).map(([id, face]) => `${id}:${face ?? '–'}`).join(',') || '–').padEnd(10)}${f.error === null ? (f.pelvicTilt ?? 'null') : `error: ${f.error}`}`;

console.log(`${'file'.padEnd(26)}${'windows'.padStart(8)}${'reps'.padStart(6)}${'depth'.padStart(8)}${'wink'.padStart(8)}  ${'face'.padEnd(10)}tilt`);
const result = await evaluateRealsquat(dir, (f) => {
  if (f.name.includes(filter)) console.log(row(f));
});
if (result === null) {
  console.log(realsquatAbsentMessage(dir));
} else {
  console.log('');
  for (const c of checkRealsquatTargets(result)) console.log(`${c.pass ? 'pass' : 'FAIL'}  ${c.metric}: ${c.measured} (target ${c.target})`);
  console.log(`${result.files.length} files in ${result.runTimeS.toFixed(1)} s`);
}
