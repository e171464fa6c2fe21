/**
 * One rep's curves: depth and lumbar flexion through the rep, with the point where the butt wink began (t_peak,
 * the pelvis's peak forward tilt before the bottom) marked, and the cutoff if any. The curve comes from the set's
 * recording (exact) or from this browser's live capture; the chart says which.
 */
import type { ChartClass } from './chart-lib.ts';
import { chartJs, COLOURS } from './chart-lib.ts';
import { h } from './dom.ts';
import type { CurveSource, RepCurve } from './recorded-curves.ts';
import type { RepTrace } from './rep-traces.ts';
import type { RepRow } from './rep-table.ts';
import type { PublishedRep } from './wire.ts';

type XY = { x: number; y: number | null };

/** What the chart needs of a rep; `t_peak` when the gateway reports it (a later field of the rep contract). */
export type ChartRep = RepRow & Pick<PublishedRep, 't_start' | 't_bottom'> & { readonly t_peak?: number };

const SOURCE_NOTE: Record<CurveSource, string> = {
  recording: 'Computed from the set’s recording.',
  browser: 'As this browser received it live (the gateway has no recording of this set).',
  'open-set': 'From the recording so far: the set is still open.',
  'cut-off': 'From the set’s recording, whose end was cut off (the gateway stopped during the set).',
};

/** The first descent sample at or below the wink onset depth: where the chart marks the wink. */
export function winkOnsetIndex(trace: RepTrace, onsetDepthCm: number): number {
  let bottom = 0;
  for (let i = 1; i < trace.depth.length; i++) if (trace.depth[i] > trace.depth[bottom]) bottom = i;
  for (let i = 0; i <= bottom; i++) if (trace.depth[i] >= onsetDepthCm) return i;
  return bottom;
}

function nearestIndex(times: readonly number[], t: number): number {
  let best = 0;
  for (let i = 1; i < times.length; i++) if (Math.abs(times[i] - t) < Math.abs(times[best] - t)) best = i;
  return best;
}

/**
 * Where the chart marks the butt wink (null: no wink): at t_peak when the rep carries it; else at the largest
 * pelvic tilt from the rep's start to its bottom, which is how t_peak is defined; else, with no tilt known, where
 * the descent reaches the wink onset depth.
 */
export function winkMarkIndex(rep: ChartRep, trace: RepTrace): number | null {
  if (!rep.butt_wink || trace.t.length === 0) return null;
  if (typeof rep.t_peak === 'number') return nearestIndex(trace.t, rep.t_peak - rep.t_start);
  const bottom = rep.t_bottom - rep.t_start;
  let peak = -1;
  for (let i = 0; i < trace.t.length && trace.t[i] <= bottom; i++) {
    const tilt = trace.tilt[i];
    if (trace.t[i] >= 0 && tilt !== null && (peak < 0 || tilt > trace.tilt[peak]!)) peak = i;
  }
  if (peak >= 0) return peak;
  return rep.wink_onset_depth_cm === null ? null : winkOnsetIndex(trace, rep.wink_onset_depth_cm);
}

export class RepChart {
  readonly element: HTMLElement;
  private chart: ChartClass<'line', XY[]> | null = null;

  constructor() {
    this.element = h('div', { class: 'rep-chart', 'data-testid': 'rep-chart' });
  }

  /** While the curve is being fetched. */
  loading(rep: RepRow): void {
    this.clear();
    this.element.replaceChildren(h('h4', {}, `Rep ${rep.index}`), h('p', { class: 'muted' }, 'Loading the curve…'));
  }

  /** The curve could not be had (the gateway failed, or the recording is unreadable). */
  failed(rep: RepRow, message: string): void {
    this.clear();
    this.element.replaceChildren(h('h4', {}, `Rep ${rep.index}`), h('p', { class: 'error' }, `No curve for this rep: ${message}`));
  }

  show(rep: ChartRep, curve: RepCurve | null, cutoffCm: number | null): void {
    this.clear();
    const title = h('h4', {}, `Rep ${rep.index}`);
    if (curve === null) {
      this.element.replaceChildren(
        title,
        h(
          'p',
          { class: 'muted' },
          'No curve for this rep: the gateway has no recording of this set, and this browser did not watch the rep live.',
        ),
      );
      return;
    }
    const trace = curve.trace;
    this.element.dataset.source = curve.source;
    const canvas = h('canvas', { role: 'img', 'aria-label': `Depth and lumbar flexion through rep ${rep.index}${rep.butt_wink ? ', with the butt wink marked' : ''}` });
    this.element.replaceChildren(title, h('div', { class: 'rep-chart-canvas' }, canvas), h('p', { class: 'muted rep-chart-source' }, SOURCE_NOTE[curve.source]));
    const points = (values: (number | null)[]): XY[] => values.map((y, i) => ({ x: trace.t[i], y }));
    const onset = winkMarkIndex(rep, trace);
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

  private clear(): void {
    this.chart?.destroy();
    this.chart = null;
    delete this.element.dataset.source;
  }
}
