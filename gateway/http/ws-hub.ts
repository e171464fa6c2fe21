/**
 * The WebSocket hub behind `/ws`: a gateway-event sink that fans events out to the connected pages, each
 * filtered by the athletes the page subscribed to (all by default).
 *
 * The sensing pipeline calls `handle` synchronously, so a page must never be able to slow it down: live frames
 * are decimated per athlete, serialized once, and a client whose socket buffer exceeds `maxBufferedBytes` has
 * its live frames dropped (counted) instead of queued. Rarer facts (reps, cues, sensor states…) are still
 * queued up to `hardLimitBytes`; past that, or when the buffer stays above the soft bound for `stallTimeoutMs`,
 * the client is terminated — the page reconnects and gets a fresh snapshot, and missed reps are in the history.
 * Memory per client is thus bounded by the hard limit. Ping/pong drops clients that vanished without a FIN.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import type { GatewayEvent } from '../core/domain.ts';
import type { Logger } from '../core/logger.ts';
import type { LiveSnapshot, Subscription } from './ws-messages.ts';
import { outgoingEvent, parseClientMessage, subscriptionToJson, WS_PROTOCOL_VERSION } from './ws-messages.ts';
import { LiveDecimator } from '../core/live-decimator.ts';

export interface WsHubOptions {
  readonly liveState: () => LiveSnapshot;
  readonly logger: Logger;
  /** Above this many buffered bytes a client gets no live frames. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** Above this many buffered bytes a client is terminated. Default 4 MiB. */
  readonly hardLimitBytes?: number;
  /** A client whose buffer stays above `maxBufferedBytes` this long is terminated, ms. Default 15 s. */
  readonly stallTimeoutMs?: number;
  /** Ping interval; a client that has not answered the previous ping is terminated, ms. Default 30 s. */
  readonly heartbeatMs?: number;
  /** Live frames forwarded per athlete per second of frame time, at most. Default 25. */
  readonly liveRateHz?: number;
  readonly maxClients?: number;
  /** Largest message a client may send, bytes. Default 4 KiB. */
  readonly maxMessageBytes?: number;
}

export interface WsHubStats {
  readonly clients: number;
  /** Live frames skipped by the per-athlete rate limit (for every client). */
  readonly liveDecimated: number;
  /** Live frames not sent to a client because its buffer was full, summed over clients. */
  readonly liveDropped: number;
  readonly terminatedSlow: number;
  readonly terminatedDead: number;
  readonly refusedFull: number;
  readonly badMessages: number;
}

export interface WsClientStats {
  readonly id: number;
  readonly subscription: '*' | string[];
  readonly bufferedAmount: number;
  readonly sent: number;
  readonly dropped: number;
}

interface Client {
  readonly id: number;
  readonly ws: WebSocket;
  subscription: Subscription;
  sent: number;
  dropped: number;
  /** When the buffer was first seen above the soft bound in the current episode; null when below. */
  overSince: number | null;
  awaitingPong: boolean;
}


export class WsHub {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly decimator: LiveDecimator;
  private readonly heartbeat: NodeJS.Timeout;
  private nextId = 1;
  private closed = false;
  private readonly counters = {
    liveDropped: 0,
    terminatedSlow: 0,
    terminatedDead: 0,
    refusedFull: 0,
    badMessages: 0,
  };
  private readonly maxBuffered: number;
  private readonly hardLimit: number;
  private readonly stallTimeoutMs: number;
  private readonly maxClients: number;

  constructor(private readonly options: WsHubOptions) {
    this.maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    this.hardLimit = Math.max(options.hardLimitBytes ?? 4 * 1024 * 1024, this.maxBuffered);
    this.stallTimeoutMs = options.stallTimeoutMs ?? 15_000;
    this.decimator = new LiveDecimator(1 / (options.liveRateHz ?? 25));
    this.maxClients = options.maxClients ?? 64;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? 4096, perMessageDeflate: false });
    this.heartbeat = setInterval(() => this.sweep(), options.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  /** Completes an upgrade the HTTP server has already authorized. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed || this.clients.size >= this.maxClients) {
      this.counters.refusedFull += 1;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  /** The sink: never blocks on a client, never throws. */
  handle(event: GatewayEvent): void {
    if (this.closed || this.clients.size === 0) return;
    try {
      if (event.kind === 'live' && !this.decimator.take(event.live.athlete, event.live.t)) return;
      const { athlete, message } = outgoingEvent(event);
      let data: string | null = null;
      for (const client of this.clients) {
        if (!subscribed(client.subscription, athlete)) continue;
        data ??= JSON.stringify(message);
        this.deliver(client, data, event.kind === 'live');
      }
    } catch (err) {
      this.options.logger.error('ws: failed to forward an event', { kind: event.kind, error: (err as Error).message });
    }
  }

  stats(): WsHubStats {
    return { clients: this.clients.size, liveDecimated: this.decimator.dropped, ...this.counters };
  }

  clientStats(): WsClientStats[] {
    return [...this.clients].map((c) => ({
      id: c.id,
      subscription: subscriptionToJson(c.subscription),
      bufferedAmount: c.ws.bufferedAmount,
      sent: c.sent,
      dropped: c.dropped,
    }));
  }

  /** Says goodbye to every client (1001, going away) and stops the heartbeat. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    const gone = [...this.clients].map(
      (client) =>
        new Promise<void>((done) => {
          client.ws.once('close', () => done());
          client.ws.close(1001, 'gateway shutting down');
          // A stalled client never completes the closing handshake.
          setTimeout(() => client.ws.terminate(), 1000).unref();
        }),
    );
    await Promise.all(gone);
    await new Promise<void>((done) => this.wss.close(() => done()));
  }

  private attach(ws: WebSocket): void {
    const client: Client = { id: this.nextId++, ws, subscription: '*', sent: 0, dropped: 0, overSince: null, awaitingPong: false };
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    // Socket errors (reset by the peer, oversize or malformed frames) close the connection; they must not crash us.
    ws.on('error', (err) => this.options.logger.warn('ws: client connection error', { client: client.id, error: err.message }));
    ws.on('pong', () => {
      client.awaitingPong = false;
    });
    ws.on('message', (data, isBinary) => this.receive(client, data, isBinary));
    this.deliver(client, JSON.stringify({ type: 'hello', protocol: WS_PROTOCOL_VERSION, subscribed: '*', snapshot: this.snapshot() }), false);
  }

  private snapshot(): LiveSnapshot | null {
    try {
      return this.options.liveState();
    } catch (err) {
      this.options.logger.error('ws: the live snapshot failed', { error: (err as Error).message });
      return null;
    }
  }

  private receive(client: Client, data: RawData, isBinary: boolean): void {
    const parsed = isBinary ? { error: 'messages are JSON text, not binary' } : parseClientMessage(rawText(data));
    if ('error' in parsed) {
      this.counters.badMessages += 1;
      this.deliver(client, JSON.stringify({ type: 'error', error: parsed.error }), false);
      return;
    }
    if (parsed.type === 'ping') {
      this.deliver(client, '{"type":"pong"}', false);
      return;
    }
    client.subscription = parsed.subscription;
    this.deliver(client, JSON.stringify({ type: 'subscribed', athletes: subscriptionToJson(parsed.subscription) }), false);
  }

  private deliver(client: Client, data: string, droppable: boolean): void {
    const ws = client.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    const buffered = ws.bufferedAmount;
    if (buffered > this.maxBuffered) {
      const now = performance.now();
      client.overSince ??= now;
      if (buffered + data.length > this.hardLimit || now - client.overSince > this.stallTimeoutMs) {
        this.terminate(client, 'slow');
        return;
      }
      if (droppable) {
        client.dropped += 1;
        this.counters.liveDropped += 1;
        return;
      }
    } else {
      client.overSince = null;
    }
    client.sent += 1;
    ws.send(data);
  }

  /**
   * One heartbeat round: terminates the clients that did not answer the previous ping or have stayed stalled too
   * long, and pings the rest. Runs every `heartbeatMs`; callable at will (tests, diagnostics).
   */
  sweep(): void {
    for (const client of this.clients) {
      if (client.awaitingPong) {
        this.terminate(client, 'dead');
        continue;
      }
      if (client.ws.bufferedAmount > this.maxBuffered) {
        const now = performance.now();
        client.overSince ??= now;
        if (now - client.overSince > this.stallTimeoutMs) {
          this.terminate(client, 'slow');
          continue;
        }
      }
      client.awaitingPong = true;
      client.ws.ping();
    }
  }

  private terminate(client: Client, why: 'slow' | 'dead'): void {
    if (why === 'slow') this.counters.terminatedSlow += 1;
    else this.counters.terminatedDead += 1;
    this.options.logger.warn(why === 'slow' ? 'ws: terminating a client that stopped reading' : 'ws: terminating a client that stopped answering pings', {
      client: client.id,
      buffered: client.ws.bufferedAmount,
      dropped: client.dropped,
    });
    this.clients.delete(client);
    client.ws.terminate();
  }
}

function subscribed(subscription: Subscription, athlete: string): boolean {
  return subscription === '*' || subscription.has(athlete);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
