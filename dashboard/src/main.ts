/** The dashboard's entry point: builds the views, wires the live connection to them, and switches views. */
import { readToken } from './access-token.ts';
import { Api, ApiError } from './api.ts';
import { CoachingView } from './coaching-view.ts';
import type { AppContext } from './context.ts';
import { CueAlert } from './cue-alert.ts';
import { h } from './dom.ts';
import { HistoryView } from './history-view.ts';
import { LiveConnection } from './live-connection.ts';
import { LiveStore } from './live-store.ts';
import { LiveView } from './live-view.ts';
import { Notices } from './notices.ts';
import { OverviewView } from './overview-view.ts';
import { RepTraceStore } from './rep-traces.ts';
import { currentRoute, goTo, onRouteChange, ROUTES } from './router.ts';
import type { Route } from './router.ts';
import { AthleteSelection } from './selection.ts';
import { showTokenPrompt } from './token-prompt.ts';

const ROUTE_LABELS: Record<Route, string> = { live: 'Live', overview: 'Gym', history: 'History', coaching: 'Coaching' };

async function start(): Promise<void> {
  const token = readToken();
  const root = document.getElementById('app')!;
  const api = new Api(() => token);
  try {
    await api.athletes();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showTokenPrompt(root, token !== null);
    // Anything else (gateway restarting): the page comes up and the live connection keeps retrying.
  }

  const notices = new Notices();
  const live = new LiveStore();
  const selection = new AthleteSelection();
  const cue = new CueAlert();
  const traces = new RepTraceStore(localStorage);
  const ctx: AppContext = { api, live, selection, cue, traces, notify: (m, k) => notices.notify(m, k), navigate: goTo };

  const views = {
    live: new LiveView(ctx),
    overview: new OverviewView(ctx),
    history: new HistoryView(ctx),
    coaching: new CoachingView(ctx),
  };
  const links = ROUTES.map((route) => h('a', { href: `#${route}`, 'data-route': route }, ROUTE_LABELS[route]));
  const header = h(
    'header',
    { class: 'top-bar' },
    h('h1', {}, 'squatmon'),
    h('nav', { 'aria-label': 'Views' }, ...links),
    h('div', { class: 'top-status' }, notices.connection, cue.muteButton),
  );
  const main = h('main', { id: 'main' }, ...Object.values(views).map((v) => v.element));
  root.replaceChildren(header, main, notices.toast, cue.announcer);
  document.body.append(cue.overlay);

  const connection = new LiveConnection({
    token: () => token,
    onMessage: (message) => {
      live.apply(message);
      if (message.type === 'rep') {
        const entry = live.get(message.athlete);
        if (entry) traces.capture(message, entry.frames);
      }
    },
    onStatus: (status, retry) => notices.showConnection(status, retry),
  });

  const show = (route: Route) => {
    for (const [name, view] of Object.entries(views)) view.element.hidden = name !== route;
    for (const link of links) {
      if (link.dataset.route === route) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    views.live.setVisible(route === 'live');
    connection.subscribe(route === 'overview' || selection.id === null ? '*' : [selection.id]);
    if (route === 'history') void views.history.refresh();
    if (route === 'coaching') void views.coaching.refresh();
    document.title = `squatmon — ${ROUTE_LABELS[route]}`;
  };
  live.listen((change) => {
    if (change.kind === 'athletes') selection.ensure(live.athletes().map((a) => a.athlete.id));
  });
  selection.listen(() => show(currentRoute()));
  onRouteChange(show);
  show(currentRoute());
  connection.start();
}

void start();
