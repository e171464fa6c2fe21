import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEG, RAD, STANDARD_GRAVITY } from '../../shared/imu.ts';
import { ATHLETE_PROFILES, buildSquatSet, profileFromSeed } from '../../firmware-sim/model/index.ts';
import type { AthleteProfile } from '../../firmware-sim/model/index.ts';

const named = Object.values(ATHLETE_PROFILES);

/** The standing inclination a mounted sensor must read: patch · Ry(pitch) · Rx(roll) applied to the normal. */
function expectedStandingDeg(anatomicalDeg: number, pitchDeg: number, rollDeg: number): number {
  return Math.asin(Math.sin((anatomicalDeg + pitchDeg) * DEG) * Math.cos(rollDeg * DEG)) * RAD;
}

describe('simulated sensors at rest', () => {
  it('read 1 g and the profile inclination whatever the clip angle (ideal sensor, no sway)', () => {
    const out = new Float64Array(6);
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...named), fc.nat(10_000).map((s): AthleteProfile => profileFromSeed(s))),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.nat(1_000_000),
        (profile, sacrumClip, thoracolumbarClip, seed) => {
          const set = buildSquatSet({
            profile,
            seed,
            reps: 1,
            sensors: 'both',
            sway: false,
            clipAngleDeg: { sacrum: sacrumClip, thoracolumbar: thoracolumbarClip },
          });
          expect(set.sensors.map((s) => s.clipAngleDeg)).toEqual([thoracolumbarClip, sacrumClip]);
          const anatomical = {
            sacrum: profile.sacralInclinationDeg,
            thoracolumbar: profile.sacralInclinationDeg - profile.standingLordosisDeg,
          };
          set.sensors.forEach((sensor, i) => {
            for (const t of [0.5, 1.7, 2.9]) {
              set.idealImu(i, t, out);
              const norm = Math.hypot(out[0], out[1], out[2]);
              expect(Math.abs(norm - STANDARD_GRAVITY)).toBeLessThan(0.01);
              expect(Math.hypot(out[3], out[4], out[5])).toBeLessThan(1e-6);
              const theta = Math.asin(out[2] / norm) * RAD;
              const expected = expectedStandingDeg(anatomical[sensor.placement], sensor.mountPitchDeg, sensor.mountRollDeg);
              expect(Math.abs(theta - expected)).toBeLessThan(0.1);
            }
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('draws mounting misalignments of a few degrees, and none when mounting is off', () => {
    const misaligned = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 3, reps: 0, sensors: 'both' });
    for (const s of misaligned.sensors) {
      expect(Math.abs(s.mountPitchDeg)).toBeLessThanOrEqual(3);
      expect(Math.abs(s.mountRollDeg)).toBeLessThanOrEqual(3);
    }
    expect(misaligned.sensors.some((s) => s.mountPitchDeg !== 0)).toBe(true);
    const exact = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 3, reps: 0, sensors: 'both', mounting: false, sway: false });
    expect(exact.inclinationDeg(1, 1)).toBeCloseTo(ATHLETE_PROFILES.neutral.sacralInclinationDeg, 9);
    expect(exact.inclinationDeg(0, 1)).toBeCloseTo(
      ATHLETE_PROFILES.neutral.sacralInclinationDeg - ATHLETE_PROFILES.neutral.standingLordosisDeg,
      9,
    );
  });

  it('sways physiologically in quiet standing: sub-degree, millimetres, breathing-paced', () => {
    const set = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 11, reps: 1, sensors: 'both', quietStandingS: 5 });
    const p = new Float64Array(3);
    const xs: number[] = [];
    const zs: number[] = [];
    const thetas: number[] = [];
    for (let t = 0; t <= 5; t += 0.01) {
      set.position(1, t, p);
      xs.push(p[0]);
      zs.push(p[2]);
      thetas.push(set.inclinationDeg(0, t));
    }
    const range = (v: number[]): number => Math.max(...v) - Math.min(...v);
    expect(range(xs)).toBeGreaterThan(0.0005);
    expect(range(xs)).toBeLessThan(0.02);
    expect(range(zs)).toBeLessThan(0.01);
    expect(range(thetas)).toBeGreaterThan(0.1);
    expect(range(thetas)).toBeLessThan(2);
  });
});
