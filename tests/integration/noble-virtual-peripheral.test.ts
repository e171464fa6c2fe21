/**
 * The real noble (through @abandonware/noble/with-bindings.js) against the virtual peripheral, in manual time:
 * scan → connect → discover → read → subscribe → stream → link faults → haptic → disconnect and reconnect.
 */
import { describe, expect, it } from 'vitest';
import type { Characteristic, Peripheral } from '@abandonware/noble';
import {
  BATTERY_LEVEL_CHAR_UUID,
  BATTERY_SERVICE_UUID,
  CONTROL_CHAR_UUID,
  DEVICE_INFO_SERVICE_UUID,
  FIRMWARE_REVISION_CHAR_UUID,
  IMU_DATA_CHAR_UUID,
  MANUFACTURER_NAME_CHAR_UUID,
  SERIAL_NUMBER_CHAR_UUID,
  SQUATMON_SERVICE_UUID,
  STATUS_CHAR_UUID,
  accelToCounts,
  decodeBatteryLevel,
  decodeControlAck,
  decodeImuFrame,
  decodeStatus,
  encodeControlCommand,
  frameSampleCount,
  gyroToCounts,
  nobleUuid,
} from '../../shared/protocol/index.ts';
import type { ControlAck, ControlCommand, ImuFrame } from '../../shared/protocol/index.ts';
import { STANDARD_GRAVITY } from '../../shared/imu.ts';
import { SensorFirmware } from '../../firmware-sim/firmware/index.ts';
import type { ImuSampler } from '../../firmware-sim/firmware/index.ts';
import { LinkFaultModel } from '../../firmware-sim/link/index.ts';
import { DISCONNECT_REASON, VirtualBleBinding, findCharacteristic } from '../../firmware-sim/peripheral/index.ts';
import { nobleWithBindings } from '../../gateway/ble/noble-with-bindings.ts';
import type { Noble } from '../../gateway/ble/noble-with-bindings.ts';

const U32 = 4294967296;
const SERVICE = nobleUuid(SQUATMON_SERVICE_UUID);

/** Slow rocking about y plus small wobbles on every channel: a pure function of t, so tests can recompute it. */
const rocking: ImuSampler = (t, out) => {
  const w = 2 * Math.PI * 0.5;
  const angle = 0.5 * Math.sin(w * t);
  out[0] = STANDARD_GRAVITY * Math.sin(angle);
  out[1] = 0.3 * Math.sin(4.1 * t);
  out[2] = STANDARD_GRAVITY * Math.cos(angle);
  out[3] = 0.05 * Math.cos(2.3 * t);
  out[4] = 0.5 * w * Math.cos(w * t);
  out[5] = -0.04 * Math.sin(1.3 * t);
};

const still: ImuSampler = (_t, out) => out.set([0, 0, STANDARD_GRAVITY, 0, 0, 0]);

interface Session {
  imu: Characteristic;
  control: Characteristic;
  byUuid: Map<string, Characteristic>;
}

/** Discover the three services, subscribe to IMU data and control acks, and collect what arrives. */
async function open(peripheral: Peripheral, frames: ImuFrame[], acks: ControlAck[], rawAcks: number[][] = []): Promise<Session> {
  const { characteristics } = await peripheral.discoverSomeServicesAndCharacteristicsAsync(
    [SERVICE, BATTERY_SERVICE_UUID, DEVICE_INFO_SERVICE_UUID],
    [],
  );
  const byUuid = new Map(characteristics.map((c) => [c.uuid, c]));
  const imu = byUuid.get(nobleUuid(IMU_DATA_CHAR_UUID))!;
  const control = byUuid.get(nobleUuid(CONTROL_CHAR_UUID))!;
  imu.on('data', (data: Buffer, isNotification: boolean) => {
    expect(isNotification).toBe(true);
    frames.push(decodeImuFrame(data));
  });
  control.on('data', (data: Buffer) => {
    rawAcks.push(Array.from(data));
    // An ack of an op the profile does not define has no ControlAck form; rawAcks keeps it.
    if (rawAcks[rawAcks.length - 1][0] !== 0x80 + 0x77) acks.push(decodeControlAck(data));
  });
  await imu.subscribeAsync();
  await control.subscribeAsync();
  return { imu, control, byUuid };
}

async function send(control: Characteristic, cmd: ControlCommand): Promise<void> {
  await control.writeAsync(Buffer.from(encodeControlCommand(cmd)), false);
}

function poweredOn(noble: Noble): Promise<string> {
  return new Promise((resolve) => noble.on('stateChange', resolve));
}

/** Seq gaps (frames missing between consecutive distinct seqs, and before the first) and adjacent repeats. */
function seqAccounting(seqs: readonly number[], firstExpected: number): { missing: number; repeats: number } {
  let missing = (seqs[0] - firstExpected + 65536) % 65536;
  let repeats = 0;
  for (let i = 1; i < seqs.length; i++) {
    const step = (seqs[i] - seqs[i - 1] + 65536) % 65536;
    if (step === 0) repeats++;
    else missing += step - 1;
  }
  return { missing, repeats };
}

describe('noble through with-bindings against the virtual peripheral', () => {
  it('scans, connects, reads, streams through a lossy link, cues a haptic, and reconnects', async () => {
    const offset = U32 - 12_000_000; // the u32 timestamp wraps 12 s into the session
    const firmware = new SensorFirmware({ serial: 'SQM1-00BEEF', sampler: rocking, clockDriftPpm: 40, clockOffsetUs: offset });
    const link = new LinkFaultModel(
      { lossRate: 0.05, meanBurstLength: 3, duplicateRate: 0.01, outages: [{ start: 60, duration: 3 }] },
      2024,
    );
    const binding = new VirtualBleBinding();
    const sensor = binding.addSensor({ firmware, link, rssi: -55 });
    binding.addSensor({ firmware: new SensorFirmware({ serial: 'SQM1-000C01', sampler: still }), rssi: -70 });
    const noble = nobleWithBindings(binding);
    const warnings: string[] = [];
    noble.on('warning', (w: string) => warnings.push(w));

    expect(await poweredOn(noble)).toBe('poweredOn');

    // ── scan and discover both sensors by name and RSSI
    const seen: Peripheral[] = [];
    noble.on('discover', (p: Peripheral) => seen.push(p));
    await noble.startScanningAsync([SERVICE], false);
    await binding.advanceBy(0.5);
    await noble.stopScanningAsync();
    expect(seen.map((p) => [p.advertisement.localName, p.rssi])).toEqual([
      ['squatmon-BEEF', -55],
      ['squatmon-0C01', -70],
    ]);
    expect(seen[0].advertisement.serviceUuids).toEqual([SERVICE]);
    const peripheral = seen[0];
    expect(peripheral.id).toBe(sensor.id);

    // ── connect, discover, read Device Information, battery and status
    await peripheral.connectAsync();
    expect(peripheral.state).toBe('connected');
    expect(peripheral.mtu).toBe(23);
    const frames: ImuFrame[] = [];
    const acks: ControlAck[] = [];
    let session = await open(peripheral, frames, acks);
    const text = async (uuid: string) => (await session.byUuid.get(uuid)!.readAsync()).toString('utf8');
    expect(await text(SERIAL_NUMBER_CHAR_UUID)).toBe('SQM1-00BEEF');
    expect((await text(MANUFACTURER_NAME_CHAR_UUID)).length).toBeGreaterThan(0);
    expect((await text(FIRMWARE_REVISION_CHAR_UUID)).length).toBeGreaterThan(0);
    expect(decodeBatteryLevel(await session.byUuid.get(BATTERY_LEVEL_CHAR_UUID)!.readAsync())).toBe(100);
    expect(decodeStatus(await session.byUuid.get(nobleUuid(STATUS_CHAR_UUID))!.readAsync()).streaming).toBe(false);
    expect(session.imu.properties).toEqual(['notify']);
    expect(session.control.properties).toEqual(['write', 'notify']);

    // ── stream 30 s through 5 % burst loss and 1 % duplicates
    await send(session.control, { op: 'start_stream', token: 1 });
    await binding.advanceBy(30);
    await send(session.control, { op: 'stop_stream', token: 2 });
    await binding.advanceBy(0.2); // let the last notifications arrive
    expect(acks).toEqual([
      { op: 'start_stream', token: 1, status: 'ok' },
      { op: 'stop_stream', token: 2, status: 'ok' },
    ]);
    expect(frames.length).toBeGreaterThan(2700);

    // Every received sample is exactly what the firmware computed from the sampler at that sample's time.
    const truth = new Float64Array(6);
    for (const frame of frames) {
      expect(frameSampleCount(frame)).toBe(1);
      const sensorUs = frame.timestampUs < offset ? frame.timestampUs + U32 : frame.timestampUs;
      rocking(firmware.clock.trueTimeOf(sensorUs), truth);
      // Through an Int16Array, as the frame stores them (a count rounded from a tiny negative value is −0).
      const expected = Int16Array.from([
        ...[0, 1, 2].map((a) => accelToCounts(truth[a], frame.accelRangeG)),
        ...[3, 4, 5].map((a) => gyroToCounts(truth[a], frame.gyroRangeDps)),
      ]);
      expect(Array.from(frame.counts)).toEqual(Array.from(expected));
    }
    expect(frames.some((f) => f.timestampUs < offset)).toBe(true); // the wrap went through

    // Seq gaps and repeats are exactly the link model's losses and duplicates.
    const produced = firmware.seq;
    const { missing, repeats } = seqAccounting(
      frames.map((f) => f.seq),
      0,
    );
    const stats = link.stats;
    expect(stats.lost).toBeGreaterThan(0);
    expect(stats.duplicated).toBeGreaterThan(0);
    expect(missing + (produced - 1 - frames[frames.length - 1].seq)).toBe(stats.lost);
    expect(repeats).toBe(stats.duplicated);
    expect(frames.length).toBe(produced - stats.lost + stats.duplicated);

    // ── a haptic cue is played and acknowledged
    const hapticAt = binding.now;
    await send(session.control, { op: 'haptic', token: 3, pulses: 2, onMs: 150, offMs: 100, intensityPct: 70 });
    await binding.advanceBy(0.1);
    expect(acks[acks.length - 1]).toEqual({ op: 'haptic', token: 3, status: 'ok' });
    expect(firmware.hapticPulses).toEqual([{ t: hapticAt, token: 3, pulses: 2, onMs: 150, offMs: 100, intensityPct: 70 }]);

    // ── the central disconnects and reconnects: seq continues
    await peripheral.disconnectAsync();
    expect(peripheral.state).toBe('disconnected');
    expect(sensor.connection).toBe('disconnected');
    await binding.advanceBy(1);
    await peripheral.connectAsync();
    const afterReconnect: ImuFrame[] = [];
    session = await open(peripheral, afterReconnect, acks);
    await send(session.control, { op: 'start_stream', token: 4 });
    await binding.advanceTo(59);
    expect(afterReconnect.length).toBeGreaterThan(1000);
    expect(afterReconnect[0].seq).toBeGreaterThanOrEqual(produced);
    expect(afterReconnect[0].seq - produced).toBeLessThan(20);

    // ── the link drops at 60 s for 3 s: noble sees a connection timeout; a reconnect completes when it is back
    const lostLink = new Promise<number>((resolve) => peripheral.once('disconnect', resolve));
    await binding.advanceTo(61);
    expect(await lostLink).toBe(DISCONNECT_REASON.connectionTimeout);
    const lastBeforeDrop = afterReconnect[afterReconnect.length - 1].seq;
    let connected = false;
    const reconnect = peripheral.connectAsync().then(() => (connected = true));
    await binding.advanceTo(62.9);
    expect(connected).toBe(false);
    await binding.advanceTo(63.1);
    await reconnect;
    const afterOutage: ImuFrame[] = [];
    session = await open(peripheral, afterOutage, acks);
    await send(session.control, { op: 'start_stream', token: 5 });
    await binding.advanceTo(65);
    expect(afterOutage.length).toBeGreaterThan(100);
    expect(afterOutage[0].seq).toBeGreaterThan(lastBeforeDrop);
    expect(afterOutage[0].seq - lastBeforeDrop).toBeLessThan(20);
    expect(link.stats.lostToDisconnect).toBeGreaterThan(0); // in flight when the link dropped
    expect(acks.slice(-2).map((a) => [a.token, a.status])).toEqual([
      [4, 'ok'],
      [5, 'ok'],
    ]);
    expect(decodeBatteryLevel(await session.byUuid.get(BATTERY_LEVEL_CHAR_UUID)!.readAsync())).toBe(firmware.batteryPct);

    // The whole session: once nothing is in flight, every seq the firmware used is accounted for.
    await send(session.control, { op: 'stop_stream', token: 6 });
    await binding.advanceBy(0.2);
    expect(link.inFlightCount).toBe(0);
    const all = [...frames, ...afterReconnect, ...afterOutage].map((f) => f.seq);
    const total = seqAccounting(all, 0);
    const end = link.stats;
    expect(total.repeats).toBe(end.duplicated);
    expect(total.missing + (firmware.seq - 1 - all[all.length - 1])).toBe(end.lost + end.lostToDisconnect);

    await peripheral.disconnectAsync();
    expect(warnings).toEqual([]);
  });

  it('answers a malformed control write with an error ack and a haptic during a pattern with busy', async () => {
    const binding = new VirtualBleBinding();
    binding.addSensor({ firmware: new SensorFirmware({ serial: 'SQM1-001234', sampler: still, attMtu: 247, maxFrameAgeUs: Infinity }) });
    const noble = nobleWithBindings(binding);
    await poweredOn(noble);
    const found = new Promise<Peripheral>((resolve) => noble.once('discover', resolve));
    await noble.startScanningAsync([SERVICE], false);
    const peripheral = await found;
    await noble.stopScanningAsync();
    await peripheral.connectAsync();
    expect(peripheral.mtu).toBe(247);
    const frames: ImuFrame[] = [];
    const acks: ControlAck[] = [];
    const rawAcks: number[][] = [];
    const { control } = await open(peripheral, frames, acks, rawAcks);

    await control.writeAsync(Buffer.from([0x03, 9, 0x2c, 0x01]), false); // 300 Hz
    await control.writeAsync(Buffer.from([0x77, 10]), false); // unknown op
    await send(control, { op: 'haptic', token: 11, pulses: 3, onMs: 200, offMs: 200, intensityPct: 50 });
    await send(control, { op: 'haptic', token: 12, pulses: 1, onMs: 100, offMs: 0, intensityPct: 50 });
    await send(control, { op: 'start_stream', token: 13 });
    await binding.advanceBy(1);
    expect(acks.map((a) => [a.op, a.token, a.status])).toEqual([
      ['set_rate', 9, 'invalid_parameter'],
      ['haptic', 11, 'ok'],
      ['haptic', 12, 'busy'],
      ['start_stream', 13, 'ok'],
    ]);
    expect(rawAcks[1]).toEqual([0x80 | 0x77, 10, 2]); // unsupported
    expect(frames.length).toBe(5); // 100 samples at 19 per frame
    expect(frames.every((f) => frameSampleCount(f) === 19)).toBe(true);
    await peripheral.disconnectAsync();
  });

  it('runs on a clock in realtime mode and stops its timer on stop()', async () => {
    let clockS = 1000; // an injected monotonic clock: the content of the test does not depend on real time
    const binding = new VirtualBleBinding({ time: 'realtime', tickMs: 5, clock: () => clockS });
    const firmware = new SensorFirmware({ serial: 'SQM1-00FADE', sampler: still });
    binding.addSensor({ firmware });
    const noble = nobleWithBindings(binding);
    await poweredOn(noble);
    const found = new Promise<Peripheral>((resolve) => noble.once('discover', resolve));
    await noble.startScanningAsync([SERVICE], false);
    const peripheral = await found;
    await noble.stopScanningAsync();
    await peripheral.connectAsync();
    const frames: ImuFrame[] = [];
    const { control } = await open(peripheral, frames, []);
    await send(control, { op: 'start_stream', token: 1 });
    clockS += 0.5;
    while (frames.length < 50) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(binding.now).toBeCloseTo(0.5, 9);
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: frames.length }, (_, i) => i));
    binding.stop();
    clockS += 1;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(binding.now).toBeCloseTo(0.5, 9);
    expect(frames.length).toBe(50);
  });

  it('serves descriptors, handles and RSSI like a GATT server', async () => {
    const binding = new VirtualBleBinding();
    const sensor = binding.addSensor({ firmware: new SensorFirmware({ serial: 'SQM1-00ABCD', sampler: still }), rssi: -48 });
    const noble = nobleWithBindings(binding);
    await poweredOn(noble);
    const found = new Promise<Peripheral>((resolve) => noble.once('discover', resolve));
    await noble.startScanningAsync([], false);
    const peripheral = await found;
    await noble.stopScanningAsync();
    await peripheral.connectAsync();
    expect(await peripheral.updateRssiAsync()).toBe(-48);
    const { characteristics } = await peripheral.discoverAllServicesAndCharacteristicsAsync();
    expect(characteristics).toHaveLength(4 + 5);
    const imu = characteristics.find((c) => c.uuid === nobleUuid(IMU_DATA_CHAR_UUID))!;
    const serial = characteristics.find((c) => c.uuid === SERIAL_NUMBER_CHAR_UUID)!;
    const [cccd] = await imu.discoverDescriptorsAsync();
    expect(cccd.uuid).toBe('2902');
    expect(Array.from(await cccd.readValueAsync())).toEqual([0, 0]);
    await cccd.writeValueAsync(Buffer.from([1, 0]));
    expect(sensor.subscriptions.has('imu')).toBe(true);
    expect(await serial.discoverDescriptorsAsync()).toEqual([]);
    const handle = findCharacteristic(DEVICE_INFO_SERVICE_UUID, SERIAL_NUMBER_CHAR_UUID)!.valueHandle;
    expect((await peripheral.readHandleAsync(handle)).toString('utf8')).toBe('SQM1-00ABCD');
    await peripheral.disconnectAsync();
    expect(sensor.subscriptions.size).toBe(0);
  });
});
