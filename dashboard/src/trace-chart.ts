/**
 * Live traces of depth, lumbar flexion and pelvic tilt over the last 10 s (chart.js). Frames are appended as
 * they arrive but drawn at most once per animation frame, without chart.js's animations, so it scrolls smoothly
 * even on a phone.
 */
import type { ChartClass } from './chart-lib.ts';
import { chartJs, COLOURS } from './chart-lib.ts';
import { h } from './dom.ts';

const WINDOW_S = 10;

export interface TracePoint {
  readonly t: number;
  readonly depth: number;
  readonly flexion: number | null;
  readonly tilt: number | null;
}

type XY = { x: number; y: number | null };

export class TraceChart {
  readonly element: HTMLElement;
  private readonly chart: ChartClass<'line', XY[]>;
  private drawPending = false;
  private cutoff: number | null = null;

  constructor(label: string) {
    const canvas = h('canvas', { role: 'img', 'aria-label': label });
    this.element = h('div', { class: 'trace-chart' }, canvas);
    const line = (name: string, colour: string, axis: string, dash: number[] = []) => ({
      label: name,
      data: [] as XY[],
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: 2.5,
      borderDash: dash,
      pointRadius: 0,
      tension: 0.3,
      spanGaps: true,
      yAxisID: axis,
    });
    this.chart = new (chartJs())(canvas, {
      type: 'line',
      data: {
        datasets: [
          line('Depth (cm)', COLOURS.depth, 'cm'),
          line('Lumbar flexion (°)', COLOURS.flexion, 'deg'),
          line('Pelvic tilt (°)', COLOURS.tilt, 'deg'),
          line('Cutoff (cm)', COLOURS.cutoff, 'cm', [6, 4]),
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        events: [],
        plugins: { legend: { labels: { boxWidth: 14 } }, tooltip: { enabled: false } },
        scales: {
          // The window's ends fall between seconds (207.09…217.09): ticks on whole seconds only, not at the ends.
          x: { type: 'linear', title: { display: true, text: 's' }, ticks: { maxTicksLimit: 6, includeBounds: false, precision: 0 } },
          cm: { type: 'linear', position: 'left', reverse: true, suggestedMin: 0, suggestedMax: 50, title: { display: true, text: 'depth, cm (down)' } },
          deg: { type: 'linear', position: 'right', suggestedMin: -15, suggestedMax: 30, grid: { drawOnChartArea: false }, title: { display: true, text: 'degrees' } },
        },
      },
    });
  }

  /** Replaces everything shown (a new athlete, a replay). */
  reset(points: readonly TracePoint[], cutoffCm: number | null): void {
    for (const dataset of this.chart.data.datasets) dataset.data = [];
    this.cutoff = cutoffCm;
    for (const p of points) this.push(p, cutoffCm);
    this.schedule();
  }

  push(point: TracePoint, cutoffCm: number | null): void {
    const [depth, flexion, tilt] = this.chart.data.datasets;
    const last = depth.data[depth.data.length - 1];
    // Time went backwards: a new session (or replay) started; the old curve means nothing any more.
    if (last !== undefined && point.t < last.x) for (const dataset of this.chart.data.datasets) dataset.data = [];
    depth.data.push({ x: point.t, y: point.depth });
    flexion.data.push({ x: point.t, y: point.flexion });
    tilt.data.push({ x: point.t, y: point.tilt });
    this.cutoff = cutoffCm;
    const oldest = point.t - WINDOW_S - 1;
    for (const dataset of [depth, flexion, tilt]) {
      let drop = 0;
      while (drop < dataset.data.length && dataset.data[drop].x < oldest) drop++;
      if (drop > 0) dataset.data.splice(0, drop);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  private draw(): void {
    const [depth, , , cutoff] = this.chart.data.datasets;
    const newest = depth.data.length > 0 ? depth.data[depth.data.length - 1].x : WINDOW_S;
    const from = Math.max(0, newest - WINDOW_S);
    const x = this.chart.options.scales!.x!;
    x.min = from;
    x.max = from + WINDOW_S;
    cutoff.data = this.cutoff === null ? [] : [{ x: from, y: this.cutoff }, { x: from + WINDOW_S, y: this.cutoff }];
    this.chart.update('none');
  }
}
