/**
 * Debian's chromium driven by playwright-core, as the dashboard's browser tests use it, and the simulated gateway
 * they drive it against (in-process).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { configSchema } from '../../gateway/config/config.ts';
import { startGateway } from '../../gateway/service/gateway.ts';
import type { RunningGateway } from '../../gateway/service/gateway.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught page errors, in order. */
  readonly errors: string[];
}

/** A fresh profile (no stored token, traces or selection) and one page that records its errors. */
export async function openBrowser(viewport: { width: number; height: number }): Promise<BrowserSession> {
  const profile = await mkdtemp(join(tmpdir(), 'squatmon-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return { context, page, errors };
}

export interface SimGatewayOptions {
  /** The gateway's data folder: the history (squatmon.db) and the set recordings (recordings/). */
  readonly dataDir: string;
  /** The built dashboard (scripts/build-dashboard.ts). */
  readonly dashboardDir: string;
  /** 0: any free port. */
  readonly httpPort?: number;
  /** The access token the page and API must present; none by default (loopback only). */
  readonly token?: string | null;
  readonly sensors?: 'sacrum' | 'both';
  /** Simulator settings over these defaults (e.g. a longer rest between sets, a faster clock). */
  readonly sim?: Record<string, unknown>;
}

/**
 * The real gateway on loopback with one simulated athlete, sim-1 ('neutral-wink': squats to ~45 cm, butt wink
 * from ~33 cm), six times faster than real time, and its own MQTT broker on a free port.
 */
export function startSimGateway(options: SimGatewayOptions): Promise<RunningGateway> {
  const config = configSchema.parse({
    dataDir: options.dataDir,
    source: 'sim',
    sim: { athletes: 1, speed: 6, sensors: options.sensors ?? 'both', ...options.sim },
    http: { port: options.httpPort ?? 0, token: options.token ?? null },
    mqtt: { port: 0 },
  });
  return startGateway({ config, logger: memoryLogger(), dashboardDir: options.dashboardDir });
}
