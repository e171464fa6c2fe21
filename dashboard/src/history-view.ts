/**
 * History: filters (athlete, dates, winking reps only), CSV/JSON export of the filtered reps, trends over
 * sessions, then sessions → sets → reps, each rep's curve, the set's recording, and a replay of the set.
 */
import type { HistoryFilter } from './api.ts';
import type { AppContext } from './context.ts';
import { fill, h } from './dom.ts';
import { cm, count, dateInputToMs, dateTime, deg, percent } from './format.ts';
import { recordedSetFrames, repCurve } from './recorded-curves.ts';
import { RepChart } from './rep-chart.ts';
import { RepTable } from './rep-table.ts';
import { buildReplayTimeline, recordedTimeline } from './replay-timeline.ts';
import { SetReplay } from './set-replay.ts';
import { TrendChart } from './trend-chart.ts';
import type { SessionOverview, StoredRep, StoredSet } from './wire.ts';

export class HistoryView {
  readonly element: HTMLElement;
  private readonly athlete: HTMLSelectElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private readonly winkOnly: HTMLInputElement;
  private readonly exportCsv: HTMLAnchorElement;
  private readonly exportJson: HTMLAnchorElement;
  private readonly trends = new TrendChart();
  private readonly sessions = h('div', { class: 'sessions', 'data-testid': 'session-list' });
  private readonly detail = h('div', { class: 'session-detail', 'data-testid': 'session-detail' });
  private filter: HistoryFilter = {};

  constructor(private readonly ctx: AppContext) {
    this.athlete = h('select', { id: 'history-athlete', 'data-testid': 'history-athlete' });
    this.from = h('input', { id: 'history-from', type: 'date' });
    this.to = h('input', { id: 'history-to', type: 'date' });
    this.winkOnly = h('input', { id: 'history-wink', type: 'checkbox' });
    this.exportCsv = h('a', { class: 'button', download: 'squatmon-reps.csv', 'data-testid': 'export-csv' }, 'Export CSV');
    this.exportJson = h('a', { class: 'button secondary', download: 'squatmon-reps.json', 'data-testid': 'export-json' }, 'Export JSON');
    const form = h(
      'form',
      { class: 'filters', 'aria-label': 'History filters', onsubmit: (e: Event) => this.submit(e) },
      h('div', { class: 'field' }, h('label', { for: 'history-athlete' }, 'Athlete'), this.athlete),
      h('div', { class: 'field' }, h('label', { for: 'history-from' }, 'From'), this.from),
      h('div', { class: 'field' }, h('label', { for: 'history-to' }, 'To'), this.to),
      h('div', { class: 'field checkbox' }, this.winkOnly, h('label', { for: 'history-wink' }, 'Winking reps only')),
      h('button', { type: 'submit' }, 'Apply filters'),
    );
    this.element = h(
      'section',
      { class: 'view history-view', 'aria-labelledby': 'history-title' },
      h('div', { class: 'view-head' }, h('h2', { id: 'history-title' }, 'History')),
      h('div', { class: 'panel' }, form, h('div', { class: 'button-row export-row' }, this.exportCsv, this.exportJson)),
      h('div', { class: 'panel' }, h('h3', {}, 'Trends over sessions'), this.trends.element),
      h('div', { class: 'panel' }, h('h3', {}, 'Sessions'), this.sessions),
      this.detail,
    );
  }

  /** Reloads from the gateway (each time the view is opened). */
  async refresh(): Promise<void> {
    try {
      const { athletes } = await this.ctx.api.athletes();
      const wanted = this.filter.athlete ?? this.ctx.selection.id ?? athletes[0]?.id;
      fill(this.athlete, h('option', { value: '' }, 'All athletes'), ...athletes.map((a) => h('option', { value: a.id }, a.name)));
      this.athlete.value = wanted !== undefined && athletes.some((a) => a.id === wanted) ? wanted : '';
      this.filter = this.readFilter();
      await this.load();
    } catch (err) {
      fill(this.sessions, h('p', { class: 'error' }, `History unavailable: ${(err as Error).message}`));
    }
  }

  private readFilter(): HistoryFilter {
    return {
      athlete: this.athlete.value === '' ? undefined : this.athlete.value,
      from: dateInputToMs(this.from.value),
      to: dateInputToMs(this.to.value, true),
      buttWinkOnly: this.winkOnly.checked,
    };
  }

  private submit(event: Event): void {
    event.preventDefault();
    this.filter = this.readFilter();
    fill(this.detail);
    void this.load();
  }

  private async load(): Promise<void> {
    this.exportCsv.href = this.ctx.api.exportUrl('csv', this.filter);
    this.exportJson.href = this.ctx.api.exportUrl('json', this.filter);
    const athlete = this.filter.athlete;
    if (athlete === undefined) this.trends.show([]);
    else this.trends.show((await this.ctx.api.trends(athlete)).trends);
    const { sessions } = await this.ctx.api.sessions(this.filter);
    this.showSessions(sessions);
  }

  private showSessions(sessions: readonly SessionOverview[]): void {
    if (sessions.length === 0) {
      fill(this.sessions, h('p', { class: 'muted' }, 'No session matches these filters.'));
      return;
    }
    const rows = sessions.map((s) =>
      h(
        'tr',
        { 'data-session': s.id },
        h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => void this.openSession(s.id) }, dateTime(s.startedAt))),
        h('td', {}, s.athlete),
        h('td', {}, String(s.setCount)),
        h('td', {}, String(s.reps)),
        h('td', {}, cm(s.meanDepthCm, 1)),
        h('td', {}, deg(s.maxFlexionDeg, 1)),
        h('td', {}, percent(s.winkRate)),
        h('td', {}, cm(s.suggestedCutoffCm)),
        h('td', {}, s.endedAt === null ? h('span', { class: 'badge' }, 'running') : '', s.simulated ? h('span', { class: 'badge badge-sim' }, 'simulated') : ''),
      ),
    );
    fill(
      this.sessions,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          {},
          h('caption', { class: 'sr-only' }, 'Sessions, newest first'),
          h(
            'thead',
            {},
            h('tr', {}, ...['Started', 'Athlete', 'Sets', 'Reps', 'Mean depth', 'Max flexion', 'Wink rate', 'Suggested cutoff', ''].map((t) => h('th', { scope: 'col' }, t))),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  }

  private async openSession(id: string): Promise<void> {
    try {
      const session = await this.ctx.api.session(id);
      const sets = session.sets.map((set) => this.setBlock(set));
      fill(
        this.detail,
        h(
          'div',
          { class: 'panel' },
          h('h3', {}, `Session ${dateTime(session.startedAt)} — ${session.athlete}`),
          h(
            'p',
            {},
            `${count(session.reps, 'rep')} in ${count(session.setCount, 'set')}. `,
            session.endedAt === null
              ? 'The session is still running: its posture and suggested cutoff are stored when it ends (see Coaching for the live values).'
              : `Posture ${session.summary?.pelvic_tilt ?? 'not measured'}; suggested cutoff ${cm(session.suggestedCutoffCm)}.`,
          ),
          sets.length === 0 ? h('p', { class: 'muted' }, 'No set in this session.') : null,
          ...sets,
        ),
      );
      this.detail.scrollIntoView({ block: 'start' });
    } catch (err) {
      this.ctx.notify(`Could not open the session: ${(err as Error).message}`, 'error');
    }
  }

  private setBlock(set: StoredSet): HTMLElement {
    const body = h('div', { class: 'set-body' });
    const block = h(
      'div',
      { class: 'set-block', 'data-set': set.set, 'data-open': String(set.endedAt === null) },
      h('h4', {}, `Set ${set.set}: ${set.reps} reps, mean depth ${cm(set.meanDepthCm, 1)}, max flexion ${deg(set.maxFlexionDeg, 1)}, wink rate ${percent(set.winkRate)}`),
      h(
        'div',
        { class: 'button-row' },
        h('button', { type: 'button', 'data-testid': 'show-reps', onclick: () => void this.showReps(set, body) }, 'Reps'),
        h('button', { type: 'button', 'data-testid': 'replay-set', onclick: () => void this.replay(set, body) }, 'Replay set'),
        // An open set's file is still being written: it can be traced and replayed, and downloaded once it ends.
        set.recording === null
          ? null
          : set.endedAt === null
            ? h('span', { class: 'muted' }, 'Recording: downloadable when the set ends')
            : h('a', { class: 'button secondary', href: this.ctx.api.recordingUrl(set.session, set.set), download: '' }, 'Download recording'),
      ),
      body,
    );
    return block;
  }

  private async setReps(set: StoredSet): Promise<StoredRep[]> {
    return (await this.ctx.api.reps({ session: set.session, set: set.set, buttWinkOnly: this.filter.buttWinkOnly })).reps;
  }

  private async showReps(set: StoredSet, body: HTMLElement): Promise<void> {
    const reps = await this.setReps(set);
    const chart = new RepChart();
    const cutoff = this.ctx.live.get(set.athlete)?.latest?.cutoff_cm ?? null;
    // Only the latest choice is drawn: answers may arrive out of order when reps are clicked quickly.
    let latest = 0;
    const showRep = async (rep: StoredRep) => {
      const request = ++latest;
      chart.loading(rep);
      try {
        const curve = await repCurve(this.ctx.api, this.ctx.traces, rep, set.endedAt === null);
        if (request === latest) chart.show(rep, curve, cutoff);
      } catch (err) {
        if (request === latest) chart.failed(rep, (err as Error).message);
      }
    };
    const table = new RepTable(`Reps of set ${set.set}`, (row) => {
      const rep = reps.find((r) => r.id === row.id);
      if (rep) void showRep(rep);
    });
    table.show(reps);
    fill(body, h('div', { class: 'set-reps' }, table.element, chart.element));
    if (reps[0]) await showRep(reps[0]);
  }

  private async replay(set: StoredSet, body: HTMLElement): Promise<void> {
    const reps = await this.setReps(set);
    let frames;
    try {
      frames = await recordedSetFrames(this.ctx.api, set);
    } catch (err) {
      fill(body, h('p', { class: 'error' }, `Replay unavailable: ${(err as Error).message}`));
      return;
    }
    const player = new SetReplay(`Replay of set ${set.set}`);
    fill(body, player.element);
    const timeline = frames === null ? buildReplayTimeline(reps, (id) => this.ctx.traces.get(id)) : recordedTimeline(frames, reps);
    player.play(timeline, this.ctx.live.get(set.athlete)?.latest?.cutoff_cm ?? null);
  }
}
