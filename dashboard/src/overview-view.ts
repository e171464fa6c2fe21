/**
 * The gym overview: one tile per active athlete with depth, phase, rep count, the last rep and sensor health; a
 * tile flashes on its athlete's cue. Choosing a tile opens that athlete's live screen.
 */
import type { AppContext } from './context.ts';
import { fill, h } from './dom.ts';
import { cm, count, deg } from './format.ts';
import type { AthleteLive } from './live-store.ts';

interface Tile {
  readonly element: HTMLElement;
  readonly depth: HTMLElement;
  readonly bar: HTMLElement;
  readonly detail: HTMLElement;
}

export class OverviewView {
  readonly element: HTMLElement;
  private readonly grid = h('div', { class: 'overview-grid', 'data-testid': 'overview-grid' });
  private readonly tiles = new Map<string, Tile>();

  constructor(private readonly ctx: AppContext) {
    this.element = h(
      'section',
      { class: 'view overview-view', 'aria-labelledby': 'overview-title' },
      h('div', { class: 'view-head' }, h('h2', { id: 'overview-title' }, 'Gym overview')),
      this.grid,
    );
    ctx.live.listen((change) => {
      if (change.kind === 'athletes') return this.build();
      const entry = ctx.live.get(change.athlete);
      if (!entry) return;
      if (!this.tiles.has(change.athlete)) return this.build();
      if (change.kind === 'frame') return this.showFrame(entry);
      if (change.kind === 'cue') this.flash(change.athlete);
      this.showDetail(entry);
    });
    this.build();
  }

  private build(): void {
    this.tiles.clear();
    const athletes = this.ctx.live.athletes();
    if (athletes.length === 0) {
      fill(this.grid, h('p', { class: 'muted' }, 'No athlete is active on this gateway yet.'));
      return;
    }
    fill(this.grid, ...athletes.map((entry) => this.tile(entry)));
  }

  private tile(entry: AthleteLive): HTMLElement {
    const id = entry.athlete.id;
    const depth = h('div', { class: 'tile-depth' }, '–');
    const bar = h('div', { class: 'tile-bar-fill' });
    const detail = h('div', { class: 'tile-detail' });
    const element = h(
      'button',
      {
        type: 'button',
        class: 'tile',
        'data-athlete': id,
        onclick: () => {
          this.ctx.selection.set(id);
          this.ctx.navigate('live');
        },
      },
      h('div', { class: 'tile-name' }, entry.athlete.name),
      depth,
      h('div', { class: 'tile-bar', 'aria-hidden': 'true' }, bar),
      detail,
    );
    const tile = { element, depth, bar, detail };
    this.tiles.set(id, tile);
    this.showFrame(entry);
    this.showDetail(entry);
    return element;
  }

  private showFrame(entry: AthleteLive): void {
    const tile = this.tiles.get(entry.athlete.id);
    const frame = entry.latest;
    if (!tile || !frame) return;
    tile.depth.textContent = `${cm(Math.max(0, frame.depth_cm))} · ${frame.phase}`;
    tile.bar.style.width = `${Math.min(100, (Math.max(0, frame.depth_cm) / 60) * 100)}%`;
    tile.bar.classList.toggle('past-cutoff', frame.cutoff_cm !== null && frame.depth_cm >= frame.cutoff_cm);
  }

  private showDetail(entry: AthleteLive): void {
    const tile = this.tiles.get(entry.athlete.id);
    if (!tile) return;
    const sensors = [...entry.sensors.values()];
    const connected = sensors.filter((s) => s.connected).length;
    const last = entry.reps[entry.reps.length - 1];
    const simulated = entry.latest?.simulated ?? sensors.some((s) => s.simulated);
    fill(
      tile.detail,
      h('span', {}, count(this.ctx.live.repCount(entry.athlete.id), 'rep')),
      last ? h('span', {}, `last ${cm(last.depth_cm)}, flexion ${deg(last.lumbar_flexion_max_deg)}${last.butt_wink ? `, butt wink ${deg(last.wink_deg)}` : ''}`) : null,
      h('span', { class: connected < sensors.length || sensors.length === 0 ? 'warn' : '' }, `sensors ${connected}/${sensors.length}`),
      h('span', {}, `cutoff ${cm(entry.latest?.cutoff_cm ?? entry.athlete.cutoffCm)}`),
      simulated ? h('span', { class: 'badge badge-sim' }, 'SIMULATED') : null,
    );
    tile.element.setAttribute(
      'aria-label',
      `${entry.athlete.name}: ${count(this.ctx.live.repCount(entry.athlete.id), 'rep')}, sensors ${connected} of ${sensors.length} connected${simulated ? ', simulated' : ''}. Open live view.`,
    );
  }

  private flash(athlete: string): void {
    const tile = this.tiles.get(athlete);
    if (!tile) return;
    tile.element.classList.remove('cue');
    void tile.element.offsetWidth;
    tile.element.classList.add('cue');
  }
}
