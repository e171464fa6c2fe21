/** A real gateway HTTP server over a real SQLite store in a temp dir, with recording commands and ws clients. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { HttpServer, HttpServerOptions } from '../../gateway/http/http-server.ts';
import { createHttpServer } from '../../gateway/http/http-server.ts';
import type { GatewayCommands } from '../../gateway/http/rest-api.ts';
import type { LiveSnapshot } from '../../gateway/http/ws-messages.ts';
import { CommandError } from '../../gateway/core/commands.ts';
import type { PublishedLive } from '../../gateway/core/domain.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import type { HistoryStore } from '../../gateway/store/history-store.ts';
import { openSqliteStore } from '../../gateway/store/sqlite-store.ts';
import { athlete, tempDirs } from '../unit/store-fixtures.ts';

export { waitFor } from '../support/mqtt-harness.ts';

export interface CommandCall {
  readonly method: keyof GatewayCommands;
  readonly request: unknown;
}

/** Records every call; refuses every command for athlete `refuser` the way the service refuses (CommandError). */
export function recordingCommands(): GatewayCommands & { calls: CommandCall[] } {
  const calls: CommandCall[] = [];
  const run = (method: keyof GatewayCommands) => async (request: { athlete: string }) => {
    if (request.athlete === 'refuser') throw new CommandError('no sensor connected for refuser');
    calls.push({ method, request });
    return method === 'setStart' ? { session: 'x', set: 1 } : undefined;
  };
  return {
    calls,
    calibrate: run('calibrate'),
    setStart: run('setStart'),
    setStop: run('setStop'),
    setCutoff: run('setCutoff'),
    setWinkThreshold: run('setWinkThreshold'),
    nameAthlete: run('nameAthlete'),
  };
}

export const SNAPSHOT: LiveSnapshot = { athletes: [athlete('ana')], sensors: [], lastReps: [] };

export interface Gateway {
  readonly http: HttpServer;
  readonly store: HistoryStore;
  readonly commands: ReturnType<typeof recordingCommands>;
  readonly logger: ReturnType<typeof memoryLogger>;
  readonly recordingsDir: string;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startGateway(
  overrides: Partial<HttpServerOptions> & { wrapStore?: (s: HistoryStore) => HistoryStore } = {},
): Promise<Gateway> {
  const dirs = tempDirs();
  const dir = dirs.make();
  const recordingsDir = join(dir, 'recordings');
  mkdirSync(recordingsDir);
  const real = await openSqliteStore(join(dir, 'history.db'));
  const store = overrides.wrapStore ? overrides.wrapStore(real) : real;
  const commands = recordingCommands();
  const logger = memoryLogger();
  const http = await createHttpServer({
    port: 0,
    token: null,
    staticDir: join(dir, 'dashboard-not-built'),
    recordingsDir,
    store,
    commands,
    liveState: () => SNAPSHOT,
    logger,
    ...overrides,
  });
  return {
    http,
    store: real,
    commands,
    logger,
    recordingsDir,
    dir,
    async close() {
      await http.close();
      await real.close();
      dirs.cleanup();
    },
  };
}

export interface WsClient {
  readonly ws: WebSocket;
  readonly messages: Array<{ type: string; [field: string]: unknown }>;
  ofType(type: string): Array<{ type: string; [field: string]: unknown }>;
  send(value: unknown): void;
  close(): Promise<void>;
}

/** Opens `/ws` and records every message it receives. */
export async function connectWs(url: string, options: WebSocket.ClientOptions = {}): Promise<WsClient> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), options);
  const messages: WsClient['messages'] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return {
    ws,
    messages,
    ofType: (type) => messages.filter((m) => m.type === type),
    send: (value) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      }),
  };
}

/** The status of a refused ws upgrade, or 101 when it was accepted. */
export function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), options);
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    ws.once('error', () => undefined);
  });
}

export function live(athleteId: string, t: number, fields: Partial<PublishedLive> = {}): PublishedLive {
  return {
    type: 'live',
    t,
    depth_cm: 10,
    lumbar_flexion_deg: 5,
    pelvic_tilt_deg: 2,
    phase: 'descent',
    cutoff_cm: null,
    athlete: athleteId,
    simulated: true,
    ...fields,
  };
}
