import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/rng.ts';
import { decodeControlCommand } from '../../shared/protocol/index.ts';
import { CountedSampleClock } from '../../gateway/ble/drivers/counted-sample-clock.ts';
import { DRIVER_NAMES, DRIVERS, driverByName, driverForAdvertisement } from '../../gateway/ble/drivers/index.ts';
import { configSchema } from '../../gateway/config/config.ts';
import { athleteSchema } from '../../gateway/store/validation.ts';

describe('driver registry', () => {
  it('is the one list of driver names: unique, and what the config and the store accept (nothing else)', () => {
    expect(DRIVER_NAMES).toEqual(DRIVERS.map((d) => d.name));
    expect(new Set(DRIVER_NAMES).size).toBe(DRIVERS.length);
    const configWith = (driver: string) =>
      configSchema.safeParse({ athletes: [{ id: 'ann', name: 'Ann', sensors: [{ id: 'S1', placement: 'sacrum', driver }] }] }).success;
    const storedWith = (driver: string) =>
      athleteSchema.safeParse({ id: 'ann', name: 'Ann', sensors: [{ id: 'S1', placement: 'sacrum', driver, match: null }], cutoffCm: null, winkThresholdDeg: 10 }).success;
    for (const name of DRIVER_NAMES) {
      expect(driverByName(name).name).toBe(name);
      expect([name, configWith(name), storedWith(name)]).toEqual([name, true, true]);
    }
    expect([configWith('no-such-driver'), storedWith('no-such-driver')]).toEqual([false, false]);
  });

  it('has noble-format UUIDs in every driver', () => {
    for (const d of DRIVERS) {
      const uuids = [d.gatt.service, ...d.gatt.notify, ...d.gatt.read, ...d.gatt.startWrites.flatMap((w) => [w.service, w.characteristic])];
      for (const u of uuids) expect(u).toMatch(/^([0-9a-f]{4}|[0-9a-f]{32})$/);
    }
  });

  it.each([
    [{ localName: 'squatmon-A3F1', serviceUuids: [] }, 'squatmon'],
    [{ serviceUuids: ['e3a100016c2b4f7e9a519d0c5a0b5157'] }, 'squatmon'],
    [{ localName: 'WT901BLE68', serviceUuids: [] }, 'witmotion'],
    [{ serviceUuids: ['0000ffe500001000800000805f9a34fb'] }, 'witmotion'],
    [{ localName: 'Thingy', serviceUuids: [] }, 'thingy52'],
    [{ serviceUuids: ['ef6801009b3549339b1052ffa9740042'] }, 'thingy52'],
    [{ localName: 'Movella DOT', serviceUuids: [] }, 'movella-dot'],
    [{ localName: 'Xsens DOT', serviceUuids: [] }, 'movella-dot'],
    // Company identifier 2182 = 0x0886, little-endian at the start of the manufacturer data.
    [{ serviceUuids: [], manufacturerData: Uint8Array.of(0x86, 0x08, 0x01) }, 'movella-dot'],
  ] as const)('recognises %o as %s', (adv, name) => {
    expect(driverForAdvertisement(adv)?.name).toBe(name);
  });

  it('recognises nothing in unrelated advertisements', () => {
    // 0000ffe5 on the Bluetooth base UUID (…9b34fb) is not WitMotion's vendor UUID (…9a34fb).
    expect(driverForAdvertisement({ serviceUuids: ['0000ffe500001000800000805f9b34fb'] })).toBeNull();
    expect(driverForAdvertisement({ localName: 'Polar H10 1234', serviceUuids: ['180d'] })).toBeNull();
    expect(driverForAdvertisement({ localName: 'WTF', serviceUuids: [], manufacturerData: Uint8Array.of(0x4c, 0x00) })).toBeNull();
  });

  it('starts each sensor with the writes its spec prescribes', () => {
    const squatmon = driverByName('squatmon').gatt.startWrites.map((w) => decodeControlCommand(w.data));
    expect(squatmon.map((c) => c.op)).toEqual(['set_rate', 'set_ranges', 'start_stream']);
    expect(squatmon[0]).toMatchObject({ op: 'set_rate', rateHz: 200 });
    // A sensor configured for another rate (a simulated one at --sim-rate) is asked for that one.
    const at100 = driverByName('squatmon').startWritesAt!(100).map((w) => decodeControlCommand(w.data));
    expect(at100[0]).toMatchObject({ op: 'set_rate', rateHz: 100 });
    expect(at100.map((c) => c.op)).toEqual(['set_rate', 'set_ranges', 'start_stream']);

    const dot = driverByName('movella-dot').gatt.startWrites;
    expect(Array.from(dot[dot.length - 1].data)).toEqual([1, 1, 21]); // measurement, start, rate quantities
    expect(dot[0].data[0]).toBe(0x10); // device control: only the output rate applies
    expect(dot[0].data[24] | (dot[0].data[25] << 8)).toBe(60);

    const [thingy] = driverByName('thingy52').gatt.startWrites;
    expect(thingy.data).toHaveLength(9); // ble_tms_config_t
    expect(thingy.data[6] | (thingy.data[7] << 8)).toBe(100); // motion processing frequency, Hz

    const witWrites = driverByName('witmotion').gatt.startWrites;
    expect(witWrites.map((w) => Array.from(w.data))).toEqual([
      [0xff, 0xaa, 0x69, 0x88, 0xb5], // unlock
      [0xff, 0xaa, 0x03, 0x08, 0x00], // 50 Hz
      [0xff, 0xaa, 0x00, 0x00, 0x00], // save
      [0xff, 0xaa, 0x27, 0x64, 0x00], // read register 0x64, the battery voltage
    ]);
    // Spaced as WitMotion's SDK spaces its commands (100–150 ms): the sensor takes one at a time.
    for (const w of witWrites) expect(w.delayAfterMs).toBeGreaterThanOrEqual(100);
  });

  it('offers haptics only on squatmon, refusing out-of-range patterns', () => {
    const haptic = driverByName('squatmon').haptic;
    expect(haptic).toBeDefined();
    const write = haptic?.({ pulses: 3, onMs: 250, offMs: 1000, intensityPct: 80 }, 9);
    // PROTOCOL.md §6 example: 05 tt 03 FA 00 E8 03 50.
    expect(Array.from(write?.data ?? [])).toEqual([0x05, 9, 0x03, 0xfa, 0x00, 0xe8, 0x03, 0x50]);
    expect(haptic?.({ pulses: 0, onMs: 250, offMs: 0, intensityPct: 80 }, 1)).toBeNull();
    for (const name of ['witmotion', 'thingy52', 'movella-dot'] as const) expect(driverByName(name).haptic).toBeUndefined();
  });
});

describe('CountedSampleClock', () => {
  /** Notifications of one sample each, taken every `period` s, received after a random link delay of 5–40 ms. */
  function simulate(period: number, nominalHz: number, seconds: number) {
    const rng = new Rng(7);
    const clock = new CountedSampleClock(nominalHz);
    const taken: number[] = [];
    const stamped: number[] = [];
    let lastReceive = 0;
    for (let i = 0; i * period < seconds; i++) {
      const takenAt = 10 + i * period;
      const receive = Math.max(lastReceive, takenAt + rng.uniform(0.005, 0.04));
      lastReceive = receive;
      taken.push(takenAt);
      stamped.push(...clock.stamp(1, receive));
    }
    return { clock, taken, stamped };
  }

  it('gives evenly spaced times despite link jitter', () => {
    const { taken, stamped } = simulate(0.02, 50, 20);
    const tail = stamped.length - 200;
    const errors = stamped.slice(tail).map((t, i) => t - taken[tail + i]);
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    // Receive times scatter over 35 ms; the stamped times stay within a few ms of a constant offset.
    for (const e of errors) expect(Math.abs(e - mean)).toBeLessThan(0.002);
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(0.01);
  });

  it('measures the real rate when the sensor ignored the configured one', () => {
    const { clock, taken, stamped } = simulate(0.1, 50, 30); // configured 50 Hz, really 10 Hz
    expect(clock.rateHz()).toBeCloseTo(10, 0);
    const n = stamped.length;
    expect(stamped[n - 1] - stamped[n - 2]).toBeCloseTo(0.1, 2);
    // No runaway lag behind the samples' real times.
    expect(Math.abs(stamped[n - 1] - taken[n - 1])).toBeLessThan(0.02);
  });
});
