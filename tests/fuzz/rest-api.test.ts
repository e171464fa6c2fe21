/**
 * Fuzzing the REST API's inputs. The bulk runs the exported zod schemas the routes use — the query schemas of
 * query-schemas.ts and the command bodies as rest-api.ts builds them (`{...body, athlete from the URL}` through
 * RequestSchemas) — against the contract written out independently; a sample goes through the real HTTP server
 * (express, SQLite store in a temp dir) with fetch: never a 5xx, every refusal a 4xx `{error}` and no command
 * executed, every accepted command exactly one call.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIssues, exportQuery, MAX_EXPORT, MAX_PAGE, repsQuery, sessionsQuery, traceQuery } from '../../gateway/http/query-schemas.ts';
import { RequestSchemas } from '../../gateway/core/commands.ts';
import type { CommandName } from '../../gateway/core/commands.ts';
import { athlete } from '../unit/store-fixtures.ts';
import { startGateway } from '../integration/http-harness.ts';
import type { Gateway } from '../integration/http-harness.ts';
import { COMMANDS, expectedRequest, METHODS, validBody } from './command-contract.ts';
import { FUZZ_RUNS, fuzzSettings, garbageText, isClearMessage, mutatedObject, mutatedText, oddKey } from './fuzz-support.ts';

// ---- Query strings: the contract (query-schemas.ts header, DEPLOYMENT/INTERFACES) ----

const DIGITS = /^\d+$/;
const MAX_DATE_MS = 8.64e15;
/** ISO 8601 as JavaScript dates write it: a date, optionally a time, optionally a zone. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function isRealIsoDate(text: string): boolean {
  const m = ISO_8601.exec(text);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && Number.isFinite(Date.parse(text));
}

type ParamRule = (v: string) => unknown | undefined;
const count = (min: number, max: number): ParamRule => (v) => {
  if (!DIGITS.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
};
const SESSION_ID = /^\d{8}-\d{6}-[a-z0-9][a-z0-9-]{0,31}$/;
const RULES = {
  athlete: (v: string) => (/^[a-z0-9][a-z0-9-]{0,31}$/.test(v) ? v : undefined),
  session: (v: string) => (SESSION_ID.test(v) ? v : undefined),
  set: count(1, 1_000_000),
  rep: count(1, 1_000_000),
  butt_wink: (v: string) => ({ true: true, 1: true, false: false, 0: false })[v as 'true'],
  offset: count(0, Number.MAX_SAFE_INTEGER),
  limitPage: count(1, MAX_PAGE),
  limitExport: count(1, MAX_EXPORT),
} satisfies Record<string, ParamRule>;

/**
 * Whether a time parameter must be accepted (true), refused (false): ms digits or a real ISO 8601 date. `strict`
 * false leaves other texts the JavaScript date parser reads open (see the dedicated test below).
 */
function timeVerdict(v: string, strict: boolean): 'accept' | 'refuse' | 'either' {
  // Digits: ms since the epoch within a JavaScript date's range (±8.64e15 ms).
  if (DIGITS.test(v)) return Number(v) <= MAX_DATE_MS ? 'accept' : 'refuse';
  if (isRealIsoDate(v)) return Date.parse(v) >= 0 ? 'accept' : 'refuse';
  if (!strict && Number.isFinite(Date.parse(v))) return 'either';
  return 'refuse';
}

interface QuerySpec {
  readonly name: string;
  readonly schema: typeof sessionsQuery | typeof repsQuery | typeof exportQuery | typeof traceQuery;
  readonly params: Record<string, ParamRule | 'time'>;
  readonly defaults: Record<string, unknown>;
}
const QUERIES: readonly QuerySpec[] = [
  { name: 'sessions', schema: sessionsQuery, params: { athlete: RULES.athlete, from: 'time', to: 'time', limit: RULES.limitPage, offset: RULES.offset }, defaults: { limit: 100, offset: 0 } },
  {
    name: 'reps',
    schema: repsQuery,
    params: { athlete: RULES.athlete, session: RULES.session, set: RULES.set, from: 'time', to: 'time', butt_wink: RULES.butt_wink, offset: RULES.offset, limit: RULES.limitPage },
    defaults: { limit: 100, offset: 0 },
  },
  {
    name: 'export',
    schema: exportQuery,
    params: { athlete: RULES.athlete, session: RULES.session, set: RULES.set, from: 'time', to: 'time', butt_wink: RULES.butt_wink, offset: RULES.offset, limit: RULES.limitExport },
    defaults: { limit: MAX_EXPORT, offset: 0 },
  },
  { name: 'trace', schema: traceQuery, params: { rep: RULES.rep }, defaults: {} },
];

/** The parsed query the route must work with, 'refuse', or 'either' (a lenient time text, see timeVerdict). */
function expectedQuery(spec: QuerySpec, query: Record<string, unknown>, strictTime: boolean): Record<string, unknown> | 'refuse' | 'either' {
  const out: Record<string, unknown> = { ...spec.defaults };
  let either = false;
  for (const [key, value] of Object.entries(query)) {
    const rule = Object.hasOwn(spec.params, key) ? spec.params[key] : undefined;
    if (rule === undefined || typeof value !== 'string') return 'refuse'; // unknown, or repeated (an array)
    if (rule === 'time') {
      const verdict = timeVerdict(value, strictTime);
      if (verdict === 'refuse') return 'refuse';
      if (verdict === 'either') either = true;
      out[key] = DIGITS.test(value) ? Number(value) : Date.parse(value);
      continue;
    }
    const parsed = rule(value);
    if (parsed === undefined) return 'refuse';
    out[key] = parsed;
  }
  return either ? 'either' : out;
}

const paramValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', '0', '1', '-1', '+1', '1.5', '1e3', '0x10', '007', '99', '100', '1000', '1001', '100000', '100001', '1000000', '1000001',
    '9007199254740991', '9007199254740992', '99999999999999999999', 'true', 'false', 'TRUE', 'yes', 'ana', 'Ana', 'a'.repeat(33),
    '20261129-100000-ana', '20261129-10000-ana', '20261129-100000-', '2026-11-29', '2026-11-29T10:00:00Z', '2026-11-29T10:00:00.123+02:00',
    '2026-02-30', '2026-13-01', '1969-12-31', '1 2', 'foo 1', 'Jan 1 2026', '12/31/2026', 'NaN', 'Infinity', '%', '\u0000', 'é',
  ),
  fc.string({ maxLength: 12 }),
  fc.nat().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

function validQueryArb(spec: QuerySpec): fc.Arbitrary<Record<string, unknown>> {
  const valid: Record<string, fc.Arbitrary<string>> = {
    athlete: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/),
    session: fc.stringMatching(/^\d{8}-\d{6}-[a-z0-9][a-z0-9-]{0,31}$/),
    set: fc.integer({ min: 1, max: 1_000_000 }).map(String),
    rep: fc.integer({ min: 1, max: 1_000_000 }).map(String),
    from: fc.oneof(fc.nat().map(String), fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString())),
    to: fc.oneof(fc.nat().map(String), fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString())),
    butt_wink: fc.constantFrom('true', 'false', '1', '0'),
    offset: fc.nat().map(String),
    limit: fc.integer({ min: 1, max: spec.name === 'export' ? MAX_EXPORT : MAX_PAGE }).map(String),
  };
  const keys = Object.keys(spec.params);
  return fc.record(Object.fromEntries(keys.map((k) => [k, valid[k]])), { requiredKeys: [] });
}

/** Query objects as express's simple parser gives them: strings, arrays for repeated keys, unknown keys. */
function buildQueryArb(spec: QuerySpec): fc.Arbitrary<Record<string, unknown>> {
  const mutation = fc.oneof(
    fc.record({ key: fc.constantFrom(...Object.keys(spec.params)), value: fc.oneof({ weight: 5, arbitrary: paramValue }, { weight: 1, arbitrary: fc.array(paramValue, { minLength: 2, maxLength: 3 }) }) }),
    fc.record({ key: oddKey, value: paramValue }),
  );
  return fc.tuple(validQueryArb(spec), fc.array(mutation, { maxLength: 2 })).map(([query, mutations]) => {
    const out: Record<string, unknown> = { ...query };
    for (const { key, value } of mutations) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

// Built once: `chain` would rebuild them (regex-based arbitraries are costly to build) for every case.
const QUERY_ARBS = new Map(QUERIES.map((spec) => [spec, buildQueryArb(spec)]));
const queryArb = (spec: QuerySpec): fc.Arbitrary<Record<string, unknown>> => QUERY_ARBS.get(spec)!;

// ---- Command bodies: what rest-api.ts does between the JSON parser and the commands ----

/** The route's body rule: a JSON object without `athlete` (the URL names it), then the command's schema. */
function parseRestBody(command: CommandName, body: unknown, athleteId: string): { ok: true; request: Record<string, unknown> } | { ok: false; error: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, error: 'the body must be a JSON object' };
  if (Object.hasOwn(body, 'athlete')) return { ok: false, error: 'the athlete is given by the URL, not the body' };
  const parsed = RequestSchemas[command].safeParse({ ...body, athlete: athleteId });
  if (!parsed.success) return { ok: false, error: `invalid body: ${describeIssues(parsed.error)}` };
  const { transaction: _omit, ...request } = parsed.data as Record<string, unknown>;
  return { ok: true, request };
}

function expectedRestRequest(command: string, body: unknown, athleteId: string): Record<string, unknown> | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.hasOwn(body, 'athlete')) return null;
  return expectedRequest(command, { ...body, athlete: athleteId });
}

/** Valid REST bodies per command, built once. */
const REST_BODIES = new Map(COMMANDS.map((command) => [command, validBody(command, false)]));
const restBody = (command: string): fc.Arbitrary<Record<string, unknown>> => REST_BODIES.get(command)!;

/** Bodies as the JSON parser delivers them (a JSON round trip drops `undefined` fields). */
const restBodyArb = fc.oneof(
  ...COMMANDS.map((command) =>
    mutatedObject(restBody(command)).map((body) => ({ command: command as CommandName, body: JSON.parse(JSON.stringify(body) ?? 'null') as unknown })),
  ),
);

describe('REST inputs, fuzzed through the schemas the routes use', () => {
  it(`${FUZZ_RUNS} query strings: parsed to the contract's values or refused with a message`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(...QUERIES.map((spec) => fc.tuple(fc.constant(spec), queryArb(spec)))), ([spec, query]) => {
        const result = spec.schema.safeParse(query);
        const expected = expectedQuery(spec, query, false);
        if (expected === 'either') return;
        if (expected === 'refuse') {
          if (result.success) throw new Error(`${spec.name}: accepted ${JSON.stringify(query)} as ${JSON.stringify(result.data)}`);
          expect(isClearMessage(describeIssues(result.error))).toBe(true);
          return;
        }
        accepted++;
        if (!result.success) throw new Error(`${spec.name}: refused valid ${JSON.stringify(query)}: ${describeIssues(result.error)}`);
        if (!isDeepStrictEqual(result.data, expected)) throw new Error(`${spec.name}: ${JSON.stringify(query)} gave ${JSON.stringify(result.data)}`);
      }),
      fuzzSettings(0x5eed_0201),
    );
    expect(accepted).toBeGreaterThan(FUZZ_RUNS * 0.1);
    expect(accepted).toBeLessThan(FUZZ_RUNS * 0.9);
  });

  it(`${FUZZ_RUNS} command bodies: the exact request, or a refusal with a message`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(restBodyArb, ({ command, body }) => {
        const result = parseRestBody(command, body, 'ana');
        const expected = expectedRestRequest(command, body, 'ana');
        if (expected === null) {
          if (result.ok) throw new Error(`${command}: accepted ${JSON.stringify(body)}`);
          expect(isClearMessage(result.error)).toBe(true);
          return;
        }
        accepted++;
        if (!result.ok) throw new Error(`${command}: refused valid ${JSON.stringify(body)}: ${result.error}`);
        expect(isDeepStrictEqual(result.request, expected)).toBe(true);
      }),
      fuzzSettings(0x5eed_0202),
    );
    expect(accepted).toBeGreaterThan(FUZZ_RUNS * 0.1);
  });

  it('time parameters accept only ms since the epoch or a real ISO 8601 date (as the error message says)', () => {
    const timeText = fc.oneof(
      paramValue,
      fc.date({ min: new Date(0), noInvalidDate: true }).map((d) => d.toUTCString()),
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1970, max: 2100 })).map(([m, d, y]) => `${m}/${d}/${y}`),
      fc.tuple(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }), fc.integer({ min: -5, max: 40 })).map(([w, n]) => `${w} ${n}`),
    );
    // Collected rather than thrown, so a failure lists several offending texts, not one shrunk case.
    const violations = new Set<string>();
    const check = (text: string): void => {
      const accepted = sessionsQuery.safeParse({ from: text }).success;
      if (accepted !== (timeVerdict(text, true) === 'accept')) violations.add(`from=${JSON.stringify(text)} accepted=${accepted}`);
    };
    // Typos first: each of these is read by Date.parse as some date instead of being refused.
    for (const text of ['-1', 'foo 1', '1 2', '2026-02-30', 'Jan 1 2026', '12/31/2026']) check(text);
    fc.assert(
      fc.property(timeText, (text) => check(text)),
      fuzzSettings(0x5eed_0203, 2_000),
    );
    expect([...violations].slice(0, 10)).toEqual([]);
  });
});

// ---- The real server ----

type HttpCase =
  | { kind: 'command'; command: CommandName; id: string; body: string | null; contentType: string | null }
  | { kind: 'query'; spec: QuerySpec; search: string };

const ROUTES: Record<string, { method: string; path: string }> = {
  set_start: { method: 'POST', path: 'set/start' },
  set_stop: { method: 'POST', path: 'set/stop' },
  set_cutoff: { method: 'PUT', path: 'cutoff' },
  set_wink_threshold: { method: 'PUT', path: 'wink-threshold' },
  name_athlete: { method: 'PUT', path: 'name' },
  calibrate: { method: 'POST', path: 'calibrate' },
};
const LIST_PATHS: Record<string, string> = { sessions: '/sessions', reps: '/reps', export: '/export/reps.json', trace: '/sessions/20261129-100000-ana/sets/1/trace' };

const urlId = fc.oneof(
  { weight: 6, arbitrary: fc.constant('ana') },
  { weight: 1, arbitrary: fc.constantFrom('bo', 'Ana', 'ana%20', '%61na', '%', '%zz', '..', 'a'.repeat(33), '%E0%A4%A', 'ana%2Fx') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(encodeURIComponent) },
);
const bodyText = (command: CommandName): fc.Arbitrary<string | null> =>
  fc.oneof(
    { weight: 6, arbitrary: mutatedObject(restBody(command)).map((b) => JSON.stringify(b) ?? 'null') },
    { weight: 2, arbitrary: mutatedText(restBody(command).map((b) => JSON.stringify(b))) },
    { weight: 1, arbitrary: garbageText },
    { weight: 1, arbitrary: fc.constantFrom(null, '', `{"name":"${'x'.repeat(17_000)}"}`) },
  );
const httpCaseArb: fc.Arbitrary<HttpCase> = fc.oneof(
  fc.oneof(...COMMANDS.map((c) => {
    const command = c as CommandName;
    return fc.record({
      kind: fc.constant('command' as const),
      command: fc.constant(command),
      id: urlId,
      body: bodyText(command),
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant('application/json') },
        { weight: 1, arbitrary: fc.constantFrom(null, 'text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8') },
      ),
    });
  })),
  fc.oneof(...QUERIES.map((spec) =>
    fc.record({
      kind: fc.constant('query' as const),
      spec: fc.constant(spec),
      search: fc.oneof(
        { weight: 4, arbitrary: queryArb(spec).map(toSearch) },
        { weight: 1, arbitrary: fc.constantFrom('?%', '?a=%zz', '?&&=&', '?limit=%31%30', '?limit', '?limit=1&limit=2', '?athlete[x]=1', '?from=-1', '?token=abc') },
      ),
    }),
  )),
);

function toSearch(query: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) for (const item of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(item))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

describe('REST inputs, fuzzed through the real HTTP server', () => {
  const REAL_RUNS = 600;
  let gw: Gateway;
  let api: string;

  beforeAll(async () => {
    gw = await startGateway();
    api = `${gw.http.url}/api`;
    await gw.store.upsertAthlete(athlete('ana'));
  });
  afterAll(async () => {
    await gw?.close();
  });

  it(`${REAL_RUNS} requests: never a 5xx; refusals are 4xx {error} and execute nothing`, async () => {
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(httpCaseArb, async (c) => {
        gw.commands.calls.length = 0;
        let res: Response;
        if (c.kind === 'command') {
          const route = ROUTES[c.command];
          const headers: Record<string, string> = c.contentType === null ? {} : { 'content-type': c.contentType };
          res = await fetch(`${api}/athletes/${c.id}/${route.path}`, { method: route.method, headers, body: c.body });
        } else {
          res = await fetch(`${api}${LIST_PATHS[c.spec.name]}${c.search}`);
        }
        const text = await res.text();
        const where = `${c.kind === 'command' ? `${c.command} /athletes/${c.id} ${c.contentType} ${JSON.stringify(c.body)?.slice(0, 200)}` : `${c.spec.name}${c.search}`}`;
        if (res.status >= 500) throw new Error(`${where}: ${res.status} ${text}`);
        if (res.status >= 400) {
          expect(res.headers.get('content-type') ?? '').toMatch(/json/);
          const error = (JSON.parse(text) as { error?: unknown }).error;
          if (!isClearMessage(error)) throw new Error(`${where}: ${res.status} without a clear error: ${text}`);
          expect(gw.commands.calls).toHaveLength(0);
          return;
        }
        ok++;
        if (c.kind === 'command') {
          // Accepted: exactly one call with exactly the request the contract derives from the body.
          let body: unknown = {};
          if (c.body !== null && c.body !== '') body = JSON.parse(c.body);
          const expected = c.id === 'ana' ? expectedRestRequest(c.command, body, 'ana') : null;
          if (expected === null) throw new Error(`${where}: accepted (${res.status})`);
          expect(gw.commands.calls).toHaveLength(1);
          expect(gw.commands.calls[0].method).toBe(METHODS[c.command]);
          expect(isDeepStrictEqual(gw.commands.calls[0].request, expected)).toBe(true);
        }
      }),
      fuzzSettings(0x5eed_0204, REAL_RUNS),
    );
    expect(ok).toBeGreaterThan(REAL_RUNS * 0.1);
  });
});
