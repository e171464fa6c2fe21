/**
 * The page's WebSocket to the gateway (`/ws`): reconnects by itself with exponential backoff (with jitter, so a
 * gym full of phones does not hammer a restarted gateway in step), re-sends the current subscription after every
 * connect, and pings now and then so a dead connection is noticed even when no data flows.
 */
import { withToken } from './access-token.ts';
import type { ServerMessage } from './wire.ts';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface LiveConnectionOptions {
  readonly token: () => string | null;
  readonly onMessage: (message: ServerMessage) => void;
  readonly onStatus: (status: ConnectionStatus, retryInMs: number | null) => void;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;
const PING_EVERY_MS = 20_000;
/** No message for this long (pings included) means the connection is dead even if the socket says open. */
const SILENCE_LIMIT_MS = 45_000;

export class LiveConnection {
  private socket: WebSocket | null = null;
  private subscription: '*' | string[] = '*';
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: number | null = null;
  private pingTimer: number | null = null;
  private lastMessageAt = 0;

  constructor(private readonly options: LiveConnectionOptions) {}

  start(): void {
    this.connect();
    this.pingTimer = window.setInterval(() => this.keepAlive(), PING_EVERY_MS);
    // A phone waking up or a laptop rejoining the LAN: try at once instead of waiting out the backoff.
    window.addEventListener('online', () => this.retryNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.retryNow();
    });
  }

  /** Which athletes' events to receive; kept and re-sent after each reconnect. */
  subscribe(athletes: '*' | string[]): void {
    this.subscription = athletes;
    this.sendSubscription();
  }

  private connect(): void {
    this.retryTimer = null;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(withToken(`${scheme}//${location.host}/ws`, this.options.token()));
    this.socket = socket;
    this.options.onStatus('connecting', null);
    socket.addEventListener('open', () => {
      this.retryMs = FIRST_RETRY_MS;
      this.lastMessageAt = Date.now();
      this.options.onStatus('open', null);
      this.sendSubscription();
    });
    socket.addEventListener('message', (event) => {
      this.lastMessageAt = Date.now();
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      this.options.onMessage(message);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null) return;
    const delay = Math.round(this.retryMs * (0.75 + Math.random() * 0.5));
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.options.onStatus('closed', delay);
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }

  private retryNow(): void {
    if (this.socket !== null || this.retryTimer === null) return;
    window.clearTimeout(this.retryTimer);
    this.retryMs = FIRST_RETRY_MS;
    this.connect();
  }

  private sendSubscription(): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'subscribe', athletes: this.subscription }));
  }

  private keepAlive(): void {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastMessageAt > SILENCE_LIMIT_MS) {
      socket.close();
      return;
    }
    socket.send('{"type":"ping"}');
  }
}
