/**
 * A list of reps, newest first: depth, lumbar flexion and wink of each, the winking ones marked, and the ones
 * whose depth is an estimate across lost data marked as such.
 */
import { h, fill } from './dom.ts';
import { depthIsUncertain } from '../../shared/rep.ts';
import { cm, deg } from './format.ts';
import type { PublishedRep } from './wire.ts';

export type RepRow = Pick<PublishedRep, 'id' | 'index' | 'depth_cm' | 'lumbar_flexion_max_deg' | 'wink_deg' | 'butt_wink' | 'wink_onset_depth_cm'> &
  Partial<Pick<PublishedRep, 'gap_fraction'>>;

export class RepTable {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;

  constructor(caption: string, private readonly onSelect?: (rep: RepRow) => void) {
    this.body = h('tbody');
    this.element = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'rep-table', 'data-testid': 'rep-table' },
        h('caption', { class: 'sr-only' }, caption),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Rep'), h('th', { scope: 'col' }, 'Depth'), h('th', { scope: 'col' }, 'Flexion'), h('th', { scope: 'col' }, 'Wink'))),
        this.body,
      ),
    );
  }

  show(reps: readonly RepRow[], highlightId: string | null = null): void {
    fill(this.body, ...[...reps].reverse().map((rep) => this.row(rep, rep.id === highlightId)));
    if (reps.length === 0) fill(this.body, h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No reps yet.')));
  }

  private row(rep: RepRow, fresh: boolean): HTMLTableRowElement {
    const wink = rep.butt_wink
      ? h('span', { class: 'badge badge-wink' }, `wink ${deg(rep.wink_deg)}`, rep.wink_onset_depth_cm === null ? null : ` from ${cm(rep.wink_onset_depth_cm)}`)
      : h('span', { class: 'muted' }, deg(rep.wink_deg));
    const label = this.onSelect ? h('button', { type: 'button', class: 'link', onclick: () => this.onSelect!(rep) }, `#${rep.index}`) : `#${rep.index}`;
    return h(
      'tr',
      { class: fresh ? 'fresh' : null, 'data-rep-id': rep.id },
      h('th', { scope: 'row' }, label),
      h('td', {}, ...repDepth(rep, 1)),
      h('td', {}, deg(rep.lumbar_flexion_max_deg, 1)),
      h('td', {}, wink),
    );
  }
}

/**
 * A rep's depth as text, and when much of the rep's data was lost (a dropped link), marked as an estimate: "≈"
 * and a "signal lost" badge that says how much was missing.
 */
export function repDepth(rep: Pick<RepRow, 'depth_cm' | 'gap_fraction'>, digits = 0): (string | HTMLElement)[] {
  if (!depthIsUncertain(rep.gap_fraction)) return [cm(rep.depth_cm, digits)];
  const lostPct = Math.round((rep.gap_fraction ?? 0) * 100);
  return [
    `≈ ${cm(rep.depth_cm, digits)} `,
    h('span', { class: 'badge badge-lost', title: `${lostPct} % of this rep's data was lost: its depth is an estimate` }, 'signal lost'),
  ];
}
