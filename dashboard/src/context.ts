/** What every view shares: the API, the live state, the selected athlete, the cue and the per-rep curves. */
import type { Api } from './api.ts';
import type { CueAlert } from './cue-alert.ts';
import type { LiveStore } from './live-store.ts';
import type { RepTraceStore } from './rep-traces.ts';
import type { AthleteSelection } from './selection.ts';

export interface AppContext {
  readonly api: Api;
  readonly live: LiveStore;
  readonly selection: AthleteSelection;
  readonly cue: CueAlert;
  readonly traces: RepTraceStore;
  /** Shows a short message to the user (and screen readers). */
  readonly notify: (message: string, kind?: 'info' | 'error') => void;
  /** Switches to another view. */
  readonly navigate: (route: string) => void;
}
