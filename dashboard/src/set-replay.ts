/**
 * Replay of a stored set on a gauge and traces like the live screen's: the depth moves through each rep and the
 * reps land in the list as they did, at the chosen speed (real time or faster).
 */
import { DepthGauge } from './depth-gauge.ts';
import { h } from './dom.ts';
import { RepTable } from './rep-table.ts';
import type { ReplayTimeline } from './replay-timeline.ts';
import { TraceChart } from './trace-chart.ts';

export class SetReplay {
  readonly element: HTMLElement;
  private readonly gauge = new DepthGauge('replay');
  private readonly traces = new TraceChart('Replayed traces of depth, lumbar flexion and pelvic tilt');
  private readonly reps = new RepTable('Replayed reps');
  private readonly status = h('p', { class: 'replay-status', 'aria-live': 'polite', 'data-testid': 'replay-status' });
  private readonly speed: HTMLSelectElement;
  private readonly playButton: HTMLButtonElement;
  private timeline: ReplayTimeline | null = null;
  private cutoff: number | null = null;
  private position = 0;
  private frameIndex = 0;
  private repsShown = 0;
  private playing = false;
  private lastTick = 0;

  constructor(title: string) {
    this.speed = h('select', { id: 'replay-speed' }, h('option', { value: '1' }, '1×'), h('option', { value: '2', selected: true }, '2×'), h('option', { value: '4' }, '4×'));
    this.playButton = h('button', { type: 'button', onclick: () => this.toggle() }, 'Pause');
    this.element = h(
      'section',
      { class: 'panel replay', 'aria-label': title, 'data-testid': 'set-replay' },
      h('h3', {}, title),
      h(
        'div',
        { class: 'button-row' },
        this.playButton,
        h('button', { type: 'button', class: 'secondary', onclick: () => this.restart() }, 'Restart'),
        h('label', { for: 'replay-speed' }, 'Speed'),
        this.speed,
      ),
      this.status,
      h('div', { class: 'replay-grid' }, this.gauge.element, this.traces.element),
      this.reps.element,
    );
  }

  play(timeline: ReplayTimeline, cutoffCm: number | null): void {
    this.timeline = timeline;
    this.cutoff = cutoffCm;
    this.restart();
  }

  private restart(): void {
    this.position = 0;
    this.frameIndex = 0;
    this.repsShown = 0;
    this.traces.reset([], this.cutoff);
    this.reps.show([]);
    this.start();
  }

  private toggle(): void {
    if (this.playing) {
      this.playing = false;
      this.playButton.textContent = 'Play';
    } else this.start();
  }

  private start(): void {
    const timeline = this.timeline;
    if (timeline === null) return;
    if (this.position >= timeline.duration) this.restart();
    const approx = timeline.approximateReps;
    this.status.textContent =
      `Replaying ${timeline.repEnds.length} reps` +
      (timeline.source === 'recording' ? ' from the set’s recording.' : '.') +
      (approx > 0 ? ` ${approx} of them drawn from their summary (depth and timing only): the gateway has no recording of this set and this browser did not watch them.` : '');
    this.playButton.textContent = 'Pause';
    if (this.playing) return;
    this.playing = true;
    this.lastTick = performance.now();
    requestAnimationFrame((now) => this.tick(now));
  }

  private tick(now: number): void {
    const timeline = this.timeline;
    if (!this.playing || timeline === null || !this.element.isConnected) {
      this.playing = false;
      return;
    }
    this.position += ((now - this.lastTick) / 1000) * Number(this.speed.value);
    this.lastTick = now;
    const frames = timeline.frames;
    while (this.frameIndex < frames.length && frames[this.frameIndex].t <= this.position) {
      const f = frames[this.frameIndex++];
      this.traces.push(f, this.cutoff);
      this.gauge.show(f.depth, this.frameIndex === frames.length ? 'replay finished' : 'replay', this.cutoff);
    }
    let landed = false;
    while (this.repsShown < timeline.repEnds.length && timeline.repEnds[this.repsShown].t <= this.position) {
      this.repsShown++;
      landed = true;
    }
    if (landed) {
      const shown = timeline.repEnds.slice(0, this.repsShown).map((e) => e.rep);
      this.reps.show(shown, shown[shown.length - 1].id);
    }
    if (this.position >= timeline.duration) {
      this.playing = false;
      this.playButton.textContent = 'Play again';
      this.status.textContent = `Replay finished: ${timeline.repEnds.length} reps.`;
      return;
    }
    requestAnimationFrame((t) => this.tick(t));
  }
}
