import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import {
  copyRecording,
  formatFixed,
  openRecording,
  openRecordingFrom,
  parseRecordingText,
  readRecording,
  RecordingWriter,
} from '../../shared/recording/index.ts';
import { Rng } from '../../shared/rng.ts';
import { BROAD_DIR } from '../../scripts/broad-data.ts';

// The team's reference data beside the checkout (../shared), not part of the project: absent from a user's
// clone, where the real-data test below is skipped, saying so.
const BROAD_FILE = join(BROAD_DIR, '01_undisturbed_slow_rotation_A.csv.gz');
const broadPresent = existsSync(BROAD_FILE);
if (!broadPresent) console.log(`real-data recording test skipped: ${BROAD_FILE} is absent`);
const SENSORS: SensorInfo[] = [
  { id: 'S1', placement: 'thoracolumbar' },
  { id: 'S2', placement: 'sacrum' },
];

function syntheticSamples(count: number, seed: number): ImuSample[] {
  const rng = new Rng(seed);
  const samples: ImuSample[] = [];
  for (let i = 0; i < count; i++) {
    samples.push({
      sensor: SENSORS[i % 2].id,
      t: i * 0.0025 + rng.uniform(0, 0.001),
      ax: rng.gaussian() * 5,
      ay: 9.81 + rng.gaussian(),
      az: rng.gaussian(),
      gx: rng.gaussian() * 2,
      gy: rng.gaussian() * 2,
      gz: rng.gaussian() * 2,
    });
  }
  return samples;
}

/** What a sample reads back as: every value rounded to the decimals of its column. */
function asWritten(s: ImuSample): ImuSample {
  const r = (v: number, d: number): number => Number(formatFixed(v, d));
  return { sensor: s.sensor, t: r(s.t, 4), ax: r(s.ax, 4), ay: r(s.ay, 4), az: r(s.az, 4), gx: r(s.gx, 5), gy: r(s.gy, 5), gz: r(s.gz, 5) };
}

async function writeRecording(path: string, samples: readonly ImuSample[], comments: string[] = []): Promise<void> {
  const writer = await RecordingWriter.create(path, { sensors: SENSORS, comments });
  for (const sample of samples) if (!writer.write(sample)) await writer.drain();
  await writer.close();
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squatmon-recording-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writer → reader round trip', () => {
  for (const name of ['round.csv', 'round.csv.gz']) {
    it(`gives back the samples within formatting precision (${name})`, async () => {
      const samples = syntheticSamples(3000, 11);
      const path = join(dir, name);
      await writeRecording(path, samples, ['athlete: Ann', 'set: 3']);
      const read = await readRecording(path);
      expect(read.header.sensors).toEqual(SENSORS);
      expect(read.header.comments.map((c) => c.text)).toEqual(['athlete: Ann', 'set: 3']);
      expect(read.samples).toEqual(samples.map(asWritten));
      for (let i = 0; i < samples.length; i++) {
        expect(Math.abs(read.samples[i].ax - samples[i].ax)).toBeLessThanOrEqual(0.5e-4 + 1e-12);
        expect(Math.abs(read.samples[i].gz - samples[i].gz)).toBeLessThanOrEqual(0.5e-5 + 1e-12);
      }
    });
  }

  it('yields the same samples one by one as in batches', async () => {
    const path = join(dir, 'iterate.csv');
    await writeRecording(path, syntheticSamples(500, 2));
    const one: ImuSample[] = [];
    for await (const sample of await openRecording(path)) one.push(sample);
    expect(one).toEqual((await readRecording(path)).samples);
  });

  it('writes byte-identical files for the same input, gzip included', async () => {
    const samples = syntheticSamples(400, 5);
    for (const ext of ['csv', 'csv.gz']) {
      await writeRecording(join(dir, `a.${ext}`), samples);
      await writeRecording(join(dir, `b.${ext}`), samples);
      expect(await readFile(join(dir, `a.${ext}`))).toEqual(await readFile(join(dir, `b.${ext}`)));
    }
    const text = gunzipSync(await readFile(join(dir, 'a.csv.gz'))).toString('utf8');
    expect(text).toBe(await readFile(join(dir, 'a.csv'), 'utf8'));
    expect(text).not.toMatch(/-0\.0+(,|\n)/);
  });
});

describe('writer safety', () => {
  it('shows nothing at the target path until close, and abort leaves nothing behind', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const path = join(sub, 'session.csv');
    const writer = await RecordingWriter.create(path, { sensors: SENSORS });
    for (const sample of syntheticSamples(20_000, 3)) if (!writer.write(sample)) await writer.drain();
    const during = await readdir(sub);
    expect(during).not.toContain('session.csv');
    expect(during).toHaveLength(1);
    await writer.close();
    expect(await readdir(sub)).toEqual(['session.csv']);
    expect((await readRecording(path)).samples).toHaveLength(20_000);

    const aborted = await RecordingWriter.create(join(sub, 'other.csv'), { sensors: SENSORS });
    aborted.write(syntheticSamples(1, 4)[0]);
    await aborted.abort();
    await aborted.abort();
    expect(await readdir(sub)).toEqual(['session.csv']);
    expect(() => aborted.write(syntheticSamples(1, 4)[0])).toThrow(/aborted/);
  });

  it('refuses samples and comments the format cannot hold, and stays usable', async () => {
    const path = join(dir, 'refuse.csv');
    const writer = await RecordingWriter.create(path, { sensors: SENSORS });
    const base = { sensor: 'S1', t: 1, ax: 0, ay: 0, az: 9.8, gx: 0, gy: 0, gz: 0 };
    writer.write(base);
    expect(() => writer.write({ ...base, sensor: 'S9', t: 2 })).toThrow(/undeclared sensor 'S9'/);
    expect(() => writer.write({ ...base, t: 2, gy: NaN })).toThrow(/not finite/);
    expect(() => writer.write({ ...base, t: 2, ax: 1e6 })).toThrow(/beyond any IMU's full scale/);
    expect(() => writer.write({ ...base, t: 1.00002 })).toThrow(/time must increase/);
    expect(() => writer.write({ ...base, sensor: 'S2', t: 0.4 })).toThrow(/more than 0.5 s before/);
    expect(() => writer.comment('sensor: id=S3 placement=sacrum')).toThrow(RangeError);
    expect(() => writer.comment('a\nb')).toThrow(RangeError);
    writer.write({ ...base, sensor: 'S2', t: 0.9 });
    await writer.close();
    expect((await readRecording(path)).samples.map((s) => s.t)).toEqual([1, 0.9]);
    await expect(RecordingWriter.create(join(dir, 'x.csv'), { sensors: [] })).rejects.toThrow(/at least one sensor/);
    await expect(RecordingWriter.create(join(dir, 'missing-folder', 'x.csv'), { sensors: SENSORS })).rejects.toThrow(/ENOENT/);
  });
});

describe('a recording still being written', () => {
  async function readGrowing(path: string): Promise<ImuSample[]> {
    const reader = await openRecording(path, { growing: true });
    const got: ImuSample[] = [];
    for await (const batch of reader.batches()) got.push(...batch);
    return got;
  }

  for (const name of ['growing.csv.gz', 'growing.csv']) {
    it(`reads, after flush(), every sample written so far, while the writer goes on (${name})`, async () => {
      const samples = syntheticSamples(30_000, 11);
      const writer = await RecordingWriter.create(join(dir, name), { sensors: SENSORS });
      for (const s of samples.slice(0, 12_345)) if (!writer.write(s)) await writer.drain();
      await writer.flush();
      expect(await readGrowing(writer.inProgressPath)).toEqual(samples.slice(0, 12_345).map(asWritten));
      for (const s of samples.slice(12_345)) if (!writer.write(s)) await writer.drain();
      await writer.flush();
      expect(await readGrowing(writer.inProgressPath)).toHaveLength(30_000);
      await writer.close();
      expect((await readRecording(join(dir, name))).samples).toEqual(samples.map(asWritten));
    });
  }

  it('stops at the last whole line of a file cut in the middle of a line or of its gzip stream', async () => {
    const path = join(dir, 'cut.csv');
    await writeRecording(path, syntheticSamples(500, 12));
    const text = await readFile(path, 'utf8');
    const cutAt = text.lastIndexOf('\n', text.length - 2) + 9; // 8 characters into the last row
    await writeFile(path, text.slice(0, cutAt));
    expect(await readGrowing(path)).toHaveLength(499);
    // Read as a finished file, the same cut is an error at that line.
    await expect(readRecording(path)).rejects.toThrow(/expected 8 fields/);

    const gz = join(dir, 'cut.csv.gz');
    await writeRecording(gz, syntheticSamples(5_000, 13));
    const bytes = await readFile(gz);
    await writeFile(gz, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const partial = await readGrowing(gz);
    expect(partial.length).toBeGreaterThan(1_000);
    expect(partial).toEqual(syntheticSamples(5_000, 13).slice(0, partial.length).map(asWritten));
    await expect(readRecording(gz)).rejects.toThrow(/truncated/);
  });
});

describe('rewriting keeps comments', () => {
  it('copies header comments and comments among rows to the same places, plain to gzip and in place', async () => {
    const samples = syntheticSamples(50, 9);
    const src = join(dir, 'events.csv');
    const writer = await RecordingWriter.create(src, { sensors: SENSORS, comments: ['athlete: Ann', 'free text note', 'event: t=0 name=start'] });
    writer.comment('event: t=0 name=before_first_row');
    samples.forEach((sample, i) => {
      writer.write(sample);
      if (i === 9 || i === 30) writer.comment(`event: t=${sample.t.toFixed(4)} name=mark${i}`);
    });
    writer.comment('event: t=9 name=end');
    await writer.close();

    const dest = join(dir, 'events-copy.csv.gz');
    expect(await copyRecording(src, dest)).toBe(50);
    const original = await readRecording(src);
    const copy = await readRecording(dest);
    expect(copy).toEqual(original);
    expect(original.dataComments.map((c) => [c.sampleIndex, c.comment.value.split(' ').pop()])).toEqual([
      [0, 'name=before_first_row'],
      [10, 'name=mark9'],
      [31, 'name=mark30'],
      [50, 'name=end'],
    ]);

    const srcText = await readFile(src, 'utf8');
    await copyRecording(src, src);
    expect(await readFile(src, 'utf8')).toBe(srcText);
  });

  it('leaves the target untouched when the source is bad', async () => {
    const bad = join(dir, 'bad.csv');
    const target = join(dir, 'target.csv');
    await writeFile(target, 'keep me');
    await writeFile(bad, '# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n1,S1,0,0,0,0,0,0\n0.5,S1,0,0,0,0,0,0\n');
    await expect(copyRecording(bad, target)).rejects.toMatchObject({ name: 'RecordingError', line: 5 });
    expect(await readFile(target, 'utf8')).toBe('keep me');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe.skipIf(!broadPresent)('real data', () => {
  it('reads the BROAD benchmark file (one `other` sensor, 285.7 Hz)', async () => {
    const reader = await openRecording(BROAD_FILE);
    expect(reader.header.sensors).toEqual([{ id: 'IMU', placement: 'other' }]);
    expect(reader.header.comments.map((c) => c.key)).toEqual(['source', 'trial']);
    let count = 0;
    let first: ImuSample | undefined;
    let last: ImuSample | undefined;
    for await (const batch of reader.batches()) {
      first ??= batch[0];
      last = batch[batch.length - 1];
      count += batch.length;
    }
    const text = gunzipSync(await readFile(BROAD_FILE)).toString('utf8');
    const dataLines = text.split('\n').filter((l) => /^[-\d]/.test(l));
    expect(count).toBe(dataLines.length);
    expect(first).toEqual({ sensor: 'IMU', t: 0, ax: -0.2362, ay: -0.3632, az: 9.9193, gx: -0.00106, gy: -0.00426, gz: 0.00533 });
    expect(last?.t).toBe(Number(dataLines[dataLines.length - 1].split(',')[0]));
  });

  it('reads the same from arbitrary chunks as from one piece', async () => {
    const path = join(dir, 'chunks.csv');
    await writeRecording(path, syntheticSamples(60, 8), ['athlete: Zoë Ünal']);
    // CRLF line ends and multi-byte characters, so chunk edges fall between CR and LF and inside characters.
    const text = (await readFile(path, 'utf8')).replace(/\n/g, '\r\n').replace('t,sensor', '# note: ☃\r\nt,sensor');
    const bytes = Buffer.from(text);
    const expected = parseRecordingText(text);
    for (const size of [1, 7, 64]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
      const reader = await openRecordingFrom(
        (async function* () {
          yield* chunks;
        })(),
        'chunks',
      );
      const samples: ImuSample[] = [];
      for await (const sample of reader) samples.push(sample);
      expect({ header: reader.header, samples, dataComments: reader.dataComments }).toEqual(expected);
    }
  });
});
