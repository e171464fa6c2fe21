/**
 * Sensing without the comfortable assumptions (contract v1.1): the sensor's face found from the movement, the
 * upright turns that anchor touch-and-go reps, and a reason when nothing is found.
 */
import { describe, expect, it } from 'vitest';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { randomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import { simulateRandomizedSet } from '../../gateway/sources/simulated-recording.ts';
import { profileByName } from '../../firmware-sim/model/index.ts';
import { analyzeSamples } from '../../gateway/sensing/analyze-samples.ts';
import type { RepEvent } from '../../gateway/sensing/events.ts';
import type { SensingSummary } from '../../gateway/sensing/events.ts';
import { FaceEstimator } from '../../gateway/sensing/face-estimator.ts';
import { UprightTurnDetector, HYSTERESIS_DEG } from '../../gateway/sensing/upright-turns.ts';
import { RepDetector } from '../../gateway/sensing/rep-detector.ts';
import { scoreRandomizedSet } from '../../scripts/accuracy/randomized-evaluation.ts';
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';

/** The same sensor clipped on the other way round: a 180° turn about its y axis (x → −x, z → −z). */
function flipFace(samples: readonly ImuSample[], sensorId: string): ImuSample[] {
  return samples.map((s) => (s.sensor === sensorId ? { ...s, ax: -s.ax, az: -s.az, gx: -s.gx, gz: -s.gz } : s));
}

function run(sensors: SensorInfo[], samples: readonly ImuSample[]) {
  const events = analyzeSamples(sensors, samples);
  return {
    reps: events.filter((e): e is RepEvent => e.type === 'rep'),
    session: events.find((e): e is SensingSummary => e.type === 'session')!,
  };
}

describe('UprightTurnDetector', () => {
  it('confirms each minimum once the signal has risen by the hysteresis, and ignores smaller wiggles', () => {
    const d = new UprightTurnDetector();
    const turns: number[] = [];
    for (let k = 0; k < 1000; k++) {
      const t = k / 100;
      // Reps every 2.5 s with a 20° range, plus a 0.5° wiggle at 7 Hz.
      const f = 10 * (1 - Math.cos((2 * Math.PI * t) / 2.5)) + 0.25 * Math.sin(2 * Math.PI * 7 * t);
      const turn = d.update(k, t, f);
      if (turn !== null) turns.push(turn.t);
    }
    expect(turns.length).toBe(4);
    turns.forEach((t, i) => expect(Math.abs(t - 2.5 * i)).toBeLessThan(0.1));
    expect(HYSTERESIS_DEG).toBeGreaterThan(0.5);
  });
});

describe('RepDetector when the face is found inside a rep', () => {
  // A face-in sensor on a sacrum inclined 30° when standing: its raw inclination is −F, with F the forward
  // inclination. Rest until 0.5 s, then a 40 cm rep of 2 s whose top at 2.5 s is an upright turn (touch-and-go,
  // no rest); the face is found at 1 s.
  const rate = 100;
  const depthAt = (t: number) => (t < 0.5 ? 0 : 40 * Math.sin((Math.PI * (t - 0.5)) / 2) ** 2);
  const forwardAt = (t: number) => 30 + 0.5 * depthAt(t);
  function topTurnEndsRep(refaceCandidate: boolean): boolean {
    const d = new RepDetector();
    const top = 2.5 * rate;
    for (let q = 0; q < top; q++) {
      const t = q / rate;
      const faceKnown = t >= 1;
      if (q === rate) {
        d.uprightTurnsFound = true;
        if (refaceCandidate) d.signChanged((k) => forwardAt(k / rate), 0, q - 1);
      }
      // Before the face is known the pipeline feeds the raw inclination (sign +1), i.e. −F.
      const inclination = faceKnown ? forwardAt(t) : -forwardAt(t);
      const v = (depthAt(t) - depthAt(t + 1 / rate)) * rate / 100;
      d.update(q, t, depthAt(t), v, t < 0.5, inclination);
    }
    return d.uprightTurn(top, 2.5, forwardAt(2.5), { atTurnCm: 0.5, deepestCm: 40, bridged: true }) !== null;
  }

  it('ends the rep at the top it turns at: the candidate inclinations are taken again with the new sign', () => {
    expect(topTurnEndsRep(true)).toBe(true);
    // Kept with the old sign, the start lies at −30° and the top at +30° looks like a lifter still bent: reps merge.
    expect(topTurnEndsRep(false)).toBe(false);
  });
});

describe('FaceEstimator', () => {
  it('says face out when the inclination rises as the hips go down, face in when it falls, and keeps a configured face', () => {
    for (const [sign, expected] of [[1, 'out'], [-1, 'in']] as const) {
      const face = new FaceEstimator();
      expect(face.face).toBeNull();
      for (let k = 0; k < 300; k++) {
        const t = k / 100;
        const v = -0.5 * Math.sin((2 * Math.PI * t) / 3); // down first, then up
        const rate = sign * 20 * Math.sin((2 * Math.PI * t) / 3); // outward θ rises while going down
        face.update(0.01, v, rate);
      }
      expect(face.face).toBe(expected);
      expect(face.sign).toBe(expected === 'in' ? -1 : 1);
    }
    const fixed = new FaceEstimator('in');
    for (let k = 0; k < 300; k++) fixed.update(0.01, -0.5, 20);
    expect(fixed.face).toBe('in');
  });

  it('is not turned round by one fast snap of the pelvis against a whole rep', () => {
    const face = new FaceEstimator();
    for (let k = 0; k < 300; k++) {
      const t = k / 100;
      face.update(0.01, -0.5 * Math.sin((2 * Math.PI * t) / 3), 20 * Math.sin((2 * Math.PI * t) / 3));
    }
    expect(face.face).toBe('out');
    // A wink released at once in a fast ascent: 16° in 60 ms (270 °/s) while rising at 1.5 m/s.
    for (let k = 0; k < 6; k++) face.update(0.01, 1.5, 270);
    expect(face.face).toBe('out');
  });
});

describe('the face of a big winker who never stands still', () => {
  it('is not decided by the snap that releases the wink as the lifter rises out of the hole', () => {
    // A randomised `mixed` set of the tuning range: touch-and-go from 0.9 s of sway on, the pelvis rolling back
    // 18° from 37 cm down and snapping forward again at 40 °/s and more as the lifter rises. Weighed at that
    // rate, the first release outweighed the first descent: face in, and 1 of the 12 reps found.
    const spec = randomizedSetSpec(2_070_493, 'mixed');
    expect(spec.touchAndGo).toBe(true);
    expect(spec.face.sacrum).toBe('out');
    const sim = simulateRandomizedSet(spec);
    const { reps, session } = run([...sim.sensors], sim.samples);
    expect(session.sensors.find((s) => s.placement === 'sacrum')!.face).toBe('out');
    expect(reps.length).toBeGreaterThanOrEqual(sim.truth.reps.length - 1);
  });
});

describe('FaceEstimator rep votes', () => {
  it('let a few reps early descents decide against the velocity evidence of a big winker, and never a configured face', () => {
    const face = new FaceEstimator();
    // Velocity evidence for face in: the pelvis of a big early winker rolls back while the hips still go down.
    for (let k = 0; k < 300; k++) face.update(0.01, -0.5, -20);
    expect(face.face).toBe('in');
    // Reps whose raw inclination rose over their first centimetres: 1° is not enough on its own, two such
    // reps are — face out, and it stays so.
    face.observeRepDescent(1);
    expect(face.face).toBe('in');
    face.observeRepDescent(1);
    expect(face.face).toBe('out');
    for (let k = 0; k < 300; k++) face.update(0.01, -0.5, -20);
    expect(face.face).toBe('out');
    // A sensor re-clipped the other way round is found again within a few reps.
    for (let r = 0; r < 4; r++) face.observeRepDescent(-2);
    expect(face.face).toBe('in');

    const fixed = new FaceEstimator('out');
    for (let r = 0; r < 5; r++) fixed.observeRepDescent(-3);
    expect(fixed.face).toBe('out');
  });
});

describe('FaceEstimator rep votes, clipped', () => {
  it('are not outweighed for long by one implausible vote (a recording that starts at the bottom: its first "descent" is an ascent)', () => {
    const face = new FaceEstimator();
    face.observeRepDescent(-45);
    expect(face.face).toBe('in');
    // Right votes of a lifter tilting 0.6°/cm over the first 8 cm: unclipped, −45° would hold for six of them.
    const votes: (string | null)[] = [];
    for (let r = 0; r < 3; r++) votes.push(face.observeRepDescent(5));
    expect(votes).toEqual(['in', 'out', 'out']);
  });
});

describe('a live face vote', () => {
  it('is not cast from a rest the drifted live depth was restarted after (a rest at the bottom of a slow touch-and-go rep)', () => {
    // Tuning seed 2 070 430 (mixed): both sensors face out, touch-and-go, 3.7–4 s descents of 57 cm, no rest
    // but one at the first rep's bottom. The live depth drifted out of range and was restarted during the
    // ascent; compared with the bottom's tilt, the next descent's start voted −10° and turned both faces in:
    // 2 of 9 reps were found.
    const spec = randomizedSetSpec(2_070_430, 'mixed');
    const sim = simulateRandomizedSet(spec);
    const { reps, session } = run(sim.sensors, sim.samples);
    expect(spec.face).toEqual({ sacrum: 'out', thoracolumbar: 'out' });
    expect(session.sensors.map((s) => s.face)).toEqual(['out', 'out']);
    expect(reps.length).toBeGreaterThanOrEqual(7);
  });
});

describe('a sensor worn face in', () => {
  const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 5, reps: 5, sensors: 'both', rateHz: 100 });
  const out = run([...sim.sensors], sim.samples);
  const sacrum = sim.sensors.find((s) => s.placement === 'sacrum')!;

  it('is found from the movement and gives the same reps and angles as face out', () => {
    const flipped = run([...sim.sensors], flipFace(sim.samples, sacrum.id));
    expect(out.reps).toHaveLength(5);
    expect(out.session.sensors.find((s) => s.id === sacrum.id)!.face).toBe('out');
    expect(flipped.session.sensors.find((s) => s.id === sacrum.id)!.face).toBe('in');
    expect(flipped.reps).toHaveLength(5);
    flipped.reps.forEach((r, i) => {
      expect(Math.abs(r.depth_cm - out.reps[i].depth_cm)).toBeLessThan(1);
      expect(Math.abs(r.wink_deg - out.reps[i].wink_deg)).toBeLessThan(1);
      expect(r.butt_wink).toBe(out.reps[i].butt_wink);
    });
    expect(Math.abs(flipped.session.sacral_inclination_deg! - out.session.sacral_inclination_deg!)).toBeLessThan(1);
    expect(flipped.session.pelvic_tilt).toBe(out.session.pelvic_tilt);
  });

  it('follows the configuration when the face is given', () => {
    const configured = run(
      sim.sensors.map((s) => (s.id === sacrum.id ? { ...s, face: 'in' as const } : s)),
      sim.samples,
    );
    expect(configured.session.sensors.find((s) => s.id === sacrum.id)!.face).toBe('in');
    expect(configured.session.sacral_inclination_deg).toBeCloseTo(-out.session.sacral_inclination_deg!, 0);
  });
});

describe('touch-and-go reps', () => {
  it('are separate reps although the lifter never pauses between them', () => {
    const profile = { ...profileByName('neutral'), restS: [0, 0.15] as const, fidgetProbability: 0 };
    const sim = simulateRecording({ profile, seed: 3, reps: 6, sensors: 'sacrum', rateHz: 100 });
    const { reps } = run([...sim.sensors], sim.samples);
    expect(reps).toHaveLength(sim.truth.reps.length);
    // Without a rest the refined depth closes its integration at the upright turns, where the velocity is only
    // about zero (measured here: MAE 0.6 cm, worst 1.3 cm; ACCURACY.md has the broadened figures).
    const errors = reps.map((r, i) => Math.abs(r.depth_cm - sim.truth.reps[i].depth_cm));
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(2);
    expect(Math.max(...errors)).toBeLessThan(4);
  });

  it('are found from the first on when the face is found early in the first descent, not at the first rest', async () => {
    // A randomised touch-and-go set of the tuning range: a 0.38 s hole in the first rep's ascent leaves the live
    // depth drifting, and this lifter's pelvis tilts little, so the velocity evidence stays undecided. Only the
    // rep's own vote tells the face; cast at the rep's end (the first rest, 15 s in) it came too late, and
    // reps 2 and 3 merged into the first.
    const { AthletePipeline } = await import('../../gateway/sensing/athlete-pipeline.ts');
    const spec = randomizedSetSpec(2_000_230, 'touch-and-go');
    const sim = simulateRandomizedSet(spec);
    const sacrum = sim.sensors.find((s) => s.placement === 'sacrum')!;
    const reps: RepEvent[] = [];
    const pipeline = new AthletePipeline({ sensors: [...sim.sensors], onEvent: (e) => e.type === 'rep' && reps.push(e) });
    const firstBottom = sim.truth.reps[0].t_bottom;
    let faceAtFirstBottom: string | null = null;
    for (const sample of sim.samples) {
      pipeline.push(sample);
      if (faceAtFirstBottom === null && sample.t >= firstBottom) faceAtFirstBottom = pipeline.sensorFace(sacrum.id) ?? 'unknown';
    }
    pipeline.finish();
    expect(faceAtFirstBottom).toBe(spec.face.sacrum);
    expect(reps).toHaveLength(sim.truth.reps.length);
  });

  it('are measured from the standing height, not from tops the lifter never fully stands up to', () => {
    // A randomised touch-and-go set of the tuning range whose lifter stays a few cm below standing between
    // reps: measured from the tops, every rep came out 2–6 cm short (MAE 3.8 cm); from standing, MAE 0.8 cm.
    const spec = randomizedSetSpec(2_000_025, 'touch-and-go');
    const sim = simulateRandomizedSet(spec);
    const { reps } = run([...sim.sensors], sim.samples);
    const errors = sim.truth.reps.map((truth) => {
      const rep = reps.find((r) => Math.abs(r.t_bottom - truth.t_bottom) < 0.6);
      expect(rep).toBeDefined();
      return rep!.depth_cm - truth.depth_cm;
    });
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(Math.abs(mean)).toBeLessThan(1); // no systematic shortfall
    expect(errors.reduce((a, b) => a + Math.abs(b), 0) / errors.length).toBeLessThan(2);
  });

  it('each get their own cue, also when a rep starts in the very sample its predecessor ended', () => {
    // The same set with a stopping depth: the live depth counts from standing too, so the next candidate can
    // start at once at a top below standing; with one cue flag for "the rep" it lost its cue (recall 0.72).
    const spec = randomizedSetSpec(2_000_025, 'touch-and-go');
    const sim = simulateRandomizedSet(spec);
    const depths = sim.truth.reps.map((r) => r.depth_cm).sort((a, b) => a - b);
    const cutoffCm = Math.round(0.75 * depths[depths.length >> 1]);
    const events = analyzeSamples([...sim.sensors], sim.samples, { cutoffCm });
    const cues = events.filter((e) => e.type === 'cue');
    for (const truth of sim.truth.reps.filter((r) => r.depth_cm >= cutoffCm + 2)) {
      const inRep = cues.filter((c) => c.t >= truth.t_start - 0.1 && c.t <= truth.t_bottom + 0.1);
      expect(inRep, `rep ${truth.index}`).toHaveLength(1);
    }
  });
});

describe('a recording that begins inside a rep', () => {
  const sim = simulateRecording({ profile: profileByName('neutral'), seed: 4, reps: 3, sensors: 'sacrum', rateHz: 100 });
  const first = sim.truth.reps[0];
  const from = (t: number) => run([...sim.sensors], sim.samples.filter((s) => s.t >= t));

  it('still counts that rep, recovered backwards from the first rest, with about its depth', () => {
    // The recording starts a third of the way into the first descent: no standing, no anchor before it.
    const { reps } = from(first.t_start + (first.t_bottom - first.t_start) / 3);
    expect(reps).toHaveLength(3);
    expect(Math.abs(reps[0].t_bottom - first.t_bottom)).toBeLessThan(0.3);
    // Depth below the standing after it; the part of the descent before the samples is not seen, but the rep
    // is measured from where the lifter ends up standing.
    expect(Math.abs(reps[0].depth_cm - first.depth_cm)).toBeLessThan(4);
  });

  it('also when the lifter never rests: recovered backwards from the first upright top', () => {
    // A touch-and-go set (no still moment anywhere), cut a third of the way into its first descent.
    const tg = simulateRandomizedSet(randomizedSetSpec(2_000_001, 'touch-and-go'));
    const rep1 = tg.truth.reps[0];
    const cut = rep1.t_start + (rep1.t_bottom - rep1.t_start) / 3;
    const { reps } = run([...tg.sensors], tg.samples.filter((s) => s.t >= cut));
    expect(reps).toHaveLength(tg.truth.reps.length);
    const recovered = reps.find((r) => Math.abs(r.t_bottom - rep1.t_bottom) < 0.3);
    expect(recovered).toBeDefined();
    expect(Math.abs(recovered!.depth_cm - rep1.depth_cm)).toBeLessThan(5);
  });

  it('does not count a rep whose bottom came before the samples (only its ascent is seen)', () => {
    const { reps } = from(first.t_bottom + 0.3);
    expect(reps).toHaveLength(2);
    expect(reps[0].t_bottom).toBeGreaterThan(first.t_end);
  });
});

describe('a recording without reps', () => {
  it('says why', () => {
    const sim = simulateRecording({ profile: profileByName('neutral'), seed: 1, reps: 1, sensors: 'sacrum', rateHz: 100 });
    const firstRep = sim.truth.reps[0];
    const standing = sim.samples.filter((s) => s.t < firstRep.t_start - 0.5);
    const { reps, session } = run([...sim.sensors], standing);
    expect(reps).toHaveLength(0);
    expect(session.no_reps_reason).toMatch(/no squat-like movement/);
  });
});

describe('slow reps without a pause at the bottom', () => {
  it('keep their depth: their turnarounds (velocity zero, still accelerating) do not teach the bias model', () => {
    // A broadened-simulator set (tuning seed): 4 s descents straight into the ascent, 50 Hz, MPU-6050-class
    // noise, 1 % scale error. Each turnaround stays under the stillness thresholds for 0.2–0.4 s; taught as
    // the bias of the bent pose, it took 4–11 cm off every rep (depth MAE 7.2 cm).
    const { score } = scoreRandomizedSet(randomizedSetSpec(2_070_027, 'mixed'));
    const errors = score!.matches.map((m) => Math.abs(m.detected.depth_cm - m.truth.depth_cm));
    expect(errors.length).toBe(score!.truthRepCount);
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(5.5);
  });
});

describe('a recording started a moment before the first rep', () => {
  it('gives that rep when the samples began with the lifter standing, though no rest came before it', () => {
    // Tuning seed 2 050 068 (mid-set-start): the samples begin 0.3 s before rep 1 (49 cm, 0.8 s pause at the
    // bottom), in the sway, and the lifter rests only after it. A window that begins on the first samples while
    // the lifter moves may begin inside a descent, so it was left to the backward recovery, which found nothing.
    const spec = randomizedSetSpec(2_050_068, 'mid-set-start');
    expect(spec.leadInS).toBeGreaterThan(0);
    const { score } = scoreRandomizedSet(spec);
    const first = score!.matches.find((m) => m.truth.index === 1);
    expect(first).toBeDefined();
    expect(Math.abs(first!.detected.depth_cm - first!.truth.depth_cm)).toBeLessThan(3);
    expect(score!.falseReps).toHaveLength(0);
  });
});

describe('an upright turn after a slow rep\'s bottom', () => {
  it('is bridged from a rest, not from a flicker of the rest flags in the ascent', () => {
    // Tuning seed 2 070 414 (mixed): touch-and-go, 400 Hz, MPU-6050-class noise, 6.9 °/s of sway, 3.4–3.9 s
    // descents of 21–28 cm. After rep 6's bottom the rest flags came on for one sample 0.8 s into the ascent;
    // bridged from there (velocity zero, but the lifter rose at 8 cm/s), the ascent came out 5 cm for 21 cm,
    // the top was not taken and reps 6–9 were lost (5 of 9 found).
    const { score } = scoreRandomizedSet(randomizedSetSpec(2_070_414, 'mixed'));
    expect(score!.truthRepCount).toBe(9);
    expect(score!.matches.length).toBeGreaterThanOrEqual(8);
    expect(score!.falseReps.length).toBe(0);
  });
});

describe('touch-and-go reps that pause only at the bottom', () => {
  it('are found although the first rest is a pause at the bottom: a stretch that rises and comes back down went from bottom to bottom', () => {
    // Tuning seed 2 070 269 (mixed): both sensors (sacrum face in, thoracolumbar face out), 8 touch-and-go reps of
    // 45–49 cm with a 1 s pause at each bottom, 0.5 s of sway before the first. The first rest the lifter gives is
    // the first rep's bottom, which was taken for standing: every rep after it was measured from a bottom, went
    // up first, and 1 rep of 8 was found, with the sacrum's face wrong.
    const spec = randomizedSetSpec(2_070_269, 'mixed');
    const { score } = scoreRandomizedSet(spec);
    expect(spec.touchAndGo).toBe(true);
    expect(spec.repTempos.every((t) => t.pauseS > 0.8)).toBe(true);
    expect(score!.truthRepCount).toBe(8);
    expect(score!.matches.length).toBeGreaterThanOrEqual(7);
    expect(score!.falseReps.length).toBe(0);
    // About their depth (noisy sensor, 0.074 m/s² rms: mean |error| 4.1 cm): a window measured from a bottom
    // would read a few centimetres. The standing posture is not the bottom's either (35.6° sacral, anterior).
    const errors = score!.matches.map((m) => m.detected.depth_cm - m.truth.depth_cm);
    expect(errors.reduce((a, b) => a + Math.abs(b), 0) / errors.length).toBeLessThan(8);
    expect(score!.detectedTilt).toBe(score!.truthTilt);
    expect(Math.abs(score!.detectedSacralDeg! - score!.truthSacralDeg)).toBeLessThan(3);
    const sim = simulateRandomizedSet(spec);
    const { session } = run(sim.sensors, sim.samples);
    expect(spec.face).toEqual({ sacrum: 'in', thoracolumbar: 'out' });
    expect(session.sensors.map((s) => [s.placement, s.face])).toEqual([
      ['thoracolumbar', 'out'],
      ['sacrum', 'in'],
    ]);
  });

  it('are found when a winker\'s pelvis turns near the bottom, so that the two bottoms never make one window', () => {
    // Tuning seed 2 070 110 (mixed): 11 touch-and-go reps of 33 cm with 1.1–1.5 s bottom pauses, 4 s descents,
    // 50 Hz, sway up to 7.8 °/s, a 17° wink. The rep detector anchored at the wink's turn between two bottoms;
    // the rest audit (from rest to rest) sees the rise and fall instead. The bottoms had also been taken as the
    // standing posture, and the tops measured below it: 7 reps found, four of them 20 cm too deep.
    const { score } = scoreRandomizedSet(randomizedSetSpec(2_070_110, 'mixed'));
    expect(score!.truthRepCount).toBe(11);
    expect(score!.matches.length).toBeGreaterThanOrEqual(9);
    const errors = score!.matches.map((m) => Math.abs(m.detected.depth_cm - m.truth.depth_cm));
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(8);
    expect(score!.detectedTilt).toBe(score!.truthTilt);
  });

  it('are not taken for that when a recording begins inside a rep and its first window starts low (it rises and stays up)', () => {
    // Tuning seed 2 050 008 (mid-set-start): the recording begins 0.24 s into the first rep's descent. The
    // window from there to the first rest at the top, with its two ends forced to one height, seemed to rise
    // 11 cm and come back down; only the free integration tells that the lifter stayed up.
    const { score } = scoreRandomizedSet(randomizedSetSpec(2_050_008, 'mid-set-start'));
    expect(score!.matches.length).toBe(score!.truthRepCount);
  });
});
