/**
 * Keeps the configured sensors connected and streaming, through noble (real adapter or simulator binding).
 *
 * - Waits for the adapter to be poweredOn; if it is not within `poweredOnTimeoutMs`, reports why
 *   (BluetoothUnavailableError, logged and emitted) and keeps listening — noble re-initialises by itself when
 *   the adapter comes up — repeating the report every `unavailableRepeatMs`.
 * - Scans (unfiltered: several supported sensors do not advertise their service UUID, and the HCI binding
 *   filters in software anyway) while any assignment has no peripheral yet; binds each discovered peripheral to
 *   an assignment: explicit matches (address or local name) first, then the first free assignment whose driver
 *   recognises the advertisement.
 * - Connects ONE sensor at a time, through the whole setup (connect, discover, subscribe, read, start writes):
 *   controllers handle one pending LE connection at a time, and scanning is paused meanwhile because many refuse
 *   to connect while scanning. Every GATT step has a timeout; a step that fails or times out ends the attempt,
 *   the link is closed, and a reconnect is scheduled with backoff (backoff.ts).
 * - On a drop: the sensor is reported disconnected and reconnected (first retry at once after a connection
 *   that lasted `quickRetryAfterS`; the backoff starts over only after a stable one). Its decoder is KEPT
 *   across reconnects, so sequence numbers and the clock mapping continue:
 *   notifications repeated after the reconnect are dropped, frames lost around it are counted, and the time
 *   hole is reported as a `gap` (last sample before → first sample after) so the set resumes across it. A
 *   sensor whose frame counter started afresh (reboot; PROTOCOL.md §9 lets firmware restart it per connection)
 *   looks like an endless run of repeats to the kept decoder: after `counterRestartAfter` of them the decoder is
 *   replaced.
 * - Samples of a sensor leave strictly increasing in time (a sample not after the previous one is discarded and
 *   counted), as recordings and the sensing core require.
 */
import { EventEmitter } from 'node:events';
import type { Characteristic, Peripheral } from '@abandonware/noble';
import type { ImuSample } from '../../shared/imu.ts';
import { ImpossibleSampleGate } from '../ingest/impossible-samples.ts';
import type { SensorAssignment, SensorState } from '../core/domain.ts';
import type { Logger } from '../core/logger.ts';
import { Backoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { DRIVERS } from './drivers/index.ts';
import type { Advertisement, HapticPattern, SensorDecoder, SensorDriver } from './drivers/index.ts';
import {
  GattStepError,
  connectPeripheral,
  disconnectPeripheral,
  discoverCharacteristics,
  discoverServices,
  readCharacteristic,
  subscribeCharacteristic,
  pauseBetweenSteps,
  writeCharacteristic,
} from './gatt-steps.ts';
import { BluetoothUnavailableError, bluetoothErrorForState, bluetoothErrorFrom } from './noble-loader.ts';
import type { Noble } from './noble-loader.ts';

export interface GattTimeouts {
  readonly connectMs: number;
  readonly discoverMs: number;
  readonly readMs: number;
  readonly subscribeMs: number;
  readonly writeMs: number;
}

export const DEFAULT_GATT_TIMEOUTS: GattTimeouts = {
  connectMs: 10_000,
  discoverMs: 5000,
  readMs: 3000,
  subscribeMs: 5000,
  writeMs: 3000,
};

/** A sensor's state as the connection manager knows it; the service adds `athlete` and `simulated`. */
export type SensorLinkState = Omit<SensorState, 'athlete' | 'simulated'>;

/** Counters per sensor, for logs, diagnostics and tests. */
export interface SensorLinkStats {
  /** Connections that completed their setup. */
  readonly connections: number;
  /** Attempts that failed (a step failed or timed out, or the link dropped during setup). */
  readonly failedAttempts: number;
  readonly framesLost: number;
  /** Notifications dropped as repeats (sequence number already seen). */
  readonly duplicates: number;
  /** Notifications the decoder refused. */
  readonly rejected: number;
  /** Samples discarded because their time was not after the previous sample's. */
  readonly outOfOrder: number;
}

export interface ConnectionManagerEvents {
  samples: [sensorId: string, samples: ImuSample[]];
  'sensor-state': [state: SensorLinkState];
  /** A reconnect left a hole in a sensor's samples: no samples between fromT and toT (gateway clock, s). */
  gap: [sensorId: string, fromT: number, toT: number];
  'bluetooth-unavailable': [error: BluetoothUnavailableError];
}

export interface ConnectionManagerOptions {
  readonly noble: Noble;
  readonly assignments: readonly SensorAssignment[];
  /** Default: every driver of drivers/index.ts. */
  readonly drivers?: readonly SensorDriver[];
  readonly logger: Logger;
  readonly timeouts?: Partial<GattTimeouts>;
  readonly backoff?: BackoffOptions;
  /** Gateway clock, s: the receive time given to the decoders (the sample timeline). */
  readonly clock: () => number;
  /** Wall clock, ms since the epoch, for `last_seen`. Default Date.now. */
  readonly wallClock?: () => number;
  /** Uniform [0, 1) for the backoff jitter. Default Math.random. */
  readonly random?: () => number;
  /** A connection that lasted this long (gateway clock, s) resets the backoff when it ends. Default 30. */
  readonly stableAfterS?: number;
  /**
   * A connection that lasted this long (gateway clock, s), though less than `stableAfterS`, is retried once at
   * once when it drops; a shorter one backs off. Default 5.
   */
  readonly quickRetryAfterS?: number;
  /** How long to wait for poweredOn before reporting Bluetooth unavailable, ms. Default 10000. */
  readonly poweredOnTimeoutMs?: number;
  /** While Bluetooth stays unavailable, the report is repeated this often, ms. Default 60000. */
  readonly unavailableRepeatMs?: number;
  /** Minimum spacing of routine sensor-state updates (last_seen, frames_lost), gateway clock s. Default 1. */
  readonly stateIntervalS?: number;
  /**
   * After a reconnect, this many notifications in a row that the kept decoder calls repeats, with no new
   * frame among them, mean the sensor started its frame counter afresh (a reboot, or firmware that restarts it
   * per connection, which PROTOCOL.md §9 allows): the decoder is replaced. Longer than any plausible replay of
   * buffered frames. Default 200 (1 s at 200 Hz, one sample per frame).
   */
  readonly counterRestartAfter?: number;
}

type LinkPhase =
  /** No peripheral bound yet: scanning for it. */
  | 'searching'
  /** Bound, not connected; a reconnect is scheduled (or waits for the adapter). */
  | 'waiting'
  | 'queued'
  /** An attempt (connect + setup) is running. */
  | 'connecting'
  | 'connected'
  /** Closing the link after a failed attempt. */
  | 'closing';

/** One assignment and everything known about its sensor. */
class SensorLink {
  peripheral: Peripheral | null = null;
  phase: LinkPhase = 'searching';
  /** Aborted when the current connection (attempt or established) ends. */
  session: AbortController | null = null;
  timer: NodeJS.Timeout | null = null;
  characteristics = new Map<string, Characteristic>();
  connectedAt = 0;
  /** The next attempt goes at once, whatever the backoff says (the link that just dropped was useful). */
  quickRetry = false;
  lastSampleT: number | null = null;
  gapFrom: number | null = null;
  battery: number | null = null;
  rate: number | null = null;
  rssi: number | null = null;
  lastSeenMs: number | null = null;
  warnings = '';
  lastStateAt = -Infinity;
  hapticCount = 0;
  /** Since the current connection began: whether the decoder accepted a frame, and repeats in a row before it. */
  acceptedThisConnection = false;
  repeatsBeforeAccept = 0;
  stats = { connections: 0, failedAttempts: 0, framesLost: 0, duplicates: 0, rejected: 0, outOfOrder: 0 };
  /** Samples dropped as impossible (ingest/impossible-samples.ts), for the sensor state. */
  readonly impossible = new ImpossibleSampleGate();
  onDisconnect: ((reason: unknown) => void) | null = null;

  constructor(
    readonly assignment: SensorAssignment,
    readonly driver: SensorDriver,
    /** Kept across reconnects, so sequence tracking and clock mapping continue (replaced only when the sensor
     *  restarted its frame counter). */
    public decoder: SensorDecoder,
    readonly backoff: Backoff,
  ) {}

  get id(): string {
    return this.assignment.id;
  }
}

/** Characteristics are looked up by service and characteristic (both in noble's UUID form). */
function charKey(service: string, characteristic: string): string {
  return `${service}/${characteristic}`;
}

function advertisementOf(peripheral: Peripheral): Advertisement {
  const adv = peripheral.advertisement;
  return {
    localName: adv.localName ?? undefined,
    serviceUuids: adv.serviceUuids ?? [],
    manufacturerData: adv.manufacturerData ?? undefined,
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ConnectionManager extends EventEmitter<ConnectionManagerEvents> {
  private readonly noble: Noble;
  private readonly links: SensorLink[];
  private readonly logger: Logger;
  private readonly timeouts: GattTimeouts;
  private readonly clock: () => number;
  private readonly wallClock: () => number;
  private readonly stableAfterS: number;
  private readonly quickRetryAfterS: number;
  private readonly poweredOnTimeoutMs: number;
  private readonly unavailableRepeatMs: number;
  private readonly stateIntervalS: number;
  private readonly counterRestartAfter: number;
  private readonly queue: SensorLink[] = [];
  private active: Promise<void> | null = null;
  private poweredOn = false;
  private scanning = false;
  private started = false;
  private stopped = false;
  private unavailableTimer: NodeJS.Timeout | null = null;
  private readonly onStateChange = (state: string) => this.handleState(state);
  private readonly onDiscover = (peripheral: Peripheral) => this.handleDiscover(peripheral);
  private readonly onWarning = (message: string) => this.handleWarning(message);

  constructor(options: ConnectionManagerOptions) {
    super();
    this.noble = options.noble;
    this.logger = options.logger;
    this.timeouts = { ...DEFAULT_GATT_TIMEOUTS, ...options.timeouts };
    this.clock = options.clock;
    this.wallClock = options.wallClock ?? Date.now;
    this.stableAfterS = options.stableAfterS ?? 30;
    this.quickRetryAfterS = Math.min(options.quickRetryAfterS ?? 5, this.stableAfterS);
    this.poweredOnTimeoutMs = options.poweredOnTimeoutMs ?? 10_000;
    this.unavailableRepeatMs = options.unavailableRepeatMs ?? 60_000;
    this.stateIntervalS = options.stateIntervalS ?? 1;
    this.counterRestartAfter = options.counterRestartAfter ?? 200;
    const drivers = options.drivers ?? DRIVERS;
    const ids = new Set<string>();
    this.links = options.assignments.map((assignment) => {
      if (ids.has(assignment.id)) throw new Error(`sensor id ${assignment.id} is assigned twice`);
      ids.add(assignment.id);
      const driver = drivers.find((d) => d.name === assignment.driver);
      if (driver === undefined) throw new Error(`sensor ${assignment.id}: no driver named ${assignment.driver}`);
      return new SensorLink(assignment, driver, driver.createDecoder(assignment.id), new Backoff(options.backoff, options.random));
    });
  }

  /** Begin: wait for the adapter, scan, connect. Idempotent. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.noble.on('warning', this.onWarning);
    this.noble.on('discover', this.onDiscover);
    // The first stateChange listener makes noble initialise its binding (on the next tick).
    this.noble.on('stateChange', this.onStateChange);
    if (this.noble._state === 'poweredOn') this.handleState('poweredOn');
    else this.armUnavailableReport(this.poweredOnTimeoutMs);
  }

  /** Every sensor's current state, e.g. for a first publication. */
  states(): SensorLinkState[] {
    return this.links.map((link) => this.stateOf(link));
  }

  stats(sensorId: string): SensorLinkStats | null {
    const link = this.links.find((l) => l.id === sensorId);
    return link === undefined ? null : { ...link.stats };
  }

  /**
   * Writes the driver's vibration command to the sensor. Resolves true once the sensor accepted the write;
   * false (with a log line) when the sensor is unknown, not connected, has no motor, the pattern is out of
   * range, or the write failed. Never rejects.
   */
  async hapticPulse(sensorId: string, pattern: HapticPattern): Promise<boolean> {
    const link = this.links.find((l) => l.id === sensorId);
    if (link === undefined) {
      this.logger.warn('haptic pulse for an unknown sensor', { sensor: sensorId });
      return false;
    }
    if (link.phase !== 'connected' || link.session === null) {
      this.logger.info('haptic pulse skipped: sensor not connected', { sensor: sensorId });
      return false;
    }
    if (link.driver.haptic === undefined) {
      this.logger.info('haptic pulse skipped: sensor has no vibration motor', { sensor: sensorId, driver: link.driver.name });
      return false;
    }
    // Tokens 0..2 belong to the start commands; cues count on from 3 (PROTOCOL.md §6: a counter mod 256).
    const token = 3 + (link.hapticCount++ % 253);
    const write = link.driver.haptic(pattern, token);
    if (write === null) {
      this.logger.warn('haptic pattern out of range', { sensor: sensorId, pattern });
      return false;
    }
    const characteristic = link.characteristics.get(charKey(write.service, write.characteristic));
    if (characteristic === undefined) {
      this.logger.warn('haptic characteristic missing on the sensor', { sensor: sensorId, characteristic: write.characteristic });
      return false;
    }
    try {
      await writeCharacteristic(characteristic, write.data, write.withoutResponse, this.timeouts.writeMs, link.session.signal);
      return true;
    } catch (err) {
      // A late cue misleads the lifter: never resent (PROTOCOL.md §6).
      this.logger.warn('haptic pulse not delivered', { sensor: sensorId, error: describe(err) });
      return false;
    }
  }

  /** Disconnect everything, stop scanning, clear every timer and listener. The manager cannot be restarted. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearUnavailableReport();
    this.noble.removeListener('stateChange', this.onStateChange);
    this.noble.removeListener('discover', this.onDiscover);
    this.noble.removeListener('warning', this.onWarning);
    this.queue.length = 0;
    if (this.scanning) this.noble.stopScanning();
    this.scanning = false;
    const closing: Promise<void>[] = [];
    for (const link of this.links) {
      if (link.timer !== null) clearTimeout(link.timer);
      link.timer = null;
      link.session?.abort();
      link.session = null;
      const peripheral = link.peripheral;
      if (peripheral === null) continue;
      if (link.onDisconnect !== null) peripheral.removeListener('disconnect', link.onDisconnect);
      if (peripheral.state === 'connected') {
        closing.push(
          disconnectPeripheral(peripheral, this.timeouts.writeMs, new AbortController().signal).catch((err: unknown) =>
            this.logger.warn('sensor did not confirm the disconnect', { sensor: link.id, error: describe(err) }),
          ),
        );
      }
      const wasConnected = link.phase === 'connected';
      link.phase = 'waiting';
      if (wasConnected) this.emitState(link);
    }
    await Promise.all([...closing, this.active ?? Promise.resolve()]);
  }

  // ── adapter state ───────────────────────────────────────────────────────────────────────────────────────

  private handleState(state: string): void {
    if (this.stopped) return;
    if (state === 'poweredOn') {
      if (this.poweredOn) return;
      this.poweredOn = true;
      this.clearUnavailableReport();
      this.logger.info('bluetooth adapter ready');
      for (const link of this.links) if (link.phase === 'waiting' && link.timer === null) this.scheduleAttempt(link);
      this.pump();
      this.updateScan();
      return;
    }
    const wasOn = this.poweredOn;
    this.poweredOn = false;
    this.scanning = false; // the adapter stopped whatever it was doing
    if (wasOn) {
      this.logger.warn('bluetooth adapter left poweredOn', { state });
      for (const link of this.links) if (link.phase === 'connected' || link.phase === 'connecting') this.linkLost(link, `adapter ${state}`);
    }
    const error = bluetoothErrorForState(state);
    // 'unknown' and 'resetting' may still turn into poweredOn: give them the usual wait.
    if (error !== null && error.reason !== 'not-ready') this.reportUnavailable(error);
    else this.armUnavailableReport(this.poweredOnTimeoutMs);
  }

  private handleWarning(message: string): void {
    // noble catches binding initialisation errors (e.g. no HCI device) and only emits them as warnings.
    if (/initiali[sz]ation .*failed/i.test(message)) this.reportUnavailable(bluetoothErrorFrom(new Error(message)));
    else this.logger.warn('noble warning', { message });
  }

  private reportUnavailable(error: BluetoothUnavailableError): void {
    this.logger.error('bluetooth unavailable', { reason: error.reason, detail: error.message });
    this.emit('bluetooth-unavailable', error);
    this.armUnavailableReport(this.unavailableRepeatMs);
  }

  private armUnavailableReport(delayMs: number): void {
    this.clearUnavailableReport();
    this.unavailableTimer = setTimeout(() => {
      this.unavailableTimer = null;
      if (this.poweredOn || this.stopped) return;
      this.reportUnavailable(bluetoothErrorForState(this.noble._state, delayMs) ?? bluetoothErrorFrom('adapter not ready'));
    }, delayMs);
  }

  private clearUnavailableReport(): void {
    if (this.unavailableTimer !== null) clearTimeout(this.unavailableTimer);
    this.unavailableTimer = null;
  }

  // ── scanning and binding ────────────────────────────────────────────────────────────────────────────────

  private updateScan(): void {
    const want =
      this.poweredOn && !this.stopped && this.active === null && this.queue.length === 0 && this.links.some((l) => l.peripheral === null);
    if (want && !this.scanning) {
      this.scanning = true;
      this.noble.startScanning([], false, (error?: Error) => {
        if (error) {
          this.scanning = false;
          this.logger.warn('scan did not start', { error: describe(error) });
        }
      });
      this.logger.info('scanning for sensors', { missing: this.links.filter((l) => l.peripheral === null).map((l) => l.id) });
    } else if (!want && this.scanning) {
      this.scanning = false;
      this.noble.stopScanning();
    }
  }

  private handleDiscover(peripheral: Peripheral): void {
    if (this.stopped || this.links.some((l) => l.peripheral?.id === peripheral.id)) return;
    const adv = advertisementOf(peripheral);
    const address = (peripheral.address ?? '').toLowerCase();
    const free = this.links.filter((l) => l.peripheral === null && l.driver.matches(adv));
    const link =
      free.find((l) => l.assignment.match !== null && (l.assignment.match.toLowerCase() === address || l.assignment.match === adv.localName)) ??
      free.find((l) => l.assignment.match === null);
    if (link === undefined) return;
    link.peripheral = peripheral;
    link.rssi = peripheral.rssi ?? null;
    link.onDisconnect = (reason) => this.handleDisconnect(link, reason);
    peripheral.on('disconnect', link.onDisconnect);
    this.logger.info('sensor found', { sensor: link.id, name: adv.localName ?? null, address: peripheral.address, rssi: peripheral.rssi });
    link.phase = 'waiting';
    this.scheduleAttempt(link);
  }

  // ── connection attempts ─────────────────────────────────────────────────────────────────────────────────

  private scheduleAttempt(link: SensorLink): void {
    if (this.stopped || link.timer !== null) return;
    // A quick retry does not count as a step of the backoff: if it fails, the backoff goes on where it was.
    const delayMs = link.quickRetry ? 0 : link.backoff.next();
    link.quickRetry = false;
    if (delayMs > 0) this.logger.info('reconnect scheduled', { sensor: link.id, in_s: Math.round(delayMs / 100) / 10 });
    link.timer = setTimeout(() => {
      link.timer = null;
      if (this.stopped || link.phase !== 'waiting') return;
      link.phase = 'queued';
      this.queue.push(link);
      this.pump();
    }, delayMs);
  }

  /** Start the next queued attempt unless one is running: connects are serialized. */
  private pump(): void {
    if (this.active !== null || !this.poweredOn || this.stopped) return;
    const link = this.queue.shift();
    if (link === undefined) return;
    this.updateScan(); // pause scanning while connecting
    this.active = this.attempt(link).finally(() => {
      this.active = null;
      this.pump();
      this.updateScan();
    });
  }

  private async attempt(link: SensorLink): Promise<void> {
    const peripheral = link.peripheral!;
    const session = new AbortController();
    link.session = session;
    link.phase = 'connecting';
    link.acceptedThisConnection = false;
    link.repeatsBeforeAccept = 0;
    const { signal } = session;
    try {
      await connectPeripheral(peripheral, this.timeouts.connectMs, signal);
      await this.discover(link, peripheral, signal);
      await this.setUp(link, signal);
      link.phase = 'connected';
      link.connectedAt = this.clock();
      link.stats.connections++;
      link.rssi = peripheral.rssi ?? link.rssi;
      this.logger.info('sensor connected', { sensor: link.id, placement: link.assignment.placement, attempt: link.stats.connections });
      this.emitState(link);
    } catch (err) {
      if (this.stopped) return;
      link.stats.failedAttempts++;
      const step = err instanceof GattStepError ? err.step : 'setup';
      this.logger.warn('sensor connection attempt failed', { sensor: link.id, step, error: describe(err) });
      link.session = null;
      session.abort();
      link.phase = 'closing';
      if (peripheral.state === 'connected' || peripheral.state === 'disconnecting') {
        await disconnectPeripheral(peripheral, this.timeouts.connectMs, new AbortController().signal).catch(() => {});
      }
      if (this.stopped) return;
      link.gapFrom ??= link.lastSampleT;
      link.phase = 'waiting';
      this.scheduleAttempt(link);
    }
  }

  private async discover(link: SensorLink, peripheral: Peripheral, signal: AbortSignal): Promise<void> {
    const services = await discoverServices(peripheral, this.timeouts.discoverMs, signal);
    link.characteristics = new Map();
    for (const service of services) {
      for (const characteristic of await discoverCharacteristics(service, this.timeouts.discoverMs, signal)) {
        link.characteristics.set(charKey(service.uuid, characteristic.uuid), characteristic);
      }
    }
  }

  /** A characteristic by UUID: in the driver's primary service first, else in any service. */
  private find(link: SensorLink, uuid: string): Characteristic | undefined {
    const primary = link.characteristics.get(charKey(link.driver.gatt.service, uuid));
    if (primary !== undefined) return primary;
    for (const [key, characteristic] of link.characteristics) if (key.endsWith(`/${uuid}`)) return characteristic;
    return undefined;
  }

  private async setUp(link: SensorLink, signal: AbortSignal): Promise<void> {
    const { gatt } = link.driver;
    for (const uuid of gatt.notify) {
      const characteristic = this.find(link, uuid);
      if (characteristic === undefined) throw new Error(`characteristic ${uuid} not found on the sensor`);
      characteristic.on('data', (data: Buffer, isNotification: boolean) => {
        if (isNotification && link.session?.signal === signal) this.handleNotification(link, uuid, data);
      });
      await subscribeCharacteristic(characteristic, this.timeouts.subscribeMs, signal);
    }
    for (const uuid of gatt.read) {
      const characteristic = this.find(link, uuid);
      if (characteristic === undefined) continue; // optional (driver.ts)
      this.handleNotification(link, uuid, await readCharacteristic(characteristic, this.timeouts.readMs, signal));
    }
    const rateHz = link.assignment.rateHz;
    const writes = rateHz != null && link.driver.startWritesAt ? link.driver.startWritesAt(rateHz) : gatt.startWrites;
    for (const write of writes) {
      const characteristic = link.characteristics.get(charKey(write.service, write.characteristic));
      if (characteristic === undefined) throw new Error(`characteristic ${write.characteristic} not found on the sensor`);
      await writeCharacteristic(characteristic, write.data, write.withoutResponse, this.timeouts.writeMs, signal);
      if (write.delayAfterMs !== undefined && write.delayAfterMs > 0) await pauseBetweenSteps(write.delayAfterMs, signal);
    }
  }

  // ── disconnects ─────────────────────────────────────────────────────────────────────────────────────────

  private handleDisconnect(link: SensorLink, reason: unknown): void {
    if (this.stopped) return;
    if (link.phase === 'connecting') link.session?.abort(); // the attempt fails, closes and reschedules
    else if (link.phase === 'connected') this.linkLost(link, reason);
    // 'closing': our own disconnect after a failed attempt
  }

  private linkLost(link: SensorLink, reason: unknown): void {
    if (link.phase === 'connecting') {
      link.session?.abort();
      return;
    }
    link.session?.abort();
    link.session = null;
    link.phase = 'waiting';
    link.gapFrom ??= link.lastSampleT;
    // Mid-set every second without the sensor is lost data, so a link that was doing its job is retried at once.
    // Only a stable one starts the backoff over; one that keeps dropping within seconds of its setup backs off
    // (it would otherwise take the one connect slot in a loop).
    const lastedS = this.clock() - link.connectedAt;
    if (lastedS >= this.stableAfterS) link.backoff.reset();
    else if (lastedS >= this.quickRetryAfterS) link.quickRetry = true;
    this.logger.warn('sensor disconnected', { sensor: link.id, reason: typeof reason === 'number' ? `0x${reason.toString(16)}` : String(reason) });
    this.emitState(link);
    if (this.poweredOn) this.scheduleAttempt(link);
  }

  // ── data ────────────────────────────────────────────────────────────────────────────────────────────────

  private handleNotification(link: SensorLink, characteristic: string, bytes: Uint8Array): void {
    const out: ImuSample[] = [];
    const result = link.decoder.push(characteristic, bytes, this.clock(), out);
    let changed = false;
    switch (result.kind) {
      case 'samples':
        link.stats.framesLost += result.framesLost;
        link.acceptedThisConnection = true;
        this.accept(link, out);
        break;
      case 'duplicate':
        link.stats.duplicates++;
        if (!link.acceptedThisConnection && ++link.repeatsBeforeAccept >= this.counterRestartAfter) {
          this.logger.warn('sensor restarted its frame counter: decoding afresh', { sensor: link.id, repeats: link.repeatsBeforeAccept });
          link.decoder = link.driver.createDecoder(link.id);
          link.repeatsBeforeAccept = 0;
        }
        break;
      case 'status': {
        const { batteryPct, rateHz, warnings } = result.status;
        if (batteryPct !== undefined && batteryPct !== link.battery) {
          link.battery = batteryPct;
          changed = true;
        }
        if (rateHz !== undefined && rateHz !== link.rate) {
          link.rate = rateHz;
          changed = true;
        }
        const text = (warnings ?? []).join(', ');
        if (warnings !== undefined && text !== link.warnings) {
          link.warnings = text;
          if (text !== '') this.logger.warn('sensor reports a problem', { sensor: link.id, warnings: text });
        }
        break;
      }
      case 'ack':
        if (!result.ok) this.logger.warn('sensor refused a command', { sensor: link.id, command: result.command, status: result.detail });
        break;
      case 'ignored':
        break;
      case 'rejected':
        // One line for the first and then every 100th: a sensor sending garbage must not flood the log.
        if (link.stats.rejected++ % 100 === 0) {
          this.logger.warn('notification rejected', { sensor: link.id, code: result.error.code, error: result.error.message, count: link.stats.rejected });
        }
        break;
    }
    if (changed || this.clock() - link.lastStateAt >= this.stateIntervalS) this.emitState(link);
  }

  private accept(link: SensorLink, decoded: ImuSample[]): void {
    let samples = this.withoutImpossible(link, decoded);
    if (samples.length === 0) return;
    if (link.lastSampleT !== null && samples[0].t <= link.lastSampleT) {
      const after = link.lastSampleT;
      const inOrder = samples.filter((s) => s.t > after);
      link.stats.outOfOrder += samples.length - inOrder.length;
      samples = inOrder;
    }
    if (samples.length === 0) return;
    if (link.gapFrom !== null) {
      this.emit('gap', link.id, link.gapFrom, samples[0].t);
      link.gapFrom = null;
    }
    link.lastSampleT = samples[samples.length - 1].t;
    link.lastSeenMs = this.wallClock();
    this.emit('samples', link.id, samples);
  }

  /**
   * Drops (and counts, and logs: the first, then every 100th) the samples no working IMU can give. The count
   * reaches the sensor state with its routine update (at most stateIntervalS later), not one state per drop.
   */
  private withoutImpossible(link: SensorLink, decoded: ImuSample[]): ImuSample[] {
    const before = link.impossible.dropped;
    const kept = link.impossible.pass(decoded);
    // The first, then one line per 100 more: a sensor sending garbage must not flood the log.
    if (link.impossible.dropped > before && (before === 0 || Math.floor(link.impossible.dropped / 100) > Math.floor(before / 100))) {
      this.logger.warn('sample dropped: not one a working IMU can give', { sensor: link.id, reason: link.impossible.lastReason, count: link.impossible.dropped });
    }
    return kept;
  }

  // ── state ───────────────────────────────────────────────────────────────────────────────────────────────

  private stateOf(link: SensorLink): SensorLinkState {
    return {
      id: link.id,
      placement: link.assignment.placement,
      driver: link.assignment.driver,
      connected: link.phase === 'connected',
      battery: link.battery,
      rate: link.rate,
      rssi: link.rssi,
      last_seen: link.lastSeenMs,
      frames_lost: link.stats.framesLost,
      duplicates_dropped: link.stats.duplicates,
      samples_rejected: link.impossible.dropped,
    };
  }

  private emitState(link: SensorLink): void {
    link.lastStateAt = this.clock();
    this.emit('sensor-state', this.stateOf(link));
  }
}
