/**
 * Which signal could time the stopping-depth cue? Measured on the broadened simulator's tuning seeds, for the
 * choice documented in docs/SENSING.md §15 ("What was measured for the cue and dropped"):
 *
 * - the cue the pipeline gives (live integrated depth): |cue time − true crossing|;
 * - an angle-based depth: per lifter, depth against the pelvis's forward tilt over the upper descent, fitted by
 *   least squares on the earlier reps of the set with the TRUE depth and the tilt at the TRUE rep start as the
 *   standing reference — an upper bound on what such a pseudo-measurement could do. Reported: its error at the
 *   true crossing (cm) and the timing of a cue fired from it alone (ms, on the reps where it reaches the cutoff).
 * - the live cue's timing error by descent duration and by output rate, and for the cues whose true crossing fell
 *   inside a gap of lost packets (the gateway has no sample until the gap ends) apart from the others.
 *
 *   npx tsx scripts/eval-cue-sources.ts [group] [first set] [sets] [tuning|held-out]     (defaults: mixed 0 40 tuning)
 */
import { randomizedSetSpec, randomizedModelOptions } from '../firmware-sim/randomized-sets.ts';
import { simulateRandomizedSet } from '../gateway/sources/simulated-recording.ts';
import type { RandomizedCondition } from '../firmware-sim/randomized-sets.ts';
import { buildSquatSet } from '../firmware-sim/model/index.ts';
import { randomizedSeed, randomizedCutoff } from './accuracy/randomized-evaluation.ts';
import { analyzeSamples } from '../gateway/sensing/analyze-samples.ts';
import type { CueEvent, LiveFrame } from '../gateway/sensing/events.ts';
import { trueDepthFunction, trueCutoffCrossings } from './accuracy/true-crossing.ts';
import { RECORDING_CLOCK_OFFSET_S } from './accuracy/evaluation-sets.ts';

const group = (process.argv[2] ?? 'mixed') as RandomizedCondition;
const first = Number(process.argv[3] ?? 0);
const sets = Number(process.argv[4] ?? 40);
const range = process.argv[5] === 'held-out' ? 'held-out' : 'tuning';

const angleCueMs: number[] = [];
const liveCueMs: number[] = [];
const angleDepthErrorCm: number[] = [];
const liveByDescent = new Map<string, number[]>();
const liveByRate = new Map<string, number[]>();
/** Live cues whose true crossing fell inside a gap of lost packets (no sample until the gap ended), and the rest. */
const crossingInGapMs: number[] = [];
const crossingSeenMs: number[] = [];

for (let k = first; k < first + sets; k++) {
  const spec = randomizedSetSpec(randomizedSeed(range, group, k), group);
  const recording = simulateRandomizedSet(spec);
  const cutoff = randomizedCutoff(recording.truth.reps.map((r) => r.depth_cm));
  const events = analyzeSamples(recording.sensors, recording.samples, { cutoffCm: cutoff, live: true });
  const model = buildSquatSet({ ...randomizedModelOptions(spec), profile: spec.profile, seed: spec.seed, reps: spec.reps, sensors: spec.sensors });
  const crossings = trueCutoffCrossings(model, cutoff);
  const frames = events
    .filter((e): e is LiveFrame => e.type === 'live' && e.pelvic_tilt_deg !== null)
    .map((e) => ({ t: e.t - RECORDING_CLOCK_OFFSET_S, tilt: e.pelvic_tilt_deg! }));
  const cues = events.filter((e): e is CueEvent => e.type === 'cue').map((e) => e.t - RECORDING_CLOCK_OFFSET_S);
  // The depth sensor's sample times (recording clock less the offset), to tell crossings inside a gap.
  const depthSensor = recording.sensors.find((x) => x.placement === 'sacrum') ?? recording.sensors[0];
  const times = recording.samples.filter((x) => x.sensor === depthSensor.id).map((x) => x.t - RECORDING_CLOCK_OFFSET_S);
  const inGap = (t: number): boolean => {
    let k = times.findIndex((x) => x > t);
    if (k <= 0) return false;
    return times[k] - times[k - 1] > 1.5 / spec.rateHz;
  };
  // Least-squares sums of depth = slope · tilt + offset over the earlier reps.
  let sxx = 0, sxy = 0, sx = 0, sy = 0, n = 0;
  recording.truth.reps.forEach((rep, i) => {
    const depthAt = trueDepthFunction(model, rep.t_start);
    const descent = frames.filter((f) => f.t >= rep.t_start && f.t <= rep.t_bottom);
    if (descent.length < 5) return;
    const reference = descent[0].tilt;
    const crossing = crossings[i];
    if (crossing !== null) {
      const cue = cues.find((c) => c >= rep.t_start && c <= rep.t_end);
      if (cue !== undefined) {
        liveCueMs.push((cue - crossing) * 1000);
        (inGap(crossing) ? crossingInGapMs : crossingSeenMs).push((cue - crossing) * 1000);
        const d = spec.repTempos[i].descentS;
        const key = d < 1.5 ? 'descent < 1.5 s' : d < 2.5 ? 'descent 1.5–2.5 s' : d < 3.25 ? 'descent 2.5–3.25 s' : 'descent ≥ 3.25 s';
        liveByDescent.set(key, [...(liveByDescent.get(key) ?? []), (cue - crossing) * 1000]);
        const rate = `${String(spec.rateHz).padStart(3)} Hz`;
        liveByRate.set(rate, [...(liveByRate.get(rate) ?? []), (cue - crossing) * 1000]);
      }
      if (n > 50) {
        const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        const offset = (sy - slope * sx) / n;
        const hit = descent.find((f) => slope * (f.tilt - reference) + offset >= cutoff);
        if (hit) angleCueMs.push((hit.t - crossing) * 1000);
        const nearest = descent.reduce((a, b) => (Math.abs(b.t - crossing) < Math.abs(a.t - crossing) ? b : a));
        angleDepthErrorCm.push(slope * (nearest.tilt - reference) + offset - cutoff);
      }
    }
    for (const f of descent) {
      const depth = depthAt(f.t);
      if (depth < 3 || depth > cutoff + 5) continue;
      const x = f.tilt - reference;
      sxx += x * x;
      sxy += x * depth;
      sx += x;
      sy += depth;
      n++;
    }
  });
}

function summary(values: readonly number[], unit: string): string {
  if (values.length === 0) return 'n 0';
  const abs = values.map(Math.abs).sort((a, b) => a - b);
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number): string => sorted[Math.floor(p * (sorted.length - 1))].toFixed(0);
  return (
    `n ${values.length}, p90 |error| ${abs[Math.floor(0.9 * (abs.length - 1))].toFixed(0)} ${unit}, median ${q(0.5)} ${unit}` +
    ` (signed p5/p10/p25/p75/p90/p95: ${q(0.05)}/${q(0.1)}/${q(0.25)}/${q(0.75)}/${q(0.9)}/${q(0.95)})`
  );
}

console.log(`${group}, ${range} sets ${first}–${first + sets - 1}`);
console.log(`live cue (the pipeline's):              ${summary(liveCueMs, 'ms')}`);
console.log(`cue from the angle-based depth alone:   ${summary(angleCueMs, 'ms')}`);
console.log(`angle-based depth at the true crossing: ${summary(angleDepthErrorCm, 'cm')}`);
for (const [key, values] of [...liveByDescent].sort()) console.log(`live cue, ${key.padEnd(20)} ${summary(values, 'ms')}`);
for (const [key, values] of [...liveByRate].sort()) console.log(`live cue, ${key.padEnd(20)} ${summary(values, 'ms')}`);
console.log(`live cue, true crossing inside a gap of lost packets: ${summary(crossingInGapMs, 'ms')}`);
console.log(`live cue, all others:                                 ${summary(crossingSeenMs, 'ms')}`);
