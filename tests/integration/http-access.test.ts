import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkListenConfig, HttpConfigError, isLoopbackHost, tokenMatches } from '../../gateway/http/access.ts';
import { createHttpServer } from '../../gateway/http/http-server.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { athlete } from '../unit/store-fixtures.ts';
import type { Gateway } from './http-harness.ts';
import { connectWs, recordingCommands, SNAPSHOT, startGateway, upgradeStatus } from './http-harness.ts';

const TOKEN = 'correct-horse-battery-staple';

/** A raw request, so the Host and Origin headers can be set freely (fetch forbids both). */
function raw(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('listening beyond loopback', () => {
  it('refuses to start on a non-loopback host without a token, with a clear error', async () => {
    const start = createHttpServer({
      host: '0.0.0.0',
      port: 0,
      token: null,
      staticDir: '/nonexistent',
      recordingsDir: null,
      store: {} as never,
      commands: recordingCommands(),
      liveState: () => SNAPSHOT,
      logger: memoryLogger(),
    });
    await expect(start).rejects.toBeInstanceOf(HttpConfigError);
    await expect(start).rejects.toThrow(/without a token/);
  });

  it('tells loopback hosts from the rest, and refuses short tokens', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
      expect(() => checkListenConfig(host, null)).toThrow(HttpConfigError);
      expect(() => checkListenConfig(host, TOKEN)).not.toThrow();
    }
    expect(() => checkListenConfig('0.0.0.0', 'short')).toThrow(/at least 16/);
    expect(() => checkListenConfig('0.0.0.0', ' '.repeat(16))).toThrow(/not spaces/);
    expect(() => checkListenConfig('0.0.0.0', `${' '.repeat(8)}abcdefgh${' '.repeat(8)}`)).toThrow(/not spaces/);
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(1), TOKEN)).toBe(false);
    expect(tokenMatches(null, TOKEN)).toBe(false);
  });

  it('listens on all interfaces when given a token', async () => {
    const gw = await startGateway({ host: '0.0.0.0', token: TOKEN });
    try {
      const port = new URL(gw.http.url).port;
      const r = await fetch(`http://127.0.0.1:${port}/api/athletes`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.status).toBe(200);
      expect(gw.logger.lines.join('\n')).not.toContain(TOKEN);
    } finally {
      await gw.close();
    }
  });
});

describe('token enforcement', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ token: TOKEN });
    await gw.store.upsertAthlete(athlete('ana'));
  });
  afterAll(() => gw.close());

  it('answers 401 on REST without or with a wrong token', async () => {
    expect((await fetch(`${gw.http.url}/api/athletes`)).status).toBe(401);
    const wrong = await fetch(`${gw.http.url}/api/athletes`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/token/);
    expect((await fetch(`${gw.http.url}/api/athletes?token=nope`)).status).toBe(401);
    expect((await fetch(`${gw.http.url}/api/export/reps.csv`)).status).toBe(401);
  });

  it('accepts the token as a bearer header or a query parameter', async () => {
    const header = await fetch(`${gw.http.url}/api/athletes/ana`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(header.status).toBe(200);
    expect((await fetch(`${gw.http.url}/api/reps?token=${TOKEN}&athlete=ana`)).status).toBe(200);
  });

  it('runs no command without the token', async () => {
    gw.commands.calls.length = 0;
    const r = await fetch(`${gw.http.url}/api/athletes/ana/set/start`, { method: 'POST' });
    expect(r.status).toBe(401);
    expect(gw.commands.calls).toEqual([]);
    const ok = await fetch(`${gw.http.url}/api/athletes/ana/set/start`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(gw.commands.calls).toHaveLength(1);
  });

  it('serves the static page and health without the token', async () => {
    expect((await fetch(`${gw.http.url}/`)).status).toBe(200);
    const health = await fetch(`${gw.http.url}/api/health`);
    expect(health.status).toBe(200);
    expect(Object.keys((await health.json()) as object).sort()).toEqual(['status', 'store', 'uptime_s']);
  });

  it('refuses the ws upgrade without the token and accepts it with one', async () => {
    expect(await upgradeStatus(`${gw.http.url}/ws`)).toBe(401);
    expect(await upgradeStatus(`${gw.http.url}/ws?token=wrong`)).toBe(401);
    expect(await upgradeStatus(`${gw.http.url}/ws`, { headers: { authorization: `Bearer ${TOKEN}` } })).toBe(101);
    const client = await connectWs(`${gw.http.url}/ws?token=${TOKEN}`);
    await expect.poll(() => client.ofType('hello').length).toBe(1);
    await client.close();
  });
});

describe('browser attacks on a loopback gateway', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
    await gw.store.upsertAthlete(athlete('ana'));
  });
  afterAll(() => gw.close());

  it('refuses requests addressed to a foreign host name (DNS rebinding)', async () => {
    const port = new URL(gw.http.url).port;
    const rebound = await raw(gw.http.url, '/api/athletes', { headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect((await raw(gw.http.url, '/api/athletes', { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('refuses cross-origin commands and ws upgrades but accepts same-origin ones', async () => {
    gw.commands.calls.length = 0;
    const host = new URL(gw.http.url).host;
    const foreign = await raw(gw.http.url, '/api/athletes/ana/set/start', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(foreign.status).toBe(403);
    const opaque = await raw(gw.http.url, '/api/athletes/ana/set/start', { method: 'POST', headers: { origin: 'null' } });
    expect(opaque.status).toBe(403);
    expect(gw.commands.calls).toEqual([]);
    const same = await raw(gw.http.url, '/api/athletes/ana/set/start', { method: 'POST', headers: { origin: `http://${host}` } });
    expect(same.status).toBe(200);
    expect(await upgradeStatus(`${gw.http.url}/ws`, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(`${gw.http.url}/ws`, { origin: `http://${host}` })).toBe(101);
  });

  it('answers upgrades on other paths with 404', async () => {
    expect(await upgradeStatus(`${gw.http.url}/api/athletes`)).toBe(404);
  });
});
