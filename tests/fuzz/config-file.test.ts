/**
 * Fuzzing config files through loadConfig: valid configs, configs with one field changed deep inside, edited JSON
 * text and garbage. The bulk serves each file's text from memory (readFile is mocked for one marked path only,
 * since a real write + read per case costs milliseconds here); a sample goes through real files. Each either loads to a configuration that satisfies DEPLOYMENT.md §2
 * (checked independently of the schema) and keeps the file's values, or fails with a ConfigError naming the file
 * — never another exception. Loading writes nothing, so "no partial write" has nothing to check here.
 */
import fc from 'fast-check';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../gateway/config/config.ts';
import type { GatewayConfig } from '../../gateway/config/config.ts';
import { PLACEMENTS } from '../../shared/imu.ts';
import { FUZZ_RUNS, fuzzSettings, garbageText, isClearMessage, mutatedDeep, mutatedText } from './fuzz-support.ts';

/** Texts served by the mocked readFile, by path; every other path reads the disk. */
const memoryFiles = vi.hoisted(() => new Map<string, string>());
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const readFile = ((path: unknown, options: unknown) => {
    const text = memoryFiles.get(String(path));
    return text !== undefined ? Promise.resolve(text) : (real.readFile as (p: unknown, o: unknown) => Promise<unknown>)(path, options);
  }) as typeof real.readFile;
  return { ...real, default: { ...real, readFile }, readFile };
});

const DRIVERS = ['squatmon', 'witmotion', 'thingy52', 'movella-dot'];
const LOOPBACK = (host: string): boolean => host === 'localhost' || host === '::1' || host.startsWith('127.');

const isNumberIn = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const isPort = (v: unknown): boolean => Number.isInteger(v) && isNumberIn(v, 0, 65535);

/** What DEPLOYMENT.md §2–§4 require of a loaded configuration; returns the first violation or null. */
function contractViolation(c: GatewayConfig): string | null {
  if (!['sim', 'ble', 'replay'].includes(c.source)) return 'source';
  for (const [i, a] of c.athletes.entries()) {
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(a.id)) return `athletes.${i}.id`;
    if (typeof a.name !== 'string' || a.name.length === 0) return `athletes.${i}.name`;
    if (a.sensors.length < 1 || a.sensors.length > 2) return `athletes.${i}.sensors: up to two`;
    for (const s of a.sensors) {
      if (typeof s.id !== 'string' || s.id.length === 0) return `athletes.${i}.sensors.id`;
      if (!(PLACEMENTS as readonly string[]).includes(s.placement)) return `athletes.${i}.sensors.placement`;
      if (!DRIVERS.includes(s.driver)) return `athletes.${i}.sensors.driver`;
      if (s.match !== null && (typeof s.match !== 'string' || s.match.length === 0)) return `athletes.${i}.sensors.match`;
    }
    if (a.cutoffCm !== null && !isNumberIn(a.cutoffCm, 0, 150)) return `athletes.${i}.cutoffCm`;
    if (!isNumberIn(a.winkThresholdDeg, 0, 90)) return `athletes.${i}.winkThresholdDeg`;
  }
  if (!isPort(c.http.port) || !isPort(c.mqtt.port)) return 'port';
  if (c.http.token !== null && (typeof c.http.token !== 'string' || c.http.token.replace(/\s/g, '').length < 16)) return 'http.token: at least 16 characters';
  if (!LOOPBACK(c.http.host) && c.http.token === null) return 'http.host beyond loopback without a token';
  if (c.mqtt.url === null && !LOOPBACK(c.mqtt.host) && (c.mqtt.username === null || c.mqtt.password === null)) return 'mqtt.host beyond loopback without credentials';
  if (c.mqtt.url !== null && !/^mqtts?:\/\//.test(c.mqtt.url)) return 'mqtt.url';
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(c.mqtt.root)) return 'mqtt.root';
  if (typeof c.dataDir !== 'string' || c.dataDir.length === 0) return 'dataDir';
  return null;
}

const sensorArb = (athleteIndex: number, k: number) =>
  fc.record(
    {
      id: fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/).map((s) => `a${athleteIndex}s${k}${s}`.slice(0, 16)),
      placement: fc.constant(k === 0 ? 'sacrum' : 'thoracolumbar'),
      driver: fc.constantFrom(...DRIVERS),
      match: fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 16 })),
    },
    { requiredKeys: ['id', 'placement'] },
  );
const athleteArb = (i: number) =>
  fc.record(
    {
      id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,12}$/).map((s) => `${s}${i}`),
      name: fc.string({ minLength: 1, maxLength: 64 }),
      sensors: fc.oneof(fc.tuple(sensorArb(i, 0)), fc.tuple(sensorArb(i, 0), sensorArb(i, 1))),
      cutoffCm: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 150, noNaN: true })),
      winkThresholdDeg: fc.double({ min: 0, max: 90, noNaN: true }),
    },
    { requiredKeys: ['id', 'name', 'sensors'] },
  );
// Built once (no `chain`): regex-based arbitraries are costly to build, and chain would rebuild them per case.
const athleteArbs = [athleteArb(0), athleteArb(1), athleteArb(2)];
const validConfigArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    source: fc.constantFrom('sim', 'ble', 'replay'),
    athletes: fc.oneof(fc.constant([]), fc.tuple(athleteArbs[0]), fc.tuple(athleteArbs[0], athleteArbs[1]), fc.tuple(...athleteArbs)),
    sim: fc.record({ athletes: fc.integer({ min: 1, max: 20 }), rateHz: fc.constantFrom(50, 100, 200, 400), lossPct: fc.double({ min: 0, max: 50, noNaN: true }), seed: fc.nat() }, { requiredKeys: [] }),
    mqtt: fc.record({ port: fc.integer({ min: 0, max: 65535 }), root: fc.constantFrom('squatmon', 'gym/a', 'x_y-z'), host: fc.constantFrom('127.0.0.1', 'localhost'), homeAssistant: fc.boolean() }, { requiredKeys: [] }),
    http: fc.record({ port: fc.integer({ min: 0, max: 65535 }), host: fc.constantFrom('127.0.0.1', '127.0.0.2'), token: fc.oneof(fc.constant(null), fc.string({ minLength: 16, maxLength: 40 })) }, { requiredKeys: [] }),
    dataDir: fc.string({ minLength: 1, maxLength: 20 }),
  },
  { requiredKeys: [] },
);

const fileTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: validConfigArb.map((c) => JSON.stringify(c, null, 2)) },
  { weight: 6, arbitrary: mutatedDeep(validConfigArb).map((c) => JSON.stringify(c) ?? 'undefined') },
  { weight: 2, arbitrary: mutatedText(validConfigArb.map((c) => JSON.stringify(c))) },
  { weight: 1, arbitrary: garbageText },
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squatmon-fuzz-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads `text` as the config file at `file`; throws a description when the outcome breaks the contract. */
async function checkLoad(file: string, text: string): Promise<boolean> {
  let config: GatewayConfig;
  try {
    config = await loadConfig({ file, env: {} });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`${JSON.stringify(text.slice(0, 300))}: ${String(error)}`);
    if (!isClearMessage(error.message)) throw new Error(`unclear message for ${JSON.stringify(text.slice(0, 300))}`);
    // The file's problems name the file; the beyond-loopback refusals name the field instead.
    if (!error.message.includes(file) && !/^(http|mqtt)\.host /.test(error.message)) throw new Error(`message names no source: ${error.message}`);
    return false;
  }
  const violation = contractViolation(config);
  if (violation !== null) throw new Error(`accepted ${JSON.stringify(text.slice(0, 300))}: ${violation}`);
  // A loaded file's own values are the ones used (no env or flags here).
  const fromFile = JSON.parse(text) as Record<string, Record<string, unknown>>;
  if (fromFile.http?.port !== undefined) expect(config.http.port).toBe(fromFile.http.port);
  if (fromFile.mqtt?.port !== undefined) expect(config.mqtt.port).toBe(fromFile.mqtt.port);
  if (fromFile.dataDir !== undefined) expect(config.dataDir).toBe(fromFile.dataDir);
  if (Array.isArray(fromFile.athletes)) expect(config.athletes.map((a) => a.id)).toEqual(fromFile.athletes.map((a) => (a as { id: unknown }).id));
  return true;
}

describe('config files, fuzzed through loadConfig', () => {
  it(`${FUZZ_RUNS} files: a configuration that keeps the contract and the file's values, or a ConfigError naming the file`, async () => {
    const file = join(dir, 'in-memory', 'gym.json');
    let loaded = 0;
    await fc.assert(
      fc.asyncProperty(fileTextArb, async (text) => {
        memoryFiles.set(file, text);
        if (await checkLoad(file, text)) loaded++;
      }),
      fuzzSettings(0x5eed_0301),
    );
    memoryFiles.clear();
    expect(loaded).toBeGreaterThan(FUZZ_RUNS * 0.1);
    expect(loaded).toBeLessThan(FUZZ_RUNS * 0.9);
  });

  it('500 real files: the same outcomes, and loading writes nothing', async () => {
    const file = join(dir, 'gym.json');
    await fc.assert(
      fc.asyncProperty(fileTextArb, async (text) => {
        await writeFile(file, text);
        await checkLoad(file, text);
      }),
      fuzzSettings(0x5eed_0302, 500),
    );
    expect(await readdir(dir)).toEqual(['gym.json']);
  });
});

describe('config files: consistency the schema does not check yet', () => {
  const base = {
    source: 'ble',
    athletes: [
      { id: 'ana', name: 'Ana', sensors: [{ id: 'ana-sacrum', placement: 'sacrum', match: 'squatmon-51a1' }] },
      { id: 'bo', name: 'Bo', sensors: [{ id: 'bo-sacrum', placement: 'sacrum', match: 'squatmon-51a2' }] },
    ],
  };
  async function outcome(config: unknown): Promise<string> {
    const file = join(dir, 'consistency.json');
    await writeFile(file, JSON.stringify(config));
    try {
      await loadConfig({ file, env: {} });
      return 'loaded';
    } catch (error) {
      return error instanceof ConfigError ? 'ConfigError' : String(error);
    }
  }

  it('refuses duplicate athlete ids, sensor ids used twice, and two sensors at one placement', async () => {
    const [ana, bo] = base.athletes;
    const cases: Record<string, unknown> = {
      'two athletes with id ana': { ...base, athletes: [ana, { ...bo, id: 'ana' }] },
      'one sensor id for two athletes': { ...base, athletes: [ana, { ...bo, sensors: [{ ...bo.sensors[0], id: 'ana-sacrum' }] }] },
      'one sensor id twice in an athlete': { ...base, athletes: [{ ...ana, sensors: [ana.sensors[0], { id: 'ana-sacrum', placement: 'thoracolumbar' }] }] },
      'two sacrum sensors on one athlete': { ...base, athletes: [{ ...ana, sensors: [ana.sensors[0], { id: 'ana-2', placement: 'sacrum' }] }] },
    };
    const results: Record<string, string> = {};
    for (const [what, config] of Object.entries(cases)) results[what] = await outcome(config);
    expect(results).toEqual(Object.fromEntries(Object.keys(cases).map((k) => [k, 'ConfigError'])));
  });

  it('refuses misspelt keys inside sections (the top level already does), instead of silently using defaults', async () => {
    const [ana] = base.athletes;
    const cases: Record<string, unknown> = {
      'top level (reference)': { ...base, dataDri: 'x' },
      'http.prot': { ...base, http: { prot: 9000 } },
      'mqtt.hots': { ...base, mqtt: { hots: '0.0.0.0' } },
      'athletes.0.cutoffcm': { ...base, athletes: [{ ...ana, cutoffcm: 35 }] },
      'athletes.0.sensors.0.driverr': { ...base, athletes: [{ ...ana, sensors: [{ id: 'x', placement: 'sacrum', driverr: 'witmotion' }] }] },
    };
    const results: Record<string, string> = {};
    for (const [what, config] of Object.entries(cases)) results[what] = await outcome(config);
    expect(results).toEqual(Object.fromEntries(Object.keys(cases).map((k) => [k, 'ConfigError'])));
  });
});
