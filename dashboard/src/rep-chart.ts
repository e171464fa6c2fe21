/**
 * One rep's curves: depth and lumbar flexion through the rep, with the point where the butt wink began (the
 * depth at the pelvis's peak forward tilt, `wink_onset_depth_cm`) marked on the descent, and the cutoff if any.
 */
import type { ChartClass } from './chart-lib.ts';
import { chartJs, COLOURS } from './chart-lib.ts';
import { h } from './dom.ts';
import type { RepTrace } from './rep-traces.ts';
import type { RepRow } from './rep-table.ts';

type XY = { x: number; y: number | null };

/** The first descent sample at or below the wink onset depth: where the chart marks the wink. */
export function winkOnsetIndex(trace: RepTrace, onsetDepthCm: number): number {
  let bottom = 0;
  for (let i = 1; i < trace.depth.length; i++) if (trace.depth[i] > trace.depth[bottom]) bottom = i;
  for (let i = 0; i <= bottom; i++) if (trace.depth[i] >= onsetDepthCm) return i;
  return bottom;
}

export class RepChart {
  readonly element: HTMLElement;
  private chart: ChartClass<'line', XY[]> | null = null;

  constructor() {
    this.element = h('div', { class: 'rep-chart', 'data-testid': 'rep-chart' });
  }

  show(rep: RepRow, trace: RepTrace | null, cutoffCm: number | null): void {
    this.chart?.destroy();
    this.chart = null;
    const title = h('h4', {}, `Rep ${rep.index}`);
    if (trace === null) {
      this.element.replaceChildren(
        title,
        h(
          'p',
          { class: 'muted' },
          'No curve for this rep: the gateway keeps rep summaries, and this browser only has curves of reps it watched live. ',
          'The set’s raw recording can be downloaded below.',
        ),
      );
      return;
    }
    const canvas = h('canvas', { role: 'img', 'aria-label': `Depth and lumbar flexion through rep ${rep.index}${rep.butt_wink ? ', with the butt wink marked' : ''}` });
    this.element.replaceChildren(title, h('div', { class: 'rep-chart-canvas' }, canvas));
    const points = (values: (number | null)[]): XY[] => values.map((y, i) => ({ x: trace.t[i], y }));
    const onset = rep.butt_wink && rep.wink_onset_depth_cm !== null ? winkOnsetIndex(trace, rep.wink_onset_depth_cm) : null;
    const span = trace.t.length > 0 ? [trace.t[0], trace.t[trace.t.length - 1]] : [0, 1];
    this.chart = new (chartJs())(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'Depth (cm)', data: points(trace.depth), borderColor: COLOURS.depth, backgroundColor: COLOURS.depth, pointRadius: 0, borderWidth: 2.5, tension: 0.3, yAxisID: 'cm' },
          { label: 'Lumbar flexion (°)', data: points(trace.flexion), borderColor: COLOURS.flexion, backgroundColor: COLOURS.flexion, pointRadius: 0, borderWidth: 2.5, tension: 0.3, spanGaps: true, yAxisID: 'deg' },
          {
            label: 'Butt wink begins',
            data: onset === null ? [] : [{ x: trace.t[onset], y: trace.depth[onset] }],
            borderColor: COLOURS.wink,
            backgroundColor: COLOURS.wink,
            pointRadius: 8,
            pointStyle: 'triangle',
            showLine: false,
            yAxisID: 'cm',
          },
          {
            label: 'Current cutoff (cm)',
            data: cutoffCm === null ? [] : [{ x: span[0], y: cutoffCm }, { x: span[1], y: cutoffCm }],
            borderColor: COLOURS.cutoff,
            borderDash: [6, 4],
            pointRadius: 0,
            borderWidth: 1.5,
            yAxisID: 'cm',
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        plugins: { legend: { labels: { boxWidth: 14 } } },
        scales: {
          x: { type: 'linear', title: { display: true, text: 's from rep start' } },
          cm: { type: 'linear', position: 'left', reverse: true, suggestedMin: 0, title: { display: true, text: 'depth, cm (down)' } },
          deg: { type: 'linear', position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'flexion, °' } },
        },
      },
    });
  }
}
