/** The athlete's sensors at a glance: where each sits, connected or not, battery, signal strength, rate. */
import { fill, h } from './dom.ts';
import type { SensorState } from './wire.ts';

/** Signal bars (0–4) from the received signal strength: BLE links degrade below about −85 dBm. */
function signalBars(rssi: number | null): number {
  if (rssi === null) return 0;
  if (rssi >= -60) return 4;
  if (rssi >= -70) return 3;
  if (rssi >= -80) return 2;
  if (rssi >= -90) return 1;
  return 0;
}

export class SensorPanel {
  readonly element: HTMLElement;

  constructor() {
    this.element = h('ul', { class: 'sensor-list', 'aria-label': 'Sensors', 'data-testid': 'sensor-list' });
  }

  show(sensors: readonly SensorState[]): void {
    if (sensors.length === 0) {
      fill(this.element, h('li', { class: 'muted' }, 'No sensor reported yet.'));
      return;
    }
    fill(this.element, ...sensors.map((s) => this.item(s)));
  }

  private item(s: SensorState): HTMLLIElement {
    const bars = signalBars(s.rssi);
    const lowBattery = s.battery !== null && s.battery < 20;
    return h(
      'li',
      { class: `sensor ${s.connected ? 'connected' : 'disconnected'}` },
      h('span', { class: 'sensor-dot', 'aria-hidden': 'true' }),
      h('span', { class: 'sensor-name' }, `${s.placement[0].toUpperCase()}${s.placement.slice(1)} (${s.id})`),
      h('span', { class: 'sensor-state' }, s.connected ? 'connected' : 'disconnected'),
      h('span', { class: lowBattery ? 'sensor-battery low' : 'sensor-battery' }, s.battery === null ? 'battery –' : `battery ${s.battery} %`),
      h(
        'span',
        { class: 'sensor-signal', 'aria-label': `signal ${bars} of 4${s.rssi === null ? '' : ` (${s.rssi} dBm)`}`, role: 'img' },
        ...[1, 2, 3, 4].map((b) => h('i', { class: b <= bars ? 'on' : '' })),
      ),
      h('span', { class: 'sensor-rate' }, s.rate === null ? '' : `${s.rate} Hz`),
      s.frames_lost > 0 ? h('span', { class: 'sensor-lost' }, `${s.frames_lost} frames lost`) : null,
      // Samples no working IMU can give, dropped by the gateway: a faulty sensor or driver, worth a look.
      (s.samples_rejected ?? 0) > 0 ? h('span', { class: 'sensor-lost' }, `${s.samples_rejected} bad samples dropped`) : null,
    );
  }
}
