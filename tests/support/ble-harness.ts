/**
 * The connection manager driven through real noble over the firmware simulator's VirtualBleBinding, in manual
 * time. The manager's own timers (GATT timeouts, backoff) run on vitest's fake setTimeout, advanced in lockstep
 * with the binding's simulation time, so a "10 s connect timeout" is 10 s of the simulated world and the tests
 * never wait for real time.
 */
import { vi } from 'vitest';
import type { ImuSample } from '../../shared/imu.ts';
import { STANDARD_GRAVITY } from '../../shared/imu.ts';
import { IMU_DATA_CHAR_UUID, decodeImuFrame, nobleUuid } from '../../shared/protocol/index.ts';
import type { ImuSampler } from '../../firmware-sim/firmware/index.ts';
import { VirtualBleBinding } from '../../firmware-sim/peripheral/index.ts';
import type { ConnectionState } from '../../firmware-sim/peripheral/index.ts';
import { ConnectionManager } from '../../gateway/ble/connection-manager.ts';
import type { ConnectionManagerOptions, SensorLinkState } from '../../gateway/ble/connection-manager.ts';
import { nobleWithBindings } from '../../gateway/ble/noble-loader.ts';
import type { BluetoothUnavailableError } from '../../gateway/ble/noble-loader.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';

const IMU_CHAR = nobleUuid(IMU_DATA_CHAR_UUID);

/** Only the timers the manager uses: noble and the binding rely on the real setImmediate/nextTick. */
export const MANAGER_TIMERS = { toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] } as Parameters<
  typeof vi.useFakeTimers
>[0];

/** Lying flat, device z up, with a slight sway so consecutive samples differ. */
export const upright: ImuSampler = (t, out) => out.set([0.2 * Math.sin(3 * t), 0, STANDARD_GRAVITY, 0, 0.05 * Math.cos(3 * t), 0]);
/** Device x up. */
export const onEdge: ImuSampler = (t, out) => out.set([STANDARD_GRAVITY, 0.2 * Math.sin(2 * t), 0, 0, 0, 0.05 * Math.cos(2 * t)]);

interface SensorSnapshot {
  readonly id: string;
  readonly connection: ConnectionState;
  readonly subscriptions: readonly string[];
  readonly streaming: boolean;
}

/** Records every connect the central asks for (with what the other sensors looked like at that moment), and
 *  can swallow characteristic writes: the request gets no answer, like a write the ATT server refused. */
export class InstrumentedBinding extends VirtualBleBinding {
  readonly connectCalls: { id: string; t: number; sensors: SensorSnapshot[] }[] = [];
  /** Per peripheral id: the seq of every IMU notification handed to noble, repeats included. */
  readonly imuSeqs = new Map<string, number[]>();
  swallowWrites = 0;
  swallowed = 0;
  /** Renumber IMU frames from 0 on every connection, as firmware that restarts its counter would send them. */
  restartCounterPerConnection = false;
  private readonly counterBase = new Map<string, number | null>();

  override connect(peripheralUuid: string): void {
    this.connectCalls.push({
      id: peripheralUuid,
      t: this.now,
      sensors: this.sensors.map((s) => ({
        id: s.id,
        connection: s.connection,
        subscriptions: [...s.subscriptions].sort(),
        streaming: s.firmware.streaming,
      })),
    });
    super.connect(peripheralUuid);
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'connect') this.counterBase.set(args[0] as string, null);
    // 'read' events: peripheral id, service, characteristic, data, isNotification.
    if (event === 'read' && args[4] === true && args[2] === IMU_CHAR) {
      const id = args[0] as string;
      let data = args[3] as Buffer;
      if (this.restartCounterPerConnection) {
        const seq = data.readUInt16LE(0);
        const base = this.counterBase.get(id) ?? seq;
        this.counterBase.set(id, base);
        data = Buffer.from(data);
        data.writeUInt16LE((seq - base + 0x10000) % 0x10000, 0);
        args[3] = data;
      }
      const list = this.imuSeqs.get(id) ?? [];
      list.push(decodeImuFrame(data).seq);
      this.imuSeqs.set(id, list);
    }
    return super.emit(event, ...args);
  }

  override write(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, data: ArrayBufferView): void {
    if (this.swallowWrites > 0) {
      this.swallowWrites--;
      this.swallowed++;
      return;
    }
    super.write(peripheralUuid, serviceUuid, characteristicUuid, data);
  }
}

export interface Rig {
  readonly binding: InstrumentedBinding;
  readonly manager: ConnectionManager;
  readonly logger: ReturnType<typeof memoryLogger>;
  readonly samples: Map<string, ImuSample[]>;
  readonly states: SensorLinkState[];
  readonly gaps: { sensor: string; from: number; to: number }[];
  readonly unavailable: BluetoothUnavailableError[];
}

/** A manager over `binding` (sensors already added), collecting what it emits. Not started. */
export function rig(binding: InstrumentedBinding, options: Omit<ConnectionManagerOptions, 'noble' | 'logger' | 'clock'>): Rig {
  const logger = memoryLogger();
  const manager = new ConnectionManager({
    noble: nobleWithBindings(binding),
    logger,
    clock: () => binding.now,
    wallClock: () => 1_700_000_000_000 + binding.now * 1000,
    random: () => 0.5,
    ...options,
  });
  const r: Rig = { binding, manager, logger, samples: new Map(), states: [], gaps: [], unavailable: [] };
  manager.on('samples', (sensor, samples) => {
    const list = r.samples.get(sensor) ?? [];
    list.push(...samples);
    r.samples.set(sensor, list);
  });
  manager.on('sensor-state', (state) => r.states.push(state));
  manager.on('gap', (sensor, from, to) => r.gaps.push({ sensor, from, to }));
  manager.on('bluetooth-unavailable', (err) => r.unavailable.push(err));
  return r;
}

/** Advance the simulated world (sensors, link, noble events) and the manager's timers together. */
export async function runFor(binding: VirtualBleBinding, seconds: number, stepS = 0.02): Promise<void> {
  const end = binding.now + seconds;
  while (binding.now < end - 1e-9) {
    const t = Math.min(end, binding.now + stepS);
    const dtMs = (t - binding.now) * 1000;
    await binding.advanceTo(t);
    await vi.advanceTimersByTimeAsync(dtMs);
    await binding.drained(); // answers to what the manager just asked
  }
}

/** Run until `done()` holds; throws after `maxSeconds` of simulated time. */
export async function runUntil(binding: VirtualBleBinding, done: () => boolean, maxSeconds: number, stepS = 0.02): Promise<void> {
  const end = binding.now + maxSeconds;
  while (!done()) {
    if (binding.now >= end) throw new Error(`condition not reached within ${maxSeconds} s of simulated time`);
    await runFor(binding, stepS, stepS);
  }
}

export function times(samples: readonly ImuSample[] | undefined): number[] {
  return (samples ?? []).map((s) => s.t);
}

export function strictlyIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]);
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
