/**
 * Home Assistant MQTT discovery (off unless enabled): one HA device per athlete with sensors for the rep count
 * of the current set, last rep depth and last butt wink (from the retained `athletes/<id>/stats`), and one
 * battery sensor per IMU (from the retained `sensors/<id>`). All are unavailable while `bridge/state` says
 * offline. Configs are retained and re-sent on every reconnect and whenever HA announces itself online on
 * `<prefix>/status`, so a restarted broker or HA picks them up.
 */
import type { MqttClient } from 'mqtt';
import type { GatewayEvent } from '../core/domain.ts';
import { athleteOf } from '../core/domain.ts';
import type { Outbox } from './outbox.ts';
import type { Topics } from './topics.ts';
import { DEFAULT_DISCOVERY_PREFIX } from '../config/config.ts';


export interface DiscoveryOptions {
  /** HA's discovery prefix, default `homeassistant`. */
  readonly prefix?: string;
}

interface SensorSpec {
  readonly what: string;
  readonly name: string;
  readonly stateTopic: string;
  readonly field: string;
  readonly unit?: string;
  readonly deviceClass?: string;
  readonly stateClass: 'measurement' | 'total_increasing';
  readonly icon?: string;
}

/** HA object ids allow [a-zA-Z0-9_-]; athlete ids are [a-z0-9-] and sensor ids are short tokens like S1. */
function objectId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

export class HomeAssistantDiscovery {
  private readonly athletes = new Set<string>();
  /** sensor id → athlete id */
  private readonly sensors = new Map<string, string>();
  private readonly prefix: string;

  constructor(
    private readonly topics: Topics,
    client: MqttClient,
    private readonly outbox: Outbox,
    options: DiscoveryOptions,
  ) {
    this.prefix = options.prefix ?? DEFAULT_DISCOVERY_PREFIX;
    const birth = `${this.prefix}/status`;
    client.on('connect', () => this.announceAll());
    client.subscribe(birth, { qos: 1 });
    client.on('message', (topic, payload) => {
      if (topic === birth && payload.toString('utf8') === 'online') this.announceAll();
    });
  }

  handle(event: GatewayEvent): void {
    const athlete = athleteOf(event);
    if (!this.athletes.has(athlete)) {
      this.athletes.add(athlete);
      this.announceAthlete(athlete);
    }
    if (event.kind === 'sensor' && this.sensors.get(event.sensor.id) !== event.sensor.athlete) {
      this.sensors.set(event.sensor.id, event.sensor.athlete);
      this.announceSensor(event.sensor.id, event.sensor.athlete);
    }
  }

  /** The discovery topic of one entity. */
  configTopic(id: string, what: string): string {
    return `${this.prefix}/sensor/squatmon_${objectId(id)}_${what}/config`;
  }

  private announceAll(): void {
    for (const athlete of this.athletes) this.announceAthlete(athlete);
    for (const [sensor, athlete] of this.sensors) this.announceSensor(sensor, athlete);
  }

  private announceAthlete(athlete: string): void {
    const stats = this.topics.stats(athlete);
    const specs: SensorSpec[] = [
      { what: 'rep_count', name: 'Reps (current set)', stateTopic: stats, field: 'set_reps', stateClass: 'total_increasing', icon: 'mdi:counter' },
      { what: 'last_depth', name: 'Last rep depth', stateTopic: stats, field: 'last_depth_cm', unit: 'cm', deviceClass: 'distance', stateClass: 'measurement' },
      { what: 'last_wink', name: 'Last butt wink', stateTopic: stats, field: 'last_wink_deg', unit: '°', stateClass: 'measurement', icon: 'mdi:angle-acute' },
    ];
    for (const spec of specs) this.outbox.send(this.configTopic(athlete, spec.what), this.config(athlete, athlete, spec), true);
  }

  private announceSensor(sensor: string, athlete: string): void {
    const spec: SensorSpec = {
      what: 'battery',
      name: `Sensor ${sensor} battery`,
      stateTopic: this.topics.sensor(sensor),
      field: 'battery',
      unit: '%',
      deviceClass: 'battery',
      stateClass: 'measurement',
    };
    this.outbox.send(this.configTopic(sensor, spec.what), this.config(sensor, athlete, spec), true);
  }

  private config(id: string, athlete: string, spec: SensorSpec): Record<string, unknown> {
    return {
      name: spec.name,
      unique_id: `squatmon_${objectId(id)}_${spec.what}`,
      state_topic: spec.stateTopic,
      // A null field renders as None, which HA shows as unknown.
      value_template: `{{ value_json.${spec.field} }}`,
      ...(spec.unit === undefined ? {} : { unit_of_measurement: spec.unit }),
      ...(spec.deviceClass === undefined ? {} : { device_class: spec.deviceClass }),
      state_class: spec.stateClass,
      ...(spec.icon === undefined ? {} : { icon: spec.icon }),
      availability: [{ topic: this.topics.bridgeState, value_template: '{{ value_json.state }}' }],
      payload_available: 'online',
      payload_not_available: 'offline',
      device: {
        identifiers: [`squatmon_${objectId(athlete)}`],
        name: `squatmon ${athlete}`,
        manufacturer: 'squatmon',
        model: 'lower-back squat monitor',
      },
      origin: { name: 'squatmon' },
    };
  }
}
