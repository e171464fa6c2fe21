/**
 * Fault: the radio delivers some IMU notifications twice, on top of 5 % burst loss.
 *
 * The simulator's gateway config has no duplicate option (`sim` offers `lossPct` and `outages` only; the
 * live athletes' LinkFaultModel is built without `duplicateRate`), so this runs one level down: a whole squat
 * set from the firmware simulator through a LinkFaultModel with `duplicateRate`, the virtual peripheral, real
 * noble and the ConnectionManager (manual time, tests/support/ble-harness.ts), then the sensing pipeline.
 *
 * What must hold: every repeated notification is dropped (counted), samples stay strictly increasing with no
 * time twice, and the pipeline finds the same reps as the lifter did — none doubled, none lost.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SensorFirmware } from '../../firmware-sim/firmware/index.ts';
import { LinkFaultModel } from '../../firmware-sim/link/index.ts';
import { buildSquatSet, profileByName } from '../../firmware-sim/model/index.ts';
import { analyzeSamples } from '../../gateway/sensing/analyze-samples.ts';
import type { RepEvent } from '../../gateway/sensing/events.ts';
import { InstrumentedBinding, MANAGER_TIMERS, rig, runUntil, strictlyIncreasing, times } from '../support/ble-harness.ts';

beforeEach(() => {
  vi.useFakeTimers(MANAGER_TIMERS);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('duplicated notifications (20 %) with 5 % burst loss', () => {
  it('drops every repeat, keeps samples strictly increasing and finds each rep once', async () => {
    const set = buildSquatSet({ profile: profileByName('neutral-wink'), seed: 5, reps: 4, sensors: 'both' });
    const binding = new InstrumentedBinding();
    const links = set.sensors.map((sensor, index) => {
      const firmware = new SensorFirmware({
        serial: `SQM1-D0${index}1`,
        sampler: (t, out) => set.measuredImu(index, t, out),
        rateHz: 100,
        attMtu: 247,
        clockOffsetUs: 900_000_000 + index * 12_345,
        clockDriftPpm: index === 0 ? 15 : -20,
      });
      const link = new LinkFaultModel({ lossRate: 0.05, duplicateRate: 0.2 }, 40 + index);
      binding.addSensor({ firmware, link });
      return { sensor, firmware, link };
    });
    const r = rig(binding, {
      assignments: links.map(({ sensor, firmware }) => ({ id: sensor.id, placement: sensor.placement, driver: 'squatmon', match: firmware.localName })),
    });
    r.manager.start();
    // Stream the whole set (the model's motion ends at set.duration).
    await runUntil(binding, () => binding.now >= set.duration - 0.1, set.duration + 1);
    await r.manager.stop();

    for (const { sensor, link } of links) {
      const stats = r.manager.stats(sensor.id)!;
      // The link duplicated notifications, and every copy was recognised as a repeat and dropped.
      expect(link.stats.duplicated).toBeGreaterThan(20);
      expect(stats.duplicates).toBe(link.stats.duplicated);
      expect(stats.framesLost).toBeGreaterThan(0);
      const t = times(r.samples.get(sensor.id));
      expect(strictlyIncreasing(t)).toBe(true);
      expect(new Set(t).size).toBe(t.length);
    }

    console.info(
      `duplicates: ${links.map(({ sensor, link }) => `${sensor.id}: ${link.stats.duplicated} repeats dropped, ${r.manager.stats(sensor.id)!.framesLost} frames lost of ${link.stats.sent}`).join('; ')}`,
    );
    const samples = [...r.samples.values()].flat().sort((a, b) => a.t - b.t);
    const reps = analyzeSamples([...set.sensors], samples).filter((e): e is RepEvent => e.type === 'rep');
    expect(reps).toHaveLength(set.truth.reps.length);
    reps.forEach((rep, k) => {
      expect(Math.abs(rep.depth_cm - set.truth.reps[k].depth_cm)).toBeLessThan(5);
    });
  }, 60_000);
});
