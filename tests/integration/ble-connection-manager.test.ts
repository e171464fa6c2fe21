/**
 * ConnectionManager through real noble (with-bindings) over simulated squatmon sensors, in manual time
 * (tests/support/ble-harness.ts): discovery and assignment, serialized connects, streaming, link drops and
 * reconnects with gap and duplicate accounting, a GATT step that never answers, haptic cues, clean stop.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SensorFirmware } from '../../firmware-sim/firmware/index.ts';
import { LinkFaultModel } from '../../firmware-sim/link/index.ts';
import { STANDARD_GRAVITY } from '../../shared/imu.ts';
import {
  InstrumentedBinding,
  MANAGER_TIMERS,
  mean,
  onEdge,
  rig,
  runFor,
  runUntil,
  strictlyIncreasing,
  times,
  upright,
} from '../support/ble-harness.ts';

beforeEach(() => {
  vi.useFakeTimers(MANAGER_TIMERS);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionManager over the virtual peripheral', () => {
  it('assigns two sensors of one athlete, connects them one after the other, and streams with the right ids', async () => {
    const binding = new InstrumentedBinding();
    const flat = new SensorFirmware({ serial: 'SQM1-00A001', sampler: upright });
    const edge = new SensorFirmware({ serial: 'SQM1-00A002', sampler: onEdge });
    const flatSensor = binding.addSensor({ firmware: flat, rssi: -52 });
    const edgeSensor = binding.addSensor({ firmware: edge, rssi: -67 });
    // S1 names the second sensor explicitly; S2 takes whatever squatmon sensor is left (the first one seen).
    const r = rig(binding, {
      assignments: [
        { id: 'S1', placement: 'thoracolumbar', driver: 'squatmon', match: edge.localName },
        // Configured for 100 Hz: the driver asks this sensor for that instead of its default 200 Hz.
        { id: 'S2', placement: 'sacrum', driver: 'squatmon', match: null, rateHz: 100 },
      ],
    });
    r.manager.start();
    await runUntil(binding, () => (r.samples.get('S1')?.length ?? 0) > 200 && (r.samples.get('S2')?.length ?? 0) > 200, 5);

    // Serialized: the second connect was asked for only once the first sensor was connected, subscribed and streaming.
    expect(binding.connectCalls.map((c) => c.id)).toHaveLength(2);
    const [first, second] = binding.connectCalls;
    const firstAtSecond = second.sensors.find((s) => s.id === first.id)!;
    expect(firstAtSecond).toMatchObject({ connection: 'connected', streaming: true });
    expect(firstAtSecond.subscriptions).toEqual(['control', 'imu', 'status']);
    expect(first.sensors.every((s) => s.connection === 'disconnected')).toBe(true);

    // Each sensor's samples carry its assignment's id, and the data are that sensor's (x up vs z up).
    const s1 = r.samples.get('S1')!;
    const s2 = r.samples.get('S2')!;
    expect(s1.every((s) => s.sensor === 'S1')).toBe(true);
    expect(s2.every((s) => s.sensor === 'S2')).toBe(true);
    expect(mean(s1.map((s) => s.ax))).toBeCloseTo(STANDARD_GRAVITY, 1);
    expect(mean(s2.map((s) => s.az))).toBeCloseTo(STANDARD_GRAVITY, 1);
    expect(strictlyIncreasing(times(s1))).toBe(true);
    expect(strictlyIncreasing(times(s2))).toBe(true);
    // The driver asked for 200 Hz: samples are 5 ms apart on the gateway clock (the clock mapping settles
    // during the first second, so the mean is close, not exact).
    expect(mean(times(s1).slice(1).map((t, i) => t - times(s1)[i]))).toBeCloseTo(0.005, 3);
    expect(mean(times(s2).slice(1).map((t, i) => t - times(s2)[i]))).toBeCloseTo(0.01, 3);

    const last = (id: string) => r.states.filter((s) => s.id === id).at(-1)!;
    expect(last('S1')).toMatchObject({ connected: true, placement: 'thoracolumbar', driver: 'squatmon', rate: 200, battery: 100, rssi: -67 });
    expect(last('S2')).toMatchObject({ connected: true, placement: 'sacrum', rate: 100, rssi: -52 });
    expect(last('S1').last_seen).toBeGreaterThan(1_700_000_000_000);
    expect(r.manager.stats('S1')).toMatchObject({ connections: 1, failedAttempts: 0, framesLost: 0, duplicates: 0, outOfOrder: 0 });

    // stop(): both links closed by the central, every timer cleared.
    await r.manager.stop();
    expect(flatSensor.connection).toBe('disconnected');
    expect(edgeSensor.connection).toBe('disconnected');
    expect(vi.getTimerCount()).toBe(0);
    expect(last('S1').connected).toBe(false);
    expect(last('S2').connected).toBe(false);
    const counts = [r.samples.get('S1')!.length, r.samples.get('S2')!.length];
    await binding.advanceBy(1);
    expect([r.samples.get('S1')!.length, r.samples.get('S2')!.length]).toEqual(counts);
  });

  it('reconnects after a link outage and a sensor-side disconnect: gaps marked, nothing emitted twice, losses counted', async () => {
    const binding = new InstrumentedBinding();
    const firmware = new SensorFirmware({ serial: 'SQM1-00B001', sampler: upright, clockDriftPpm: 60 });
    const link = new LinkFaultModel({ lossRate: 0.03, meanBurstLength: 2, duplicateRate: 0.03, outages: [{ start: 4, duration: 2 }] }, 77);
    const sensor = binding.addSensor({ firmware, link });
    const r = rig(binding, {
      assignments: [{ id: 'S1', placement: 'sacrum', driver: 'squatmon', match: null }],
      stableAfterS: 3,
    });
    r.manager.start();
    await runFor(binding, 10);
    expect(r.manager.stats('S1')!.connections).toBe(2); // the outage at 4 s, back at 6 s
    binding.disconnectFromSensor(sensor.id);
    await runFor(binding, 6);

    const stats = r.manager.stats('S1')!;
    expect(stats.connections).toBe(3);
    // Each connection had lasted longer than stableAfterS, so each reconnect was tried at once: after the
    // outage the connect stayed pending until the link came back.
    const calls = binding.connectCalls.map((c) => c.t);
    expect(calls[1]).toBeLessThan(4.1);
    expect(calls[2]).toBeLessThan(10.1);
    // (States during the first setup, e.g. the battery read, say connected: false.)
    const connected = r.states.map((s) => s.connected).filter((c, i, all) => i === 0 || c !== all[i - 1]);
    expect(connected.slice(connected.indexOf(true))).toEqual([true, false, true, false, true]);

    // Two holes, each reported once, with no sample inside; the first spans the 2 s outage.
    const t = times(r.samples.get('S1'));
    expect(strictlyIncreasing(t)).toBe(true);
    expect(r.gaps).toHaveLength(2);
    for (const gap of r.gaps) {
      expect(gap.sensor).toBe('S1');
      expect(t[t.indexOf(gap.from) + 1]).toBe(gap.to);
    }
    expect(r.gaps[0].to - r.gaps[0].from).toBeGreaterThan(2);
    expect(r.gaps[0].from).toBeLessThan(4.05);
    expect(r.gaps[1].from).toBeGreaterThan(9.9);

    // What noble received, frame by frame: every distinct frame was emitted once (one sample per frame at the
    // default MTU), every repeat dropped, every missing sequence number counted — across both reconnects, because
    // the decoder (and its sequence tracking) was kept.
    const received = binding.imuSeqs.get(sensor.id)!;
    const distinct = [...new Set(received)].sort((a, b) => a - b);
    expect(received.length).toBeGreaterThan(distinct.length); // the link did duplicate
    expect(t.length).toBe(distinct.length);
    expect(stats.duplicates).toBe(received.length - distinct.length);
    expect(stats.framesLost).toBe(distinct[distinct.length - 1] - distinct[0] + 1 - distinct.length);
    expect(stats.outOfOrder).toBe(0);
    const ls = link.stats;
    expect(ls.lostToDisconnect).toBeGreaterThan(0);
    expect(stats.framesLost).toBeGreaterThan(ls.lostToDisconnect);
    expect(r.manager.states()[0].frames_lost).toBe(stats.framesLost);
    await r.manager.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('decodes afresh when a reconnected sensor restarted its frame counter', async () => {
    const binding = new InstrumentedBinding();
    binding.restartCounterPerConnection = true;
    const sensor = binding.addSensor({ firmware: new SensorFirmware({ serial: 'SQM1-00B002', sampler: upright }) });
    const r = rig(binding, {
      assignments: [{ id: 'S1', placement: 'sacrum', driver: 'squatmon', match: null }],
      stableAfterS: 1, // reconnect at once, so the hole is the decoder's doing
    });
    r.manager.start();
    await runUntil(binding, () => (r.samples.get('S1')?.length ?? 0) >= 400, 5);
    binding.disconnectFromSensor(sensor.id); // the counter is at ~400: frames 0, 1, … look like old repeats
    const before = r.samples.get('S1')!.length;
    await runUntil(binding, () => r.samples.get('S1')!.length >= before + 400, 10);

    expect(r.manager.stats('S1')).toMatchObject({ connections: 2, duplicates: 200, outOfOrder: 0 });
    expect(r.logger.lines.some((l) => l.includes('restarted its frame counter'))).toBe(true);
    const t = times(r.samples.get('S1'));
    expect(strictlyIncreasing(t)).toBe(true);
    expect(r.gaps).toHaveLength(1);
    expect(t[t.indexOf(r.gaps[0].from) + 1]).toBe(r.gaps[0].to);
    // The frames the kept decoder took for repeats are the hole: about 1 s (200 frames at 200 Hz).
    expect(r.gaps[0].to - r.gaps[0].from).toBeGreaterThan(1);
    expect(r.gaps[0].to - r.gaps[0].from).toBeLessThan(1.5);
    await r.manager.stop();
  });

  it('times out a GATT write that is never answered, backs off and retries', async () => {
    const binding = new InstrumentedBinding();
    binding.swallowWrites = 1; // the first start command (set_rate) gets no write response
    const firmware = new SensorFirmware({ serial: 'SQM1-00C001', sampler: upright });
    binding.addSensor({ firmware });
    const r = rig(binding, {
      assignments: [{ id: 'S1', placement: 'sacrum', driver: 'squatmon', match: null }],
      timeouts: { writeMs: 3000 },
      backoff: { initialMs: 5000, maxMs: 60_000, jitter: 0.2 },
    });
    r.manager.start();
    await runUntil(binding, () => (r.samples.get('S1')?.length ?? 0) > 100, 20);

    expect(binding.swallowed).toBe(1);
    expect(r.manager.stats('S1')).toMatchObject({ failedAttempts: 1, connections: 1 });
    expect(r.logger.lines.some((l) => l.includes('attempt failed') && l.includes('step=write') && l.includes('3000 ms'))).toBe(true);
    expect(binding.connectCalls).toHaveLength(2);
    // The retry waited for the timeout (3 s) and then the backoff (5 s shortened by the jitter: 4.5 s here).
    expect(binding.connectCalls[1].t - binding.connectCalls[0].t).toBeGreaterThanOrEqual(7.5 - 0.05);
    expect(r.gaps).toEqual([]); // nothing streamed before the failed attempt: no hole to report
    await r.manager.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('retries at once after a connection that lasted, and backs off after one that dropped within seconds', async () => {
    const binding = new InstrumentedBinding();
    const sensor = binding.addSensor({ firmware: new SensorFirmware({ serial: 'SQM1-00C003', sampler: upright }) });
    const r = rig(binding, {
      assignments: [{ id: 'S1', placement: 'sacrum', driver: 'squatmon', match: null }],
      backoff: { initialMs: 5000, maxMs: 60_000, jitter: 0.2 },
      // The defaults: stable after 30 s, a quick retry after 5 s.
    });
    r.manager.start();
    const connectedAgain = (n: number) => () => r.manager.stats('S1')!.connections === n && r.manager.states()[0].connected;
    await runUntil(binding, connectedAgain(1), 5);
    // 1. Dropped 8 s into its connection (shorter than stable, longer than 5 s): the retry goes at once.
    await runFor(binding, 8);
    const firstDropAt = binding.now;
    binding.disconnectFromSensor(sensor.id);
    await runUntil(binding, connectedAgain(2), 5);
    expect(binding.connectCalls).toHaveLength(2);
    expect(binding.connectCalls[1].t - firstDropAt).toBeLessThan(0.1);
    // 2. Dropped 2 s into the new connection: that link was not doing its job, so the backoff applies
    //    (5 s shortened by the jitter: 4.5 s here).
    await runFor(binding, 2);
    const secondDropAt = binding.now;
    binding.disconnectFromSensor(sensor.id);
    await runUntil(binding, connectedAgain(3), 10);
    expect(binding.connectCalls).toHaveLength(3);
    expect(binding.connectCalls[2].t - secondDropAt).toBeGreaterThanOrEqual(4.5 - 0.05);
    expect(r.logger.lines.filter((l) => l.includes('reconnect scheduled'))).toHaveLength(1);
    await r.manager.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('backs off longer after each failed attempt, up to the ceiling', async () => {
    const binding = new InstrumentedBinding();
    binding.swallowWrites = 3;
    binding.addSensor({ firmware: new SensorFirmware({ serial: 'SQM1-00C002', sampler: upright }) });
    const r = rig(binding, {
      assignments: [{ id: 'S1', placement: 'sacrum', driver: 'squatmon', match: null }],
      timeouts: { writeMs: 1000 },
      backoff: { initialMs: 2000, maxMs: 5000, jitter: 0 },
    });
    r.manager.start();
    await runUntil(binding, () => r.manager.stats('S1')!.connections === 1, 30);
    const starts = binding.connectCalls.map((c) => c.t);
    const waits = starts.slice(1).map((t, i) => t - starts[i] - 1); // minus the 1 s write timeout
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeCloseTo(2, 1);
    expect(waits[1]).toBeCloseTo(4, 1);
    expect(waits[2]).toBeCloseTo(5, 1); // capped
    await r.manager.stop();
  });

  it('writes the haptic pulse to the sensor; skips it when not possible, without throwing', async () => {
    const binding = new InstrumentedBinding();
    const firmware = new SensorFirmware({ serial: 'SQM1-00D001', sampler: upright });
    binding.addSensor({ firmware });
    const r = rig(binding, {
      assignments: [
        { id: 'S1', placement: 'sacrum', driver: 'squatmon', match: null },
        { id: 'S2', placement: 'thoracolumbar', driver: 'squatmon', match: 'aa:bb:cc:dd:ee:ff' },
      ],
    });
    const pattern = { pulses: 2, onMs: 150, offMs: 100, intensityPct: 70 };
    expect(await r.manager.hapticPulse('S1', pattern)).toBe(false); // not started, not connected
    r.manager.start();
    await runUntil(binding, () => (r.samples.get('S1')?.length ?? 0) > 10, 5);

    const sentAt = binding.now;
    const pulse = r.manager.hapticPulse('S1', pattern);
    await runFor(binding, 0.1);
    expect(await pulse).toBe(true);
    expect(firmware.hapticPulses).toHaveLength(1);
    expect(firmware.hapticPulses[0]).toMatchObject(pattern);
    expect(firmware.hapticPulses[0].t).toBeGreaterThanOrEqual(sentAt);

    expect(await r.manager.hapticPulse('S2', pattern)).toBe(false); // never found
    expect(await r.manager.hapticPulse('S9', pattern)).toBe(false); // unknown id
    expect(await r.manager.hapticPulse('S1', { ...pattern, pulses: 0 })).toBe(false); // out of range
    expect(firmware.hapticPulses).toHaveLength(1);
    expect(r.logger.lines.some((l) => l.includes('haptic pattern out of range'))).toBe(true);
    await r.manager.stop();
    expect(await r.manager.hapticPulse('S1', pattern)).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
