/** Trends over sessions: mean depth, largest lumbar flexion, wink rate and the suggested cutoff per session. */
import type { ChartClass } from './chart-lib.ts';
import { chartJs, COLOURS } from './chart-lib.ts';
import { h } from './dom.ts';
import { count, shortDate } from './format.ts';
import type { TrendPoint } from './wire.ts';

export class TrendChart {
  readonly element: HTMLElement;
  private chart: ChartClass<'line', (number | null)[], string> | null = null;

  constructor() {
    this.element = h('div', { class: 'trend-chart', 'data-testid': 'trend-chart' });
  }

  show(points: readonly TrendPoint[]): void {
    this.chart?.destroy();
    this.chart = null;
    if (points.length === 0) {
      this.element.replaceChildren(h('p', { class: 'muted' }, 'No session with reps yet: trends appear after the first one.'));
      return;
    }
    const canvas = h('canvas', {
      role: 'img',
      'aria-label': `Trends over ${count(points.length, 'session')}: mean depth, largest lumbar flexion, wink rate and suggested cutoff`,
    });
    const note = points.length === 1 ? [h('p', { class: 'muted', 'data-testid': 'trend-note' }, 'One session so far: the lines start with the next one.')] : [];
    this.element.replaceChildren(h('div', { class: 'trend-chart-canvas' }, canvas), ...note);
    const series = (label: string, colour: string, axis: string, values: (number | null)[], dash: number[] = []) => ({
      label,
      data: values,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: dash,
      borderWidth: 2.5,
      pointRadius: 4,
      spanGaps: true,
      yAxisID: axis,
    });
    this.chart = new (chartJs())(canvas, {
      type: 'line',
      data: {
        labels: points.map((p) => shortDate(p.startedAt)),
        datasets: [
          series('Mean depth (cm)', COLOURS.depth, 'left', points.map((p) => p.meanDepthCm)),
          series('Max flexion (°)', COLOURS.flexion, 'left', points.map((p) => p.maxFlexionDeg)),
          series('Suggested cutoff (cm)', COLOURS.cutoff, 'left', points.map((p) => p.suggestedCutoffCm), [6, 4]),
          series('Wink rate (%)', COLOURS.winkRate, 'right', points.map((p) => (p.winkRate === null ? null : Math.round(p.winkRate * 100)))),
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { labels: { boxWidth: 14 } } },
        scales: {
          // Half a category of room at each end: a single session's points sit in the middle, not on the left edge.
          x: { type: 'category', offset: true },
          left: { type: 'linear', position: 'left', suggestedMin: 0, title: { display: true, text: 'cm / °' } },
          right: { type: 'linear', position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: 'wink rate, %' } },
        },
      },
    });
  }
}
