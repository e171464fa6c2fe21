/**
 * The live screen for one athlete: the depth gauge with the cutoff, phase, rep counter and the last rep in big
 * type, 10 s traces of depth, flexion and tilt, every rep as it lands, the sensors, and the controls a coach
 * needs between sets (cutoff, start/stop set). The cue flashes the whole screen.
 */
import { athletePicker } from './athlete-picker.ts';
import type { AppContext } from './context.ts';
import { DepthGauge } from './depth-gauge.ts';
import { fill, h } from './dom.ts';
import { cm, deg } from './format.ts';
import type { AthleteLive } from './live-store.ts';
import { depthIsUncertain } from '../../shared/rep.ts';
import { stoppingDepthAdvice } from '../../gateway/coach/stopping-depth.ts';
import { RepTable, repDepth } from './rep-table.ts';
import { SensorPanel } from './sensor-panel.ts';
import { TraceChart } from './trace-chart.ts';
import type { PublishedRep } from './wire.ts';

export class LiveView {
  readonly element: HTMLElement;
  private readonly gauge = new DepthGauge('live');
  private readonly traces = new TraceChart('Live traces of depth, lumbar flexion and pelvic tilt over the last 10 seconds');
  private readonly reps = new RepTable('Reps of the current session');
  private readonly sensors = new SensorPanel();
  private readonly repCount = h('div', { class: 'big-number', 'data-testid': 'rep-count' }, '0');
  private readonly lastRep = h('div', { class: 'last-rep', 'data-testid': 'last-rep' });
  private readonly simulatedBadge = h('span', { class: 'badge badge-sim', hidden: true, 'data-testid': 'simulated-badge' }, 'SIMULATED');
  private readonly setState = h('span', { class: 'set-state' });
  private readonly repAnnouncer = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  private readonly cutoffInput: HTMLInputElement;
  private readonly suggestion = h('div', { class: 'suggestion', hidden: true, 'data-testid': 'live-suggestion' });
  private visible = false;
  /** The rep that just landed, highlighted in the list. */
  private freshRepId: string | null = null;

  constructor(private readonly ctx: AppContext) {
    this.cutoffInput = h('input', { id: 'live-cutoff', type: 'number', min: 0, max: 150, step: 1, inputmode: 'numeric', 'data-testid': 'cutoff-input' });
    const cutoffForm = h(
      'form',
      { class: 'inline-form', onsubmit: (e: Event) => this.submitCutoff(e) },
      h('label', { for: 'live-cutoff' }, 'Stopping depth (cm)'),
      this.cutoffInput,
      h('button', { type: 'submit' }, 'Set cutoff'),
      h('button', { type: 'button', class: 'secondary', onclick: () => void this.applyCutoff(null) }, 'No cutoff'),
    );
    this.element = h(
      'section',
      { class: 'view live-view', 'aria-labelledby': 'live-title' },
      h('div', { class: 'view-head' }, h('h2', { id: 'live-title' }, 'Live'), athletePicker(ctx), this.simulatedBadge, this.setState),
      h(
        'div',
        { class: 'live-grid' },
        h('div', { class: 'panel gauge-panel' }, this.gauge.element),
        h(
          'div',
          { class: 'panel counter-panel' },
          h('div', { class: 'caption' }, 'Reps'),
          this.repCount,
          this.lastRep,
          this.suggestion,
        ),
        h('div', { class: 'panel traces-panel' }, this.traces.element),
        h('div', { class: 'panel reps-panel' }, h('h3', {}, 'Reps this session'), this.reps.element),
        h(
          'div',
          { class: 'panel controls-panel' },
          h('h3', {}, 'Sensors'),
          this.sensors.element,
          h('h3', {}, 'Controls'),
          cutoffForm,
          h(
            'div',
            { class: 'button-row' },
            h('button', { type: 'button', onclick: () => void this.setCommand('start') }, 'Start set'),
            h('button', { type: 'button', class: 'secondary', onclick: () => void this.setCommand('stop') }, 'Stop set'),
          ),
        ),
      ),
      this.repAnnouncer,
    );
    ctx.live.listen((change) => {
      if (change.kind === 'athletes') return this.reset();
      if (change.athlete !== ctx.selection.id) return;
      if (change.kind === 'frame') return this.showFrame();
      if (change.kind === 'rep') return this.onRep(change.rep);
      if (change.kind === 'cue' && this.visible) {
        return ctx.cue.fire(`Stop: ${cm(change.cue.depth_cm)} reached, cutoff ${cm(this.entry()?.latest?.cutoff_cm ?? null)}.`);
      }
      this.render();
    });
    ctx.selection.listen(() => this.reset());
    this.reset();
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
  }

  private entry(): AthleteLive | undefined {
    const id = this.ctx.selection.id;
    return id === null ? undefined : this.ctx.live.get(id);
  }

  /** Everything from scratch: another athlete, or the athlete list changed. */
  private reset(): void {
    const entry = this.entry();
    this.traces.reset(
      (entry?.frames ?? []).map((f) => ({ t: f.t, depth: f.depth_cm, flexion: f.lumbar_flexion_deg, tilt: f.pelvic_tilt_deg })),
      entry?.latest?.cutoff_cm ?? entry?.athlete.cutoffCm ?? null,
    );
    this.gauge.show(entry?.latest?.depth_cm ?? null, entry?.latest?.phase ?? null, entry?.latest?.cutoff_cm ?? entry?.athlete.cutoffCm ?? null);
    this.render();
  }

  /** The slower-changing parts: sensors, set state, cutoff, suggestion. */
  private render(): void {
    const entry = this.entry();
    this.showReps();
    this.sensors.show(entry ? [...entry.sensors.values()] : []);
    const simulated = entry?.latest?.simulated ?? [...(entry?.sensors.values() ?? [])].some((s) => s.simulated);
    this.simulatedBadge.hidden = !simulated;
    this.setState.textContent = entry?.openSet ? `Set ${entry.openSet.set} in progress` : 'Between sets';
    if (entry && document.activeElement !== this.cutoffInput) {
      const cutoff = entry.latest?.cutoff_cm ?? entry.athlete.cutoffCm;
      this.cutoffInput.value = cutoff === null ? '' : String(cutoff);
    }
    const suggested = entry?.summary?.suggested_cutoff_cm ?? null;
    this.suggestion.hidden = suggested === null;
    if (suggested !== null) {
      fill(
        this.suggestion,
        `Suggested stopping depth: ${cm(suggested)} `,
        h('button', { type: 'button', class: 'small', 'data-testid': 'live-apply-suggested', onclick: () => void this.applyCutoff(suggested) }, 'Apply'),
        h('span', { class: 'muted suggestion-advice', 'data-testid': 'live-suggestion-advice' }, ` ${stoppingDepthAdvice(suggested, entry?.summary?.suggestion_basis)}`),
      );
    }
  }

  private showFrame(): void {
    const entry = this.entry();
    const frame = entry?.latest ?? null;
    const cutoff = frame?.cutoff_cm ?? entry?.athlete.cutoffCm ?? null;
    this.gauge.show(frame?.depth_cm ?? null, frame?.phase ?? null, cutoff);
    if (frame) this.traces.push({ t: frame.t, depth: frame.depth_cm, flexion: frame.lumbar_flexion_deg, tilt: frame.pelvic_tilt_deg }, cutoff);
    if (frame && this.simulatedBadge.hidden === frame.simulated) this.simulatedBadge.hidden = !frame.simulated;
  }

  private onRep(rep: PublishedRep): void {
    const flexion = rep.lumbar_flexion_max_deg === null ? '' : `, flexion ${deg(rep.lumbar_flexion_max_deg)}`;
    const depth = depthIsUncertain(rep.gap_fraction) ? `about ${cm(rep.depth_cm)} (signal lost)` : cm(rep.depth_cm);
    this.repAnnouncer.textContent = `Rep ${rep.index}: ${depth}${flexion}${rep.butt_wink ? `, butt wink ${deg(rep.wink_deg)}` : ''}.`;
    this.freshRepId = rep.id;
    this.render();
  }

  private showReps(): void {
    const reps = this.entry()?.reps ?? [];
    this.reps.show(reps, this.freshRepId);
    const id = this.ctx.selection.id;
    this.repCount.textContent = String(id === null ? reps.length : this.ctx.live.repCount(id));
    const last = reps[reps.length - 1];
    if (!last) {
      fill(this.lastRep, h('span', { class: 'muted' }, 'Waiting for the first rep'));
      return;
    }
    fill(
      this.lastRep,
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'depth'), h('span', { class: 'stat-value' }, ...repDepth(last))),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'flexion'), h('span', { class: 'stat-value' }, deg(last.lumbar_flexion_max_deg))),
      h(
        'div',
        { class: last.butt_wink ? 'stat stat-alert' : 'stat' },
        h('span', { class: 'stat-label' }, 'wink'),
        h('span', { class: 'stat-value' }, last.butt_wink ? `YES ${deg(last.wink_deg)}` : deg(last.wink_deg)),
      ),
    );
  }

  private async submitCutoff(event: Event): Promise<void> {
    event.preventDefault();
    const text = this.cutoffInput.value.trim();
    const value = text === '' ? null : Number(text);
    if (value !== null && (!Number.isFinite(value) || value < 0 || value > 150)) {
      this.ctx.notify('The stopping depth must be between 0 and 150 cm.', 'error');
      return;
    }
    await this.applyCutoff(value);
  }

  private async applyCutoff(cutoffCm: number | null): Promise<void> {
    const id = this.ctx.selection.id;
    if (id === null) return;
    try {
      await this.ctx.api.setCutoff(id, cutoffCm);
      this.ctx.live.updateAthlete(id, { cutoffCm });
      this.cutoffInput.value = cutoffCm === null ? '' : String(cutoffCm);
      this.ctx.notify(cutoffCm === null ? 'Cutoff removed: no depth cue.' : `Cutoff set to ${cm(cutoffCm)}.`);
    } catch (err) {
      this.ctx.notify(`Could not set the cutoff: ${(err as Error).message}`, 'error');
    }
  }

  private async setCommand(which: 'start' | 'stop'): Promise<void> {
    const id = this.ctx.selection.id;
    if (id === null) return;
    try {
      await (which === 'start' ? this.ctx.api.startSet(id) : this.ctx.api.stopSet(id));
    } catch (err) {
      this.ctx.notify(`Could not ${which} the set: ${(err as Error).message}`, 'error');
    }
  }
}
