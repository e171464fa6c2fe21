/**
 * Sources `ble` and `sim`: sensors over Bluetooth through noble — real ones from the config, or the simulated
 * athletes' sensors on a virtual radio. The connection manager finds, connects and decodes them; their samples
 * go to their athlete's feed, their states to every sink, and a cue plays a haptic pulse on the sacrum sensor.
 */
import { ConnectionManager } from '../ble/connection-manager.ts';
import type { Noble } from '../ble/noble-loader.ts';
import type { Athlete, SensorAssignment } from '../core/domain.ts';
import type { AthleteFeed, Source, SourceHost } from './source.ts';

/** The haptic pattern played on the sensor when the lifter reaches the cutoff: two short, strong pulses. */
const CUE_PULSE = { pulses: 2, onMs: 120, offMs: 80, intensityPct: 90 };

export class SensorSource implements Source {
  readonly done: Promise<Error | null> = new Promise(() => {});
  private manager: ConnectionManager | null = null;

  /** `noble`: how to get noble (null: Bluetooth is not usable, already explained; no sensor will connect). */
  constructor(
    readonly athletes: readonly Athlete[],
    private readonly noble: () => Promise<Noble | null>,
    private readonly onStop: () => void = () => {},
  ) {}

  async start(host: SourceHost): Promise<void> {
    const feeds = new Map<string, AthleteFeed>();
    for (const athlete of this.athletes) {
      const feed = await host.addAthlete(athlete);
      feeds.set(feed.athlete.id, feed);
    }
    const noble = await this.noble();
    if (noble === null) return;
    const owner = new Map<string, { feed: AthleteFeed; assignment: SensorAssignment }>();
    for (const feed of feeds.values()) for (const s of feed.athlete.sensors) owner.set(s.id, { feed, assignment: s });
    const manager = new ConnectionManager({ noble, assignments: [...owner.values()].map((o) => o.assignment), logger: host.logger, clock: host.clock });
    manager.on('samples', (sensorId, samples) => {
      host.markArrival();
      owner.get(sensorId)?.feed.push(samples);
    });
    manager.on('sensor-state', (state) => {
      const o = owner.get(state.id);
      if (o) host.emit({ kind: 'sensor', sensor: { ...state, athlete: o.feed.athlete.id, simulated: host.simulated, face: o.feed.sensorFace(state.id) } });
    });
    manager.on('gap', (sensorId, fromT, toT) => host.logger.warn('sensor data gap', { sensor: sensorId, seconds: Number((toT - fromT).toFixed(2)) }));
    // The manager logs Bluetooth problems itself (with how to fix them).
    manager.on('bluetooth-unavailable', () => undefined);
    host.subscribe({
      name: 'haptics',
      handle: (event) => {
        if (event.kind !== 'cue') return;
        const sensors = feeds.get(event.cue.athlete)?.athlete.sensors;
        const target = sensors?.find((s) => s.placement === 'sacrum') ?? sensors?.[0];
        if (target) void manager.hapticPulse(target.id, CUE_PULSE);
      },
    });
    manager.start();
    this.manager = manager;
  }

  async stop(): Promise<void> {
    // The simulated radio first (its sensors stop sending), then the manager.
    this.onStop();
    await this.manager?.stop();
  }
}
