/**
 * Helpers for the fault tests: an in-process simulated gateway that records every event it emits (through the
 * `tap`), a Mosquitto of our own that can be stopped and restarted on the same port, a WebSocket client of the
 * live view, and a read-only integrity check of the history database.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { configSchema } from '../../gateway/config/config.ts';
import { probeMqttBroker } from '../../gateway/mqtt/embedded-broker.ts';
import type { GatewayEvent, PublishedRep, SensorState } from '../../gateway/core/domain.ts';
import { startGateway } from '../../gateway/service/gateway.ts';
import type { RunningGateway } from '../../gateway/service/gateway.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { waitFor } from '../support/mqtt-harness.ts';
import { freePort } from '../support/net.ts';

export { waitFor };

export interface SimGateway {
  readonly gateway: RunningGateway;
  readonly dataDir: string;
  readonly dbPath: string;
  readonly logger: ReturnType<typeof memoryLogger>;
  /** Every event the gateway emitted but live frames, in order (seen by the tap before any sink). Live frames
   *  are only counted (`liveEvents`): keeping them would grow this process's heap by megabytes a second. */
  readonly events: GatewayEvent[];
  liveEvents(): number;
  reps(): PublishedRep[];
  sensorStates(): SensorState[];
  /** Stops the gateway and removes its data folder. */
  close(): Promise<void>;
}

/**
 * A gateway over the simulator with `sim` and `mqtt` merged over test defaults (one neutral-wink athlete with
 * both sensors, 6 × real time, embedded broker on a free port, HTTP on a free port). `onEvent` runs inside
 * the tap, i.e. synchronously before the sinks see the event.
 */
export async function startSimGateway(options: {
  readonly sim?: Record<string, unknown>;
  readonly mqtt?: Record<string, unknown>;
  readonly store?: Record<string, unknown>;
  readonly onEvent?: (event: GatewayEvent) => void;
}): Promise<SimGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'squatmon-fault-'));
  const config = configSchema.parse({
    dataDir,
    source: 'sim',
    sim: { athletes: 1, profiles: ['neutral-wink'], sensors: 'both', speed: 6, ...options.sim },
    http: { port: 0 },
    mqtt: { port: 0, ...options.mqtt },
    ...(options.store ? { store: options.store } : {}),
  });
  const logger = memoryLogger();
  const events: GatewayEvent[] = [];
  let liveEvents = 0;
  const gateway = await startGateway({
    config,
    logger,
    dashboardDir: join(dataDir, 'no-dashboard'),
    tap: (event) => {
      if (event.kind === 'live') liveEvents++;
      else events.push(event);
      options.onEvent?.(event);
    },
  });
  let closed = false;
  return {
    gateway,
    dataDir,
    dbPath: join(dataDir, 'squatmon.db'),
    logger,
    events,
    liveEvents: () => liveEvents,
    reps: () => events.flatMap((e) => (e.kind === 'rep' ? [e.rep] : [])),
    sensorStates: () => events.flatMap((e) => (e.kind === 'sensor' ? [e.sensor] : [])),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await gateway.stop();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** `PRAGMA integrity_check` on a separate read-only connection: 'ok' when the file is intact. */
export function integrityCheck(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** Rep ids stored in the history database, read on a separate read-only connection. */
export function storedRepIds(dbPath: string): Set<string> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return new Set((db.prepare('SELECT id FROM reps').all() as { id: string }[]).map((r) => r.id));
  } finally {
    db.close();
  }
}

export const MOSQUITTO_BINARY = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

/**
 * A Mosquitto process of our own on a fixed port, without persistence (a restart forgets every session and
 * retained message, the harshest case for the clients). `stop()` sends SIGTERM and waits for the exit;
 * `start()` starts it again on the same port.
 */
export class OwnMosquitto {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly configFile: string,
    private readonly workDir: string,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<OwnMosquitto> {
    if (!MOSQUITTO_BINARY) throw new Error('no mosquitto binary');
    const workDir = await mkdtemp(join(tmpdir(), 'squatmon-mosq-'));
    const port = await freePort();
    const configFile = join(workDir, 'mosquitto.conf');
    await writeFile(configFile, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    return new OwnMosquitto(port, configFile, workDir);
  }

  async start(): Promise<void> {
    const child = spawn(MOSQUITTO_BINARY!, ['-c', this.configFile], { stdio: 'ignore' });
    this.child = child;
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
      if (await probeMqttBroker('127.0.0.1', this.port, 500)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('mosquitto did not start listening');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.workDir, { recursive: true, force: true });
  }
}

/** A live-view client on the gateway's `/ws`, counting what it receives by message type. */
export interface LiveViewClient {
  readonly ws: WebSocket;
  readonly counts: Map<string, number>;
  /** `t` of every live frame received, per athlete. */
  readonly liveTimes: number[];
  count(type: string): number;
  close(): Promise<void>;
}

export async function connectLiveView(dashboardUrl: string): Promise<LiveViewClient> {
  const ws = new WebSocket(`${dashboardUrl.replace(/^http/, 'ws')}/ws`);
  const counts = new Map<string, number>();
  const liveTimes: number[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; t?: number };
    counts.set(message.type, (counts.get(message.type) ?? 0) + 1);
    if (message.type === 'live' && typeof message.t === 'number') liveTimes.push(message.t);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    counts,
    liveTimes,
    count: (type) => counts.get(type) ?? 0,
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.terminate();
      await closed;
    },
  };
}
