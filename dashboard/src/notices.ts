/** Short messages to the user (a toast that also reaches screen readers) and the connection state badge. */
import { h } from './dom.ts';
import type { ConnectionStatus } from './live-connection.ts';

export class Notices {
  readonly toast = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite', 'data-testid': 'toast' });
  readonly connection = h('span', { class: 'connection', 'data-testid': 'connection', 'data-state': 'connecting' }, 'connecting…');
  private hideTimer: number | null = null;

  notify(message: string, kind: 'info' | 'error' = 'info'): void {
    this.toast.textContent = message;
    this.toast.className = `toast visible ${kind}`;
    if (this.hideTimer !== null) window.clearTimeout(this.hideTimer);
    this.hideTimer = window.setTimeout(() => this.toast.classList.remove('visible'), kind === 'error' ? 8000 : 4000);
  }

  showConnection(status: ConnectionStatus, retryInMs: number | null): void {
    this.connection.dataset.state = status;
    this.connection.textContent =
      status === 'open' ? 'live' : status === 'connecting' ? 'connecting…' : `offline, retrying in ${Math.max(1, Math.round((retryInMs ?? 0) / 1000))} s`;
  }
}
