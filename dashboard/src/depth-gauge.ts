/**
 * The big depth gauge: a vertical bar that fills downwards as the lifter descends, the cutoff drawn as a line
 * across it, the current depth and phase in large type. Built for a glance from the rack.
 */
import { h } from './dom.ts';
import { cm } from './format.ts';

/** The gauge's full scale, cm: deeper than any squat's sacrum drop. */
const SCALE_CM = 60;

export class DepthGauge {
  readonly element: HTMLElement;
  private readonly fillBar: HTMLElement;
  private readonly cutoffLine: HTMLElement;
  private readonly cutoffLabel: HTMLElement;
  private readonly depthText: HTMLElement;
  private readonly phaseText: HTMLElement;

  /** `testIdPrefix` names the readouts for tests and tools (e.g. `live` → `live-depth`, `live-phase`). */
  constructor(testIdPrefix: string) {
    this.fillBar = h('div', { class: 'gauge-fill' });
    this.cutoffLabel = h('div', { class: 'gauge-cutoff-label' });
    this.cutoffLine = h('div', { class: 'gauge-cutoff', hidden: true });
    this.depthText = h('div', { class: 'gauge-depth', 'data-testid': `${testIdPrefix}-depth` }, '–');
    this.phaseText = h('div', { class: 'gauge-phase', 'data-testid': `${testIdPrefix}-phase` }, 'waiting for data');
    const track = h('div', { class: 'gauge-track', 'aria-hidden': 'true' }, this.fillBar, this.cutoffLine);
    this.element = h(
      'div',
      { class: 'gauge', role: 'group', 'aria-label': 'Depth gauge' },
      track,
      h('div', { class: 'gauge-readout' }, h('div', { class: 'gauge-caption' }, 'Depth'), this.depthText, this.phaseText, this.cutoffLabel),
    );
  }

  show(depthCm: number | null, phase: string | null, cutoffCm: number | null): void {
    const depth = depthCm === null ? 0 : Math.max(0, depthCm);
    this.fillBar.style.height = `${Math.min(100, (depth / SCALE_CM) * 100)}%`;
    const pastCutoff = cutoffCm !== null && depthCm !== null && depthCm >= cutoffCm;
    this.fillBar.classList.toggle('past-cutoff', pastCutoff);
    this.depthText.textContent = depthCm === null ? '–' : cm(Math.max(0, depthCm));
    this.phaseText.textContent = phase ?? 'waiting for data';
    this.cutoffLine.hidden = cutoffCm === null;
    this.cutoffLabel.textContent = cutoffCm === null ? 'no cutoff' : `stop at ${cm(cutoffCm)}`;
    if (cutoffCm !== null) {
      this.cutoffLine.style.top = `${Math.min(100, (cutoffCm / SCALE_CM) * 100)}%`;
      this.cutoffLine.dataset.cutoff = String(cutoffCm);
    }
  }
}
