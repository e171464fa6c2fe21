/**
 * A probe the broadened simulator's groups do not cover: a touch-and-go set (no rest anywhere) that the
 * samples join some reps in — a connection made while the lifter is already squatting. Each set of the
 * `touch-and-go` group (tuning seeds) is cut 30 % into the descent of its third rep; the reps that start after
 * the cut should be found, and the face of the depth sensor told right. Compare: the same sets uncut.
 *
 *   npx tsx scripts/eval-joined-mid-set.ts [sets, default 40]
 */
import { randomizedSetSpec } from '../firmware-sim/randomized-sets.ts';
import { simulateRandomizedSet } from '../gateway/sources/simulated-recording.ts';
import { analyzeSamples } from '../gateway/sensing/analyze-samples.ts';
import type { RepEvent, SensingSummary } from '../gateway/sensing/events.ts';
import { randomizedSeed } from './accuracy/randomized-evaluation.ts';
import { RECORDING_CLOCK_OFFSET_S } from './accuracy/evaluation-sets.ts';
import { matchWindows } from './accuracy/realsquat.ts';

const sets = Number(process.argv[2] ?? 40);
const JOIN_REP = 2;
const JOIN_SHARE = 0.3;

for (const joined of [false, true]) {
  let windows = 0;
  let found = 0;
  let detected = 0;
  let faceRight = 0;
  let used = 0;
  for (let k = 0; k < sets; k++) {
    const spec = randomizedSetSpec(randomizedSeed('tuning', 'touch-and-go', k), 'touch-and-go');
    const recording = simulateRandomizedSet(spec);
    const reps = recording.truth.reps;
    if (reps.length <= JOIN_REP + 2) continue;
    used++;
    const join = reps[JOIN_REP];
    const cutT = joined ? join.t_start + JOIN_SHARE * (join.t_bottom - join.t_start) : Number.NEGATIVE_INFINITY;
    const events = analyzeSamples([...recording.sensors], recording.samples.filter((s) => s.t - RECORDING_CLOCK_OFFSET_S >= cutT));
    const found_ = events.filter((e): e is RepEvent => e.type === 'rep');
    const truthWindows = reps.filter((r) => r.t_start > cutT).map((r) => [r.t_start + RECORDING_CLOCK_OFFSET_S, r.t_end + RECORDING_CLOCK_OFFSET_S] as const);
    const matches = matchWindows(truthWindows, found_);
    windows += truthWindows.length;
    found += matches.filter((m) => m !== null).length;
    detected += found_.filter((r) => r.t_start >= (truthWindows[0]?.[0] ?? 0) - 0.5).length;
    const session = events.find((e): e is SensingSummary => e.type === 'session');
    const sacrum = session?.sensors.find((s) => s.placement === 'sacrum') as { face?: string } | undefined;
    if (sacrum?.face === spec.face.sacrum) faceRight++;
  }
  console.log(
    `${joined ? `joined ${JOIN_SHARE * 100} % into rep ${JOIN_REP + 1}` : 'uncut'}: ${used} sets, reps after the join found ${found}/${windows} ` +
      `(${(found / windows).toFixed(3)}), detected from there ${detected}, sacrum face right in ${faceRight}/${used}`,
  );
}
