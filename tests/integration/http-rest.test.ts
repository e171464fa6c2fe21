import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvForTest } from './http-csv-reader.ts';
import { csvField, REP_CSV_COLUMNS } from '../../gateway/http/reps-csv.ts';
import { correctivePlan, DISCLAIMER } from '../../gateway/coach/plan.ts';
import type { HistoryStore } from '../../gateway/store/history-store.ts';
import { StoreError } from '../../gateway/store/store-error.ts';
import { athlete, rep, sessionId, summary } from '../unit/store-fixtures.ts';
import type { Gateway } from './http-harness.ts';
import { startGateway } from './http-harness.ts';

const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);
const DAY = 86_400_000;
let gw: Gateway;
let api: string;
const anaS1 = sessionId('ana', T0);
const anaS2 = sessionId('ana', T0 + DAY);
const boS1 = sessionId('bo', T0 + 2 * DAY);

beforeAll(async () => {
  gw = await startGateway();
  api = `${gw.http.url}/api`;
  const s = gw.store;
  await s.upsertAthlete(athlete('ana'));
  await s.upsertAthlete(athlete('bo', { cutoffCm: null }));
  await s.upsertAthlete(athlete('refuser'));
  writeFileSync(join(gw.recordingsDir, 'ana-1.csv'), '# squatmon-recording v1\nt,sensor\n');
  writeFileSync(join(gw.dir, 'secret.txt'), 'not for download');
  symlinkSync(join(gw.dir, 'secret.txt'), join(gw.recordingsDir, 'link-out.csv'));

  await s.startSession({ id: anaS1, athlete: 'ana', startedAt: T0, simulated: false });
  await s.startSet({ session: anaS1, set: 1, athlete: 'ana', startedAt: T0, recording: join(gw.recordingsDir, 'ana-1.csv') });
  await s.startSet({ session: anaS1, set: 2, athlete: 'ana', startedAt: T0 + 1000, recording: join(gw.recordingsDir, '..', 'secret.txt') });
  await s.startSet({ session: anaS1, set: 3, athlete: 'ana', startedAt: T0 + 2000, recording: join(gw.recordingsDir, 'gone.csv') });
  await s.startSet({ session: anaS1, set: 4, athlete: 'ana', startedAt: T0 + 3000, recording: 'link-out.csv' });
  const ref1 = { athlete: 'ana', session: anaS1, set: 1 };
  for (let i = 1; i <= 3; i++) await s.insertRep(rep(ref1, i, { butt_wink: i === 3, wink_deg: i === 3 ? 14 : 2 }));
  await s.endSession(anaS1, T0 + 60_000, { ...summary(3, 33), pelvic_tilt: 'anterior' });

  await s.startSession({ id: anaS2, athlete: 'ana', startedAt: T0 + DAY, simulated: false });
  await s.startSet({ session: anaS2, set: 1, athlete: 'ana', startedAt: T0 + DAY, recording: null });
  await s.insertRep(rep({ athlete: 'ana', session: anaS2, set: 1 }, 1));
  // The newest session could not tell the posture: the plan must fall back to the one before.
  await s.endSession(anaS2, T0 + DAY + 60_000, { ...summary(1, null), pelvic_tilt: null, standing_lordosis_deg: null });

  await s.startSession({ id: boS1, athlete: 'bo', startedAt: T0 + 2 * DAY, simulated: true });
  await s.startSet({ session: boS1, set: 1, athlete: 'bo', startedAt: T0 + 2 * DAY, recording: null });
  await s.insertRep(rep({ athlete: 'bo', session: boS1, set: 1 }, 1, { butt_wink: true }));
});

afterAll(async () => {
  await gw.close();
});

async function get(path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${api}${path}`);
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: res.status, body, headers: res.headers };
}

async function send(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('REST: history', () => {
  it('answers health', async () => {
    const r = await get('/health');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ok');
  });

  it('lists and gets athletes; unknown and malformed ids are 404 and 400', async () => {
    const list = await get('/athletes');
    expect(list.body.athletes.map((a: { id: string }) => a.id)).toEqual(['ana', 'bo', 'refuser']);
    const ana = await get('/athletes/ana');
    expect(ana.status).toBe(200);
    expect(ana.body).toEqual(athlete('ana'));
    expect((await get('/athletes/nobody')).status).toBe(404);
    const bad = await get('/athletes/Not_A_Slug');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/athlete id/);
  });

  it('lists sessions newest first with filters and paging', async () => {
    const all = await get('/sessions');
    expect(all.body.sessions.map((s: { id: string }) => s.id)).toEqual([boS1, anaS2, anaS1]);
    const ana = await get('/sessions?athlete=ana');
    expect(ana.body.sessions.map((s: { id: string }) => s.id)).toEqual([anaS2, anaS1]);
    const ranged = await get(`/sessions?from=${T0 + DAY}&to=${new Date(T0 + 2 * DAY).toISOString()}`);
    expect(ranged.body.sessions.map((s: { id: string }) => s.id)).toEqual([anaS2]);
    const paged = await get('/sessions?limit=1&offset=1');
    expect(paged.body.sessions.map((s: { id: string }) => s.id)).toEqual([anaS2]);
  });

  it.each([
    ['limit=0'],
    ['limit=abc'],
    ['limit=100000'],
    ['from=yesterday'],
    ['athlete=BAD!'],
    ['athlete=a&athlete=b'],
    ['atlete=ana'],
  ])('refuses a bad session query (%s) with 400 and a message', async (query) => {
    const r = await get(`/sessions?${query}`);
    expect(r.status).toBe(400);
    expect(typeof r.body.error).toBe('string');
    expect(r.body.error.length).toBeGreaterThan(5);
  });

  it('gets a session with its sets; unknown 404, malformed 400', async () => {
    const r = await get(`/sessions/${anaS1}`);
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(anaS1);
    expect(r.body.sets.map((s: { set: number }) => s.set)).toEqual([1, 2, 3, 4]);
    expect(r.body.reps).toBe(3);
    expect((await get(`/sessions/${sessionId('ana', T0 + 5 * DAY)}`)).status).toBe(404);
    expect((await get('/sessions/not-a-session')).status).toBe(400);
  });

  it('lists reps with every filter', async () => {
    const all = await get('/reps');
    expect(all.body.reps).toHaveLength(5);
    const bySet = await get(`/reps?session=${anaS1}&set=1`);
    expect(bySet.body.reps.map((r: { id: string }) => r.id)).toEqual([`${anaS1}/1/1`, `${anaS1}/1/2`, `${anaS1}/1/3`]);
    const winks = await get('/reps?butt_wink=true');
    expect(winks.body.reps.map((r: { id: string }) => r.id).sort()).toEqual([`${anaS1}/1/3`, `${boS1}/1/1`].sort());
    const noWinks = await get('/reps?butt_wink=0&athlete=ana');
    expect(noWinks.body.reps).toHaveLength(3);
    const ranged = await get(`/reps?athlete=ana&from=${T0 + 1}`);
    expect(ranged.body.reps.map((r: { session: string }) => r.session)).toEqual([anaS2]);
    const paged = await get('/reps?athlete=ana&limit=2&offset=1');
    expect(paged.body.reps.map((r: { index: number }) => r.index)).toEqual([2, 3]);
    for (const bad of ['set=0', 'butt_wink=maybe', 'session=x', 'offset=-1']) {
      expect((await get(`/reps?${bad}`)).status).toBe(400);
    }
  });

  it('gives trends; unknown athlete 404', async () => {
    const r = await get('/athletes/ana/trends');
    expect(r.status).toBe(200);
    expect(r.body.trends.map((p: { session: string }) => p.session)).toEqual([anaS1, anaS2]);
    expect((await get('/athletes/nobody/trends')).status).toBe(404);
  });

  it('gives the corrective plan for the last known tilt, with stopping-depth advice and the disclaimer', async () => {
    const r = await get('/athletes/ana/plan');
    expect(r.status).toBe(200);
    expect(r.body.pelvic_tilt).toBe('anterior');
    expect(r.body.tilt_session).toBe(anaS1);
    expect(r.body.plan).toEqual(JSON.parse(JSON.stringify(correctivePlan('anterior'))));
    // Depth advice comes from the newest summary, which saw no wink.
    expect(r.body.stopping_depth.session).toBe(anaS2);
    expect(r.body.stopping_depth.suggested_cutoff_cm).toBeNull();
    expect(r.body.disclaimer).toBe(DISCLAIMER);

    const bo = await get('/athletes/bo/plan');
    expect(bo.body.plan).toBeNull();
    expect(bo.body.stopping_depth).toBeNull();
    expect(bo.body.message).toMatch(/posture/);
    expect(bo.body.disclaimer).toBe(DISCLAIMER);
    expect((await get('/athletes/nobody/plan')).status).toBe(404);
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const r = await get('/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/no such API route/);
  });
});

describe('REST: export', () => {
  it('exports filtered reps as CSV with the contract columns, as an attachment', async () => {
    const r = await get('/export/reps.csv?athlete=ana');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="?squatmon-reps\.csv"?$/);
    const rows = parseCsvForTest(r.body as string);
    expect(rows[0]).toEqual([...REP_CSV_COLUMNS]);
    for (const field of ['id', 'athlete', 'session', 'set', 'index', 't_start', 't_bottom', 't_end', 'depth_cm',
      'lumbar_flexion_max_deg', 'wink_deg', 'butt_wink', 'wink_onset_depth_cm']) {
      expect(rows[0]).toContain(field);
    }
    const json = (await get('/reps?athlete=ana')).body.reps as Record<string, unknown>[];
    expect(rows).toHaveLength(1 + json.length);
    rows.slice(1).forEach((row, i) => {
      REP_CSV_COLUMNS.forEach((column, c) => {
        const value = json[i][column];
        expect(row[c]).toBe(value === null ? '' : String(value));
      });
    });
    expect((await get('/export/reps.csv?butt_wink=yes')).status).toBe(400);
  });

  it('quotes CSV fields holding commas, quotes and line breaks so they read back unchanged', () => {
    const awkward = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', '', '-1.5'];
    const line = awkward.map(csvField).join(',');
    expect(parseCsvForTest(`${line}\r\n`)).toEqual([awkward]);
    expect(csvField(null)).toBe('');
    expect(csvField(false)).toBe('false');
  });

  it('exports reps as a JSON attachment equal to the listed reps', async () => {
    const r = await get('/export/reps.json?session=' + anaS1);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="?squatmon-reps\.json"?$/);
    expect(r.body).toEqual((await get(`/reps?session=${anaS1}`)).body.reps);
  });
});

describe('REST: recordings', () => {
  it('downloads a set recording', async () => {
    const r = await get(`/sessions/${anaS1}/sets/1/recording`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="?ana-1\.csv"?$/);
    expect(r.body).toBe('# squatmon-recording v1\nt,sensor\n');
  });

  it('never serves a file outside the recordings folder, by path or by link', async () => {
    const dotdot = await get(`/sessions/${anaS1}/sets/2/recording`);
    expect(dotdot.status).toBe(403);
    expect(JSON.stringify(dotdot.body)).not.toContain('not for download');
    const link = await get(`/sessions/${anaS1}/sets/4/recording`);
    expect(link.status).toBe(403);
    expect(gw.logger.lines.some((l) => l.includes('outside the recordings folder'))).toBe(true);
  });

  it('answers 404 for a missing file, an unrecorded or unknown set, and 400 for traversal in the URL', async () => {
    expect((await get(`/sessions/${anaS1}/sets/3/recording`)).status).toBe(404);
    expect((await get(`/sessions/${anaS2}/sets/1/recording`)).status).toBe(404);
    expect((await get(`/sessions/${anaS1}/sets/9/recording`)).status).toBe(404);
    expect((await get(`/sessions/..%2F..%2Fsecret.txt/sets/1/recording`)).status).toBe(400);
    expect((await get(`/sessions/${anaS1}/sets/..%2F..%2Fsecret.txt/recording`)).status).toBe(400);
  });
});

describe('REST: commands', () => {
  it('passes each valid command to the service', async () => {
    gw.commands.calls.length = 0;
    expect(await send('POST', '/athletes/ana/set/start')).toEqual({ status: 200, body: { status: 'ok', data: { session: 'x', set: 1 } } });
    expect((await send('POST', '/athletes/ana/set/stop', {})).status).toBe(200);
    expect((await send('PUT', '/athletes/ana/cutoff', { cutoff_cm: 32.5 })).status).toBe(200);
    expect((await send('PUT', '/athletes/ana/cutoff', { cutoff_cm: null })).status).toBe(200);
    expect((await send('PUT', '/athletes/ana/wink-threshold', { wink_threshold_deg: 12 })).status).toBe(200);
    expect((await send('PUT', '/athletes/ana/name', { name: '  Ana B.  ' })).status).toBe(200);
    expect((await send('POST', '/athletes/ana/calibrate', { kind: 'standing' })).status).toBe(200);
    expect(gw.commands.calls).toEqual([
      { method: 'setStart', request: { athlete: 'ana' } },
      { method: 'setStop', request: { athlete: 'ana' } },
      { method: 'setCutoff', request: { athlete: 'ana', cutoff_cm: 32.5 } },
      { method: 'setCutoff', request: { athlete: 'ana', cutoff_cm: null } },
      { method: 'setWinkThreshold', request: { athlete: 'ana', wink_threshold_deg: 12 } },
      { method: 'nameAthlete', request: { athlete: 'ana', name: 'Ana B.' } },
      { method: 'calibrate', request: { athlete: 'ana', kind: 'standing' } },
    ]);
  });

  it.each([
    ['PUT', '/athletes/ana/cutoff', { cutoff_cm: 'deep' }, 400],
    ['PUT', '/athletes/ana/cutoff', {}, 400],
    ['PUT', '/athletes/ana/cutoff', { cutoff_cm: -3 }, 400],
    ['PUT', '/athletes/ana/wink-threshold', { wink_threshold_deg: 500 }, 400],
    ['PUT', '/athletes/ana/name', { name: '' }, 400],
    ['PUT', '/athletes/ana/name', { name: 'x', extra: 1 }, 400],
    ['PUT', '/athletes/ana/name', { name: 'x', athlete: 'bo' }, 400],
    ['POST', '/athletes/ana/calibrate', { kind: 'levitate' }, 400],
    ['POST', '/athletes/ana/calibrate', [1, 2], 400],
    ['PUT', '/athletes/ana/cutoff', '{"cutoff_cm": 3', 400],
    ['PUT', '/athletes/ana/name', { name: 'x'.repeat(20_000) }, 413],
    ['POST', '/athletes/nobody/set/start', {}, 404],
    ['POST', '/athletes/NO!/set/start', {}, 400],
    ['POST', '/athletes/refuser/set/start', {}, 409],
  ] as const)('%s %s %j → %i, changing nothing', async (method, path, body, status) => {
    gw.commands.calls.length = 0;
    const r = await send(method, path, body);
    expect(r.status).toBe(status);
    expect(typeof r.body.error).toBe('string');
    expect(gw.commands.calls).toEqual([]);
  });

  it('refuses a body that is not JSON (415) instead of reading it as empty', async () => {
    gw.commands.calls.length = 0;
    const r = await send('PUT', '/athletes/ana/cutoff', 'cutoff_cm=3', 'application/x-www-form-urlencoded');
    expect(r.status).toBe(415);
    expect(gw.commands.calls).toEqual([]);
  });

  it('keeps serving after all that bad input', async () => {
    expect((await get('/athletes/ana')).status).toBe(200);
  });
});

describe('REST: an unavailable store', () => {
  it('answers 503 with a clear message when the store is busy or full, and keeps running', async () => {
    let failure: StoreError | null = null;
    const wrap = (real: HistoryStore): HistoryStore =>
      new Proxy(real, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => (failure ? Promise.reject(failure) : value.apply(target, args));
        },
      });
    const sick = await startGateway({ wrapStore: wrap });
    try {
      await sick.store.upsertAthlete(athlete('ana'));
      failure = new StoreError('busy', 'database is locked by /secret/path');
      let r = await fetch(`${sick.http.url}/api/athletes/ana`);
      expect(r.status).toBe(503);
      const body = (await r.json()) as { error: string };
      expect(body.error).toMatch(/busy.*retry/);
      expect(body.error).not.toContain('/secret/path');
      failure = new StoreError('full', 'disk full');
      r = await fetch(`${sick.http.url}/api/reps`);
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: string }).error).toMatch(/full/);
      r = await fetch(`${sick.http.url}/api/health`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ status: 'degraded', store: 'full' });
      failure = null;
      r = await fetch(`${sick.http.url}/api/athletes/ana`);
      expect(r.status).toBe(200);
    } finally {
      await sick.close();
    }
  });
});

describe('static dashboard', () => {
  it('serves a page saying the dashboard is not built when it is missing', async () => {
    const r = await fetch(`${gw.http.url}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/dashboard has not been built/);
  });

  it('serves the built dashboard when it exists', async () => {
    const { mkdirSync } = await import('node:fs');
    const dir = join(gw.dir, 'dashboard');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>squatmon dashboard</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    const built = await startGateway({ staticDir: dir });
    try {
      expect(await (await fetch(`${built.http.url}/`)).text()).toContain('squatmon dashboard');
      const js = await fetch(`${built.http.url}/app.js`);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
    } finally {
      await built.close();
    }
  });
});
