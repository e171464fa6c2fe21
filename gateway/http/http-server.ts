/**
 * The gateway's HTTP listener: the dashboard's files, the REST API under `/api` and the live WebSocket `/ws`, on
 * one port. Loopback by default; any other host needs a token (refused at start otherwise). With a token, `/api`
 * (except `/api/health`) and `/ws` require it — `Authorization: Bearer <token>` or `?token=<token>` — while the
 * dashboard's static files load without it and the page asks for the token.
 */
import { createServer, STATUS_CODES } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { PublishedSession } from '../core/domain.ts';
import type { Logger } from '../core/logger.ts';
import type { HistoryStore } from '../store/history-store.ts';
import { accessPolicy, checkListenConfig, HttpConfigError } from './access.ts';
import type { AccessPolicy } from './access.ts';
import { dashboardStatic } from './dashboard-static.ts';
import { restApi } from './rest-api.ts';
import type { GatewayCommands } from './rest-api.ts';
import { WsHub } from './ws-hub.ts';
import type { WsHubOptions } from './ws-hub.ts';
import type { LiveSnapshot } from './ws-messages.ts';

export interface HttpServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0: any free port (see `url`). */
  readonly port: number;
  /** Required beyond loopback; at least 16 characters. */
  readonly token: string | null;
  /** The bundled dashboard; may not exist yet. */
  readonly staticDir: string;
  /** Only files inside it are served as recordings; null: none are. */
  readonly recordingsDir: string | null;
  readonly store: HistoryStore;
  readonly commands: GatewayCommands;
  readonly liveState: () => LiveSnapshot;
  /** The running session's summary of an athlete as last published, or null (the REST plan prefers it). */
  readonly liveSession?: (athlete: string) => PublishedSession | null;
  /** See RestApiOptions.openSetRecording. */
  readonly openSetRecording?: (session: string, set: number) => Promise<string | null>;
  readonly logger: Logger;
  /** A historian's counts, shown by /api/health: what it stored, dropped as malformed, refused as untrusted. */
  readonly historianStats?: () => { readonly connected: boolean; readonly accepted: number; readonly dropped: number; readonly refused: number };
  /** Tuning of the ws hub's buffers and timers (defaults suit browsers). */
  readonly ws?: Omit<WsHubOptions, 'liveState' | 'logger'>;
}

export interface HttpServer {
  /** `http://host:port`, with the actual port. */
  readonly url: string;
  readonly server: Server;
  /** The gateway-event sink feeding the ws clients. */
  readonly wsHub: WsHub;
  /** Closes the ws clients (1001) and every HTTP connection. */
  close(): Promise<void>;
}

export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? '127.0.0.1';
  checkListenConfig(host, options.token);
  const policy = accessPolicy(options.token);
  const logger = options.logger;
  const startedAt = performance.now();

  const wsHub = new WsHub({ ...options.ws, liveState: options.liveState, logger });
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' });
    const refusal = policy.check(req, { stateChanging: !isSafeMethod(req.method), needsToken: false });
    if (refusal) res.status(refusal.status).json({ error: refusal.error });
    else next();
  });
  app.use(dashboardStatic(options.staticDir));
  app.use('/api', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Open, so a supervisor can probe liveness without the token; it tells nothing but whether the store answers.
  app.get('/api/health', async (_req, res) => {
    let store = 'ok';
    try {
      await options.store.listAthletes();
    } catch (err) {
      store = (err as { code?: unknown }).code === undefined ? 'error' : String((err as { code: unknown }).code);
    }
    res.status(store === 'ok' ? 200 : 503).json({
      status: store === 'ok' ? 'ok' : 'degraded',
      store,
      uptime_s: Math.round((performance.now() - startedAt) / 1000),
      ...(options.historianStats ? { historian: options.historianStats() } : {}),
    });
  });
  app.use('/api', requireToken(policy));
  app.use('/api', restApi({ store: options.store, commands: options.commands, recordingsDir: options.recordingsDir, logger, liveSession: options.liveSession, openSetRecording: options.openSetRecording }));

  const server = createServer(app);
  // Slow-loris guard: a request must arrive whole within this time (responses, e.g. downloads, may take longer).
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path !== '/ws') return refuseUpgrade(socket, 404, 'no WebSocket endpoint here; use /ws');
    const refusal = policy.check(req, { stateChanging: true, needsToken: true });
    if (refusal) return refuseUpgrade(socket, refusal.status, refusal.error);
    wsHub.accept(req, socket, head);
  });

  await listen(server, options.port, host);
  server.on('error', (err) => logger.error('http: server error', { error: err.message }));
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info('http: listening', { url, auth: options.token === null ? 'none (loopback)' : 'token' });

  let closing: Promise<void> | null = null;
  return {
    url,
    server,
    wsHub,
    close() {
      closing ??= (async () => {
        await wsHub.close();
        const closed = new Promise<void>((done) => server.close(() => done()));
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

function requireToken(policy: AccessPolicy) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const refusal = policy.check(req, { stateChanging: !isSafeMethod(req.method), needsToken: true });
    if (refusal) res.status(refusal.status).json({ error: refusal.error });
    else next();
  };
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use (choose another with --http-port)`
          : err.code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this computer`
            : err.code === 'EACCES'
              ? `no permission to listen on port ${port}`
              : err.message;
      reject(new HttpConfigError(`cannot start the HTTP server: ${why}`, err.code ?? null));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
