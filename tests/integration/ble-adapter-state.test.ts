/**
 * ConnectionManager and the adapter: waiting for poweredOn, reporting precisely why Bluetooth is unavailable
 * while still waiting, losing the adapter mid-stream; and the realtime (`--sim`) binding on real timers.
 */
import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SensorFirmware } from '../../firmware-sim/firmware/index.ts';
import { InstrumentedBinding, MANAGER_TIMERS, rig, runFor, runUntil, strictlyIncreasing, times, upright } from '../support/ble-harness.ts';

/** An adapter that reports nothing until told (noble's state stays 'unknown'). */
class SlowAdapterBinding extends InstrumentedBinding {
  override init(): void {}

  report(state: string): void {
    setImmediate(() => this.emit('stateChange', state));
  }

  powerOn(): void {
    super.init();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionManager and the Bluetooth adapter', () => {
  it('reports an adapter that is not ready, says why, keeps waiting, and connects once it is poweredOn', async () => {
    vi.useFakeTimers(MANAGER_TIMERS);
    const binding = new SlowAdapterBinding();
    binding.addSensor({ firmware: new SensorFirmware({ serial: 'SQM1-00E001', sampler: upright }) });
    const r = rig(binding, {
      assignments: [{ id: 'S1', placement: 'sacrum', driver: 'squatmon', match: null }],
      poweredOnTimeoutMs: 10_000,
      unavailableRepeatMs: 60_000,
    });
    r.manager.start();
    await runFor(binding, 9.5);
    expect(r.unavailable).toEqual([]);
    await runFor(binding, 1);
    expect(r.unavailable.map((e) => e.reason)).toEqual(['not-ready']);
    expect(r.unavailable[0].message).toMatch(/rfkill unblock bluetooth/);

    binding.report('unauthorized');
    await runFor(binding, 0.1);
    expect(r.unavailable.map((e) => e.reason)).toEqual(['not-ready', 'permission']);
    expect(r.unavailable[1].message).toContain('setcap cap_net_raw+eip');
    expect(r.logger.lines.some((l) => l.startsWith('error bluetooth unavailable reason=permission'))).toBe(true);

    await runFor(binding, 61);
    expect(r.unavailable).toHaveLength(3); // repeated while it lasts
    expect(binding.connectCalls).toEqual([]);

    binding.powerOn();
    await runUntil(binding, () => (r.samples.get('S1')?.length ?? 0) > 50, 5);
    expect(r.unavailable).toHaveLength(3);
    await r.manager.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats an adapter that powers off as every link lost, and reconnects when it is back', async () => {
    vi.useFakeTimers(MANAGER_TIMERS);
    const binding = new SlowAdapterBinding();
    const sensor = binding.addSensor({ firmware: new SensorFirmware({ serial: 'SQM1-00E002', sampler: upright }) });
    const r = rig(binding, { assignments: [{ id: 'S1', placement: 'sacrum', driver: 'squatmon', match: null }] });
    binding.powerOn();
    r.manager.start();
    await runUntil(binding, () => (r.samples.get('S1')?.length ?? 0) > 50, 5);

    binding.report('poweredOff');
    await runFor(binding, 0.1);
    expect(r.manager.states()[0].connected).toBe(false);
    expect(r.unavailable.map((e) => e.reason)).toEqual(['powered-off']);
    expect(r.unavailable[0].message).toContain('sudo systemctl stop bluetooth');

    binding.reset(); // the adapter comes back: connections gone, poweredOn again
    const before = r.samples.get('S1')!.length;
    await runUntil(binding, () => r.samples.get('S1')!.length > before + 50, 10);
    expect(sensor.connection).toBe('connected');
    expect(r.manager.stats('S1')!.connections).toBe(2);
    expect(r.gaps).toHaveLength(1);
    expect(strictlyIncreasing(times(r.samples.get('S1')))).toBe(true);
    await r.manager.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('streams from a realtime binding (the --sim path) on real timers and leaves no timer running after stop()', async () => {
    // Every timer created from here on (the binding's tick, GATT step timeouts, backoff), until it is cleared
    // or has fired.
    const live = new Set<number>();
    const hook = createHook({
      init: (id, type) => void (type === 'Timeout' && live.add(id)),
      destroy: (id) => void live.delete(id),
    }).enable();
    let clockS = 0; // injected: the simulation follows this clock, not the machine's
    const binding = new InstrumentedBinding({ time: 'realtime', tickMs: 5, clock: () => clockS });
    binding.addSensor({ firmware: new SensorFirmware({ serial: 'SQM1-00E003', sampler: upright }) });
    const r = rig(binding, { assignments: [{ id: 'S1', placement: 'sacrum', driver: 'squatmon', match: null }] });
    r.manager.start();
    for (let i = 0; i < 5000 && (r.samples.get('S1')?.length ?? 0) < 100; i++) {
      clockS += 0.005;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(r.samples.get('S1')!.length).toBeGreaterThanOrEqual(100);
    expect(strictlyIncreasing(times(r.samples.get('S1')))).toBe(true);
    expect(live.size).toBeGreaterThan(0);
    await r.manager.stop();
    binding.stop();
    await new Promise((resolve) => setImmediate(resolve));
    hook.disable();
    expect(live.size).toBe(0);
  });
});
