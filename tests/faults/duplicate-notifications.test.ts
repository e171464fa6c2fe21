/**
 * Fault: the radio delivers some IMU notifications twice, on top of 5 % burst loss.
 *
 * Twice: once one level down, where every count can be compared exactly — a whole squat set from the firmware
 * simulator through a LinkFaultModel with `duplicateRate`, the virtual peripheral, real noble and the
 * ConnectionManager (manual time, tests/support/ble-harness.ts), then the sensing pipeline; and once through
 * the whole live gateway with the simulator's `sim.duplicatePct` (`--sim-duplicates`), as a user would run it.
 *
 * What must hold: every repeated notification is dropped (counted), samples stay strictly increasing with no
 * time twice, and the pipeline finds the same reps as the lifter did — none doubled, none lost.
 */
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SensorFirmware } from '../../firmware-sim/firmware/index.ts';
import { LinkFaultModel } from '../../firmware-sim/link/index.ts';
import { buildSquatSet, profileByName } from '../../firmware-sim/model/index.ts';
import { analyzeSamples } from '../../gateway/sensing/analyze-samples.ts';
import type { RepEvent } from '../../gateway/sensing/events.ts';
import { readRecording } from '../../shared/recording/index.ts';
import { startSimGateway, waitFor } from './fault-support.ts';
import { InstrumentedBinding, MANAGER_TIMERS, rig, runUntil, strictlyIncreasing, times } from '../support/ble-harness.ts';

describe('duplicated notifications (20 %) with 5 % burst loss', () => {
  beforeEach(() => {
    vi.useFakeTimers(MANAGER_TIMERS);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

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

describe('duplicated notifications through the live gateway (sim.duplicatePct 20, lossPct 5)', () => {
  it('publishes each rep of the set once, records no sample twice and reports the repeats per sensor', async () => {
    // The simulated lifter's first set: the model (profile, seed 1, 5 reps) the gateway's simulator runs. The
    // gateway closes a set 45 s after its last rep, within the 60 s rest.
    const truth = buildSquatSet({ profile: profileByName('neutral-wink'), seed: 1, reps: 5, sensors: 'both', errors: false }).truth.reps;
    const sim = await startSimGateway({ sim: { duplicatePct: 20, lossPct: 5, restS: 60 } });
    try {
      await waitFor(() => sim.events.some((e) => e.kind === 'set-ended'), 'the end of the first set', 60_000);
      const started = sim.events.find((e) => e.kind === 'set-started');
      const reps = sim.reps().filter((r) => r.set === 1);
      const states = sim.sensorStates();

      // Each rep of the set once: as many as the lifter did, ids unique, depths those of the truth.
      expect(reps.map((r) => r.index)).toEqual(truth.map((_, k) => k + 1));
      expect(new Set(reps.map((r) => r.id)).size).toBe(reps.length);
      reps.forEach((rep, k) => expect(Math.abs(rep.depth_cm - truth[k].depth_cm), `rep ${k + 1} depth`).toBeLessThan(8));

      // The repeats were seen (and dropped) on both sensors; none reached the set's recording.
      const dropped = new Map<string, number>();
      for (const st of states) dropped.set(st.id, Math.max(dropped.get(st.id) ?? 0, st.duplicates_dropped));
      expect([...dropped.keys()].sort()).toEqual(['sim-1-sacrum', 'sim-1-tl']);
      for (const [id, n] of dropped) expect(n, `${id} repeats dropped`).toBeGreaterThan(20);
      expect(started?.kind === 'set-started' && started.recording).toBeTruthy();
      // The recording gets its final name once the writer has closed it, just after the set ended.
      const path = (started as { recording: string }).recording;
      await waitFor(() => existsSync(path), 'the recording closed', 10_000);
      const recording = await readRecording(path);
      for (const id of dropped.keys()) {
        const t = recording.samples.filter((x) => x.sensor === id).map((x) => x.t);
        expect(t.length).toBeGreaterThan(1000);
        expect(strictlyIncreasing(t), `${id} recorded times increase`).toBe(true);
      }
      expect(sim.logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
      console.info(
        `duplicates through the gateway: ${reps.length} reps, depths ${reps.map((r) => r.depth_cm.toFixed(1)).join(', ')} cm (truth ${truth.map((r) => r.depth_cm.toFixed(1)).join(', ')}); ` +
          `repeats dropped ${[...dropped].map(([id, n]) => `${id} ${n}`).join(', ')}; recording ${recording.samples.length} samples`,
      );
    } finally {
      await sim.close();
    }
  }, 90_000);
});
