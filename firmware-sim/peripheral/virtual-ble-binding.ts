/**
 * A noble binding (the object `@abandonware/noble/with-bindings.js` wraps) that hosts virtual squatmon sensors
 * instead of talking to a Bluetooth adapter. The real noble code path runs on top of it: noble calls the
 * methods below (the set lib/hci-socket/bindings.js implements in noble 1.9.2-26) and listens for the events
 * they answer with. Events are always emitted later, from a setImmediate drain, never inside the call.
 *
 * Each sensor is a SensorFirmware behind a LinkFaultModel: firmware notifications the central subscribed to
 * go through the link (loss, duplicates, latency, outages) and arrive as `read` events with
 * isNotification = true at their receive time. A link outage drops the connection (`disconnect`, reason
 * 0x08 connection timeout); a connect attempt while the link is down completes when it comes back, as a
 * central's pending connection completes when the sensor advertises again.
 *
 * Time has two modes:
 * - manual: tests call `advanceTo(t)` / `advanceBy(dt)` (simulation seconds); events follow deterministically,
 *   and the returned promise resolves once every event up to `t` has been emitted.
 * - realtime: from `init()` a timer (every `tickMs`, unref'd) advances the sensors to the elapsed monotonic
 *   time, for the live `--sim` gateway; `stop()` clears it.
 * GATT operations take effect at the binding's current time (a real ATT round trip is not modelled).
 *
 * Errors that a real ATT server reports (reading a non-readable characteristic, a malformed control write, a
 * GATT operation while not connected) get no answer, which is what noble's hci binding surfaces for them:
 * the caller's own timeout must catch it.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { SQUATMON_SERVICE_UUID, nobleUuid } from '../../shared/protocol/index.ts';
import type { Notification, NotifyingCharacteristic, SensorFirmware } from '../firmware/sensor-firmware.ts';
import { IDEAL_LINK, LinkFaultModel } from '../link/link-fault-model.ts';
import { CCCD_UUID, SQUATMON_GATT, findByHandle, findCharacteristic, findNotifying, findService } from './gatt-table.ts';
import type { GattCharacteristic } from './gatt-table.ts';

/** HCI disconnect reasons noble passes on as the peripheral's `disconnect` argument. */
export const DISCONNECT_REASON = {
  connectionTimeout: 0x08,
  remoteUserTerminated: 0x13,
  localHostTerminated: 0x16,
} as const;

export interface VirtualSensorOptions {
  readonly firmware: SensorFirmware;
  /** The link between this sensor and the central. Default: ideal (no loss, no latency). */
  readonly link?: LinkFaultModel;
  /** Received signal strength reported on discovery and rssiUpdate, dBm. Default −60. */
  readonly rssi?: number;
  /** BLE address, `xx:xx:xx:xx:xx:xx`. Default: a random static address derived from the sensor's index. */
  readonly address?: string;
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

export interface VirtualBleBindingOptions {
  /** Default 'manual'. */
  readonly time?: 'manual' | 'realtime';
  /** Realtime mode: how often the sensors are advanced, ms. Default 10. */
  readonly tickMs?: number;
  /** Realtime mode: monotonic clock in seconds. Default performance.now() / 1000. */
  readonly clock?: () => number;
}

/** One virtual sensor as the binding hosts it. */
export class VirtualSensor {
  /** noble's peripheral id: the address without colons. */
  readonly id: string;
  readonly subscriptions = new Set<NotifyingCharacteristic>();
  connection: ConnectionState = 'disconnected';
  /** When connecting while the link is down: the true time the link comes back. */
  connectAt = Infinity;
  /** While scanning, when the sensor will be seen advertising again (after a disconnect). */
  advertiseAt = Infinity;

  constructor(
    readonly firmware: SensorFirmware,
    readonly link: LinkFaultModel,
    readonly address: string,
    readonly rssi: number,
  ) {
    this.id = address.replace(/:/g, '').toLowerCase();
  }

  get localName(): string {
    return this.firmware.localName;
  }
}

interface TimedEvent {
  readonly t: number;
  readonly args: readonly [string, ...unknown[]];
}

const SQUATMON_SERVICE = nobleUuid(SQUATMON_SERVICE_UUID);

export class VirtualBleBinding extends EventEmitter {
  private readonly sensorList: VirtualSensor[] = [];
  private readonly mode: 'manual' | 'realtime';
  private readonly tickMs: number;
  private readonly clock: () => number;
  private clockOrigin = 0;
  private timer: NodeJS.Timeout | null = null;
  private nowT = 0;
  private scanning = false;
  private scanFilter: string[] = [];
  private readonly outbox: (readonly [string, ...unknown[]] | (() => void))[] = [];
  private drainScheduled = false;

  constructor(options: VirtualBleBindingOptions = {}) {
    super();
    this.mode = options.time ?? 'manual';
    this.tickMs = options.tickMs ?? 10;
    this.clock = options.clock ?? (() => performance.now() / 1000);
  }

  /** Simulation time the sensors have reached, s. */
  get now(): number {
    return this.nowT;
  }

  get sensors(): readonly VirtualSensor[] {
    return this.sensorList;
  }

  /** Host a sensor. Its firmware must not be ahead of the binding's time; it is brought up to it. */
  addSensor(options: VirtualSensorOptions): VirtualSensor {
    const index = this.sensorList.length + 1;
    const address =
      options.address ?? `c5:5a:00:00:${((index >> 8) & 0xff).toString(16).padStart(2, '0')}:${(index & 0xff).toString(16).padStart(2, '0')}`;
    const sensor = new VirtualSensor(options.firmware, options.link ?? new LinkFaultModel(IDEAL_LINK, 0), address, options.rssi ?? -60);
    sensor.firmware.advanceTo(this.nowT);
    this.sensorList.push(sensor);
    if (this.scanning) this.postDiscoverIfVisible(sensor);
    return sensor;
  }

  sensor(id: string): VirtualSensor | undefined {
    return this.sensorList.find((s) => s.id === id);
  }

  // ── time ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Manual mode: run everything up to simulation time t; resolves once the events up to t were emitted. */
  advanceTo(t: number): Promise<void> {
    if (this.mode !== 'manual') throw new Error('advanceTo is for manual time; realtime follows the clock');
    this.step(t);
    return this.drained();
  }

  advanceBy(dt: number): Promise<void> {
    return this.advanceTo(this.nowT + dt);
  }

  /** Resolves once every event posted so far has been emitted. */
  drained(): Promise<void> {
    return new Promise((resolve) => this.post(resolve));
  }

  /** Stop the realtime timer (idempotent). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  // ── the noble binding interface ────────────────────────────────────────────────────────────────────────

  init(): void {
    if (this.mode === 'realtime' && this.timer === null) {
      this.clockOrigin = this.clock() - this.nowT;
      this.timer = setInterval(() => this.step(this.clock() - this.clockOrigin), this.tickMs);
      this.timer.unref();
    }
    this.post(['addressChange', '00:00:00:00:00:00']);
    this.post(['stateChange', 'poweredOn']);
  }

  setScanParameters(): void {
    this.post(['scanParametersSet']);
  }

  startScanning(serviceUuids?: string[], allowDuplicates?: boolean): void {
    this.syncClock();
    this.scanning = true;
    this.scanFilter = (serviceUuids ?? []).map(nobleUuid);
    this.post(['scanStart', !allowDuplicates]);
    for (const sensor of this.sensorList) this.postDiscoverIfVisible(sensor);
  }

  stopScanning(): void {
    this.scanning = false;
    this.post(['scanStop']);
  }

  connect(peripheralUuid: string): void {
    this.syncClock();
    const sensor = this.sensor(peripheralUuid);
    if (sensor === undefined) {
      this.post(['connect', peripheralUuid, new Error(`unknown peripheral ${peripheralUuid}`)]);
      return;
    }
    if (sensor.connection !== 'disconnected') return;
    const outage = sensor.link.outageAt(this.nowT);
    if (outage === null) this.establish(sensor, this.nowT, (args) => this.post(args));
    else {
      sensor.connection = 'connecting';
      sensor.connectAt = outage.start + outage.duration;
    }
  }

  cancelConnect(peripheralUuid: string): void {
    const sensor = this.sensor(peripheralUuid);
    if (sensor?.connection === 'connecting') {
      sensor.connection = 'disconnected';
      sensor.connectAt = Infinity;
    }
  }

  disconnect(peripheralUuid: string): void {
    this.syncClock();
    const sensor = this.sensor(peripheralUuid);
    if (sensor === undefined || sensor.connection === 'disconnected') return;
    this.close(sensor, this.nowT, DISCONNECT_REASON.localHostTerminated, (args) => this.post(args));
  }

  /** Drop every connection and stop scanning, as an adapter reset does. */
  reset(): void {
    this.syncClock();
    this.scanning = false;
    for (const sensor of this.sensorList) {
      if (sensor.connection !== 'disconnected') this.close(sensor, this.nowT, DISCONNECT_REASON.localHostTerminated, (args) => this.post(args));
    }
    this.post(['stateChange', 'poweredOn']);
  }

  updateRssi(peripheralUuid: string): void {
    const sensor = this.connected(peripheralUuid);
    if (sensor !== undefined) this.post(['rssiUpdate', sensor.id, sensor.rssi]);
  }

  discoverServices(peripheralUuid: string, uuids?: string[]): void {
    const sensor = this.connected(peripheralUuid);
    if (sensor === undefined) return;
    const wanted = (uuids ?? []).map(nobleUuid);
    const found = SQUATMON_GATT.map((s) => s.uuid).filter((u) => wanted.length === 0 || wanted.includes(u));
    this.post(['servicesDiscover', sensor.id, found]);
  }

  discoverIncludedServices(peripheralUuid: string, serviceUuid: string): void {
    const sensor = this.connected(peripheralUuid);
    if (sensor !== undefined) this.post(['includedServicesDiscover', sensor.id, serviceUuid, []]);
  }

  discoverCharacteristics(peripheralUuid: string, serviceUuid: string, characteristicUuids?: string[]): void {
    const sensor = this.connected(peripheralUuid);
    if (sensor === undefined) return;
    const wanted = (characteristicUuids ?? []).map(nobleUuid);
    const found = (findService(serviceUuid)?.characteristics ?? [])
      .filter((c) => wanted.length === 0 || wanted.includes(c.uuid))
      .map((c) => ({ uuid: c.uuid, properties: [...c.properties] }));
    this.post(['characteristicsDiscover', sensor.id, serviceUuid, found]);
  }

  read(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    this.syncClock();
    const sensor = this.connected(peripheralUuid);
    const characteristic = findCharacteristic(serviceUuid, characteristicUuid);
    if (sensor === undefined || characteristic?.reads === undefined) return;
    const data = Buffer.from(sensor.firmware.read(characteristic.reads));
    this.post(['read', sensor.id, serviceUuid, characteristicUuid, data, false]);
  }

  write(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, data: ArrayBufferView): void {
    this.syncClock();
    const sensor = this.connected(peripheralUuid);
    const characteristic = findCharacteristic(serviceUuid, characteristicUuid);
    if (sensor === undefined || characteristic === undefined) return;
    this.writeCharacteristic(sensor, characteristic, data, ['write', sensor.id, serviceUuid, characteristicUuid]);
  }

  /** No characteristic of the profile has the broadcast property: the server refuses, so no answer. */
  broadcast(): void {}

  notify(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, enable: boolean): void {
    this.syncClock();
    const sensor = this.connected(peripheralUuid);
    const characteristic = findCharacteristic(serviceUuid, characteristicUuid);
    if (sensor === undefined || characteristic?.notifies === undefined) return;
    this.setSubscribed(sensor, characteristic, enable);
    this.post(['notify', sensor.id, serviceUuid, characteristicUuid, enable]);
  }

  discoverDescriptors(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    const sensor = this.connected(peripheralUuid);
    const characteristic = findCharacteristic(serviceUuid, characteristicUuid);
    if (sensor === undefined || characteristic === undefined) return;
    const descriptors = characteristic.cccdHandle === undefined ? [] : [CCCD_UUID];
    this.post(['descriptorsDiscover', sensor.id, serviceUuid, characteristicUuid, descriptors]);
  }

  readValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string): void {
    const sensor = this.connected(peripheralUuid);
    const characteristic = findCharacteristic(serviceUuid, characteristicUuid);
    if (sensor === undefined || characteristic?.notifies === undefined || nobleUuid(descriptorUuid) !== CCCD_UUID) return;
    const data = cccdValue(sensor.subscriptions.has(characteristic.notifies));
    this.post(['valueRead', sensor.id, serviceUuid, characteristicUuid, descriptorUuid, data]);
  }

  writeValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string, data: ArrayBufferView): void {
    this.syncClock();
    const sensor = this.connected(peripheralUuid);
    const characteristic = findCharacteristic(serviceUuid, characteristicUuid);
    const bytes = bytesOf(data);
    if (sensor === undefined || characteristic?.notifies === undefined || nobleUuid(descriptorUuid) !== CCCD_UUID || bytes.length !== 2) return;
    this.setSubscribed(sensor, characteristic, (bytes[0] & 1) !== 0);
    this.post(['valueWrite', sensor.id, serviceUuid, characteristicUuid, descriptorUuid]);
  }

  readHandle(peripheralUuid: string, handle: number): void {
    this.syncClock();
    const sensor = this.connected(peripheralUuid);
    const found = findByHandle(handle);
    if (sensor === undefined || found === undefined) return;
    const { characteristic, isCccd } = found;
    if (isCccd) {
      this.post(['handleRead', sensor.id, handle, cccdValue(characteristic.notifies !== undefined && sensor.subscriptions.has(characteristic.notifies))]);
    } else if (characteristic.reads !== undefined) {
      this.post(['handleRead', sensor.id, handle, Buffer.from(sensor.firmware.read(characteristic.reads))]);
    }
  }

  writeHandle(peripheralUuid: string, handle: number, data: ArrayBufferView): void {
    this.syncClock();
    const sensor = this.connected(peripheralUuid);
    const found = findByHandle(handle);
    if (sensor === undefined || found === undefined) return;
    const { characteristic, isCccd } = found;
    if (isCccd) {
      const bytes = bytesOf(data);
      if (bytes.length !== 2) return;
      this.setSubscribed(sensor, characteristic, (bytes[0] & 1) !== 0);
      this.post(['handleWrite', sensor.id, handle]);
    } else {
      this.writeCharacteristic(sensor, characteristic, data, ['handleWrite', sensor.id, handle]);
    }
  }

  // ── the simulated side ─────────────────────────────────────────────────────────────────────────────────

  /** The sensor ends the connection itself (e.g. its firmware decided to), reason 0x13. */
  disconnectFromSensor(peripheralUuid: string): void {
    this.syncClock();
    const sensor = this.sensor(peripheralUuid);
    if (sensor?.connection !== 'connected') return;
    this.close(sensor, this.nowT, DISCONNECT_REASON.remoteUserTerminated, (args) => this.post(args));
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────────────

  private connected(peripheralUuid: string): VirtualSensor | undefined {
    const sensor = this.sensor(peripheralUuid);
    return sensor?.connection === 'connected' ? sensor : undefined;
  }

  /** Realtime mode: GATT operations happen at the current clock time. */
  private syncClock(): void {
    if (this.timer !== null) this.step(this.clock() - this.clockOrigin);
  }

  /** Advance every sensor to t and post what happened, in time order across sensors. */
  private step(t: number): void {
    if (!(t >= this.nowT)) {
      if (this.mode === 'realtime') return; // a clock read racing a tick; nothing to do
      throw new RangeError(`time went backwards: ${t} < ${this.nowT}`);
    }
    const events: TimedEvent[] = [];
    for (const sensor of this.sensorList) this.advanceSensor(sensor, t, events);
    events.sort((a, b) => a.t - b.t); // stable: per-sensor order is kept at equal times
    this.nowT = t;
    for (const e of events) this.post(e.args);
  }

  private advanceSensor(sensor: VirtualSensor, tEnd: number, events: TimedEvent[]): void {
    const emit = (t: number) => (args: readonly [string, ...unknown[]]) => events.push({ t, args });
    for (;;) {
      const { firmware, link } = sensor;
      if (sensor.connection === 'connected') {
        const drop = link.nextOutageStartAfter(firmware.now);
        const segmentEnd = Math.min(tEnd, drop);
        this.transmit(sensor, firmware.advanceTo(segmentEnd), segmentEnd, events);
        if (drop > tEnd) return;
        this.close(sensor, drop, DISCONNECT_REASON.connectionTimeout, emit(drop));
        continue;
      }
      if (sensor.connection === 'connecting' && sensor.connectAt <= tEnd) {
        firmware.advanceTo(sensor.connectAt); // nobody is connected: whatever it sends goes nowhere
        this.establish(sensor, sensor.connectAt, emit(sensor.connectAt));
        continue;
      }
      if (this.scanning && sensor.connection === 'disconnected' && sensor.advertiseAt <= tEnd) {
        firmware.advanceTo(sensor.advertiseAt);
        this.postDiscoverIfVisible(sensor, emit(sensor.advertiseAt));
        continue;
      }
      firmware.advanceTo(tEnd);
      return;
    }
  }

  /** Firmware notifications into the link (if subscribed), then everything received by `until` out. */
  private transmit(sensor: VirtualSensor, notifications: readonly Notification[], until: number, events: TimedEvent[]): void {
    for (const n of notifications) if (sensor.subscriptions.has(n.characteristic)) sensor.link.send(n);
    for (const d of sensor.link.receiveUntil(until)) {
      const { service, characteristic } = findNotifying(d.characteristic);
      events.push({ t: d.t, args: ['read', sensor.id, service.uuid, characteristic.uuid, Buffer.from(d.data), true] });
    }
  }

  private establish(sensor: VirtualSensor, t: number, emit: (args: readonly [string, ...unknown[]]) => void): void {
    sensor.connection = 'connected';
    sensor.connectAt = Infinity;
    sensor.advertiseAt = Infinity;
    sensor.firmware.advanceTo(t);
    emit(['connect', sensor.id, null]);
    emit(['onMtu', sensor.id, sensor.firmware.attMtu]);
  }

  private close(sensor: VirtualSensor, t: number, reason: number, emit: (args: readonly [string, ...unknown[]]) => void): void {
    sensor.firmware.disconnected(t); // whatever it still sends goes nowhere
    sensor.link.dropInFlight();
    sensor.subscriptions.clear(); // not bonded: the CCCDs reset with the connection
    sensor.connection = 'disconnected';
    sensor.connectAt = Infinity;
    const outage = sensor.link.outageAt(t);
    sensor.advertiseAt = outage === null ? t : outage.start + outage.duration;
    emit(['disconnect', sensor.id, reason]);
    if (this.scanning && sensor.advertiseAt === t) this.postDiscoverIfVisible(sensor, emit);
  }

  private postDiscoverIfVisible(
    sensor: VirtualSensor,
    emit: (args: readonly [string, ...unknown[]]) => void = (args) => this.post(args),
  ): void {
    if (sensor.connection !== 'disconnected') return;
    const outage = sensor.link.outageAt(Math.max(this.nowT, sensor.firmware.now));
    // Out of radio range the sensor is not seen; it shows up when the link comes back.
    sensor.advertiseAt = outage === null ? Infinity : outage.start + outage.duration;
    if (outage !== null) return;
    if (this.scanFilter.length > 0 && !this.scanFilter.includes(SQUATMON_SERVICE)) return;
    const advertisement = {
      localName: sensor.localName,
      txPowerLevel: 0,
      manufacturerData: undefined,
      serviceData: [],
      serviceUuids: [SQUATMON_SERVICE],
      serviceSolicitationUuids: [],
    };
    emit(['discover', sensor.id, sensor.address, 'random', true, advertisement, sensor.rssi, true]);
  }

  /**
   * A write to a characteristic value: the write response (unless the server refuses the write), then
   * whatever the write made the sensor send that is already received (with an ideal link: the ack).
   */
  private writeCharacteristic(
    sensor: VirtualSensor,
    characteristic: GattCharacteristic,
    data: ArrayBufferView,
    response: readonly [string, ...unknown[]],
  ): void {
    if (characteristic.writes === undefined) return;
    const result = sensor.firmware.write(characteristic.writes, bytesOf(data), this.nowT);
    if (result.attError === null) this.post(response);
    const received: TimedEvent[] = [];
    this.transmit(sensor, result.notifications, this.nowT, received);
    for (const e of received) this.post(e.args);
  }

  private setSubscribed(sensor: VirtualSensor, characteristic: GattCharacteristic, enable: boolean): void {
    if (characteristic.notifies === undefined) return;
    if (enable) sensor.subscriptions.add(characteristic.notifies);
    else sensor.subscriptions.delete(characteristic.notifies);
  }

  /** Queue an event (or a callback) for the next drain; never emit synchronously inside a binding call. */
  private post(item: readonly [string, ...unknown[]] | (() => void)): void {
    this.outbox.push(item);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.drainScheduled = false;
    // Only what was queued before this drain: answers to calls made by listeners come on a later turn.
    const batch = this.outbox.splice(0, this.outbox.length);
    for (const item of batch) {
      if (typeof item === 'function') item();
      else this.emit(...item);
    }
  }
}

/** A private copy of the bytes of whatever view noble passed (Buffer, Uint8Array, Uint16Array, Uint32Array). */
function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}

function cccdValue(subscribed: boolean): Buffer {
  return Buffer.from([subscribed ? 1 : 0, 0]);
}
