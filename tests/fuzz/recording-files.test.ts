/**
 * Fuzzing recording files: random text and valid recordings with one line or character changed, through the
 * in-memory parser and the streaming reader (fed in random chunk sizes; they must agree), plain and gzip files on
 * disk, and the writer (a refused sample writes nothing; abort() leaves no file behind).
 */
import fc from 'fast-check';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImuSample } from '../../shared/imu.ts';
import { PLACEMENTS } from '../../shared/imu.ts';
import { formatFixed, openRecordingFrom, parseRecordingText, readRecording, RecordingError, RecordingWriter } from '../../shared/recording/index.ts';
import { FUZZ_RUNS, fuzzSettings, isClearMessage, mutatedText } from './fuzz-support.ts';

/** Within a working IMU's full scale (16 g, 2000 °/s; the reader refuses anything beyond), a little inside it. */
const accel = fc.double({ min: -150, max: 150, noNaN: true });
const rate = fc.double({ min: -34, max: 34, noNaN: true });
/** A valid recording's lines (writer's form), small enough for thousands of runs. */
const validLinesArb: fc.Arbitrary<string[]> = fc
  .record({
    ids: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,4}$/), { minLength: 1, maxLength: 2 }),
    placement: fc.constantFrom(...PLACEMENTS),
    comments: fc.array(fc.constantFrom('# athlete: ana', '# free text', '# event: t=1.0000 name=standing_start'), { maxLength: 2 }),
    rows: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3000 }), accel, accel, accel, rate, rate, rate), { maxLength: 8 }),
  })
  .map(({ ids, placement, comments, rows }) => {
    let ticks = 0;
    const data = rows.map(([pick, step, ax, ay, az, gx, gy, gz]) => {
      ticks += step;
      const f4 = (v: number) => formatFixed(v, 4);
      const f5 = (v: number) => formatFixed(v, 5);
      return [f4(ticks / 10_000), ids[pick % ids.length], f4(ax), f4(ay), f4(az), f5(gx), f5(gy), f5(gz)].join(',');
    });
    return ['# squatmon-recording v1', ...ids.map((id) => `# sensor: id=${id} placement=${placement}`), ...comments, 't,sensor,ax,ay,az,gx,gy,gz', ...data];
  });

const lineEdit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'insert', 'delete', 'swap', 'field'),
  text: fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom('', ' ', '#', '# sensor: id=Z placement=sacrum', 't,sensor,ax,ay,az,gx,gy,gz', '1e999', 'NaN', '-0', '0x1', ',', '\r', '\ufeff'),
  ),
});
const recordingTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: validLinesArb.map((lines) => lines.join('\n') + '\n') },
  {
    weight: 4,
    arbitrary: fc.tuple(validLinesArb, lineEdit).map(([lines, e]) => {
      const i = e.at % lines.length;
      const out = lines.slice();
      if (e.kind === 'replace') out[i] = e.text;
      else if (e.kind === 'insert') out.splice(i, 0, e.text);
      else if (e.kind === 'delete') out.splice(i, 1);
      else if (e.kind === 'swap' && i + 1 < out.length) [out[i], out[i + 1]] = [out[i + 1], out[i]];
      else out[i] = out[i].split(',').map((f, k) => (k === e.at % 8 ? e.text : f)).join(',');
      return out.join('\n') + '\n';
    }),
  },
  { weight: 2, arbitrary: mutatedText(validLinesArb.map((lines) => lines.join('\n') + (lines.length % 2 ? '\n' : '\r\n'))) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 120 }).map((s) => `# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n${s}`) },
);

type Outcome = { ok: true; samples: ImuSample[] } | { ok: false; line: number; message: string };

/** Throws unless `error` is a RecordingError with a line inside the text and a readable message. */
function recordingFailure(error: unknown, text: string): Outcome {
  if (!(error instanceof RecordingError)) throw new Error(`${JSON.stringify(text.slice(0, 300))}: not a RecordingError: ${String(error)}`);
  const lines = text.split('\n').length;
  if (!(Number.isInteger(error.line) && error.line >= 1 && error.line <= lines + 1)) throw new Error(`line ${error.line} of ${lines}: ${error.message}`);
  if (!isClearMessage(error.message)) throw new Error(`unclear message at line ${error.line}`);
  return { ok: false, line: error.line, message: error.message };
}

/** What any accepted recording must satisfy (docs/INTERFACES.md §3): finite values, declared sensors, time increasing. */
function checkSamples(samples: ImuSample[], sensors: readonly string[]): void {
  const last = new Map<string, number>();
  for (const s of samples) {
    if (![s.t, s.ax, s.ay, s.az, s.gx, s.gy, s.gz].every(Number.isFinite)) throw new Error(`non-finite sample ${JSON.stringify(s)}`);
    if (!sensors.includes(s.sensor)) throw new Error(`undeclared sensor ${s.sensor}`);
    if (!(s.t > (last.get(s.sensor) ?? -Infinity))) throw new Error(`time not increasing for ${s.sensor} at t=${s.t}`);
    last.set(s.sensor, s.t);
  }
}

async function* chunksOf(bytes: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const n = sizes.length === 0 ? bytes.length : 1 + (sizes[k % sizes.length] % 64);
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function streamed(chunks: AsyncIterable<Uint8Array>, text: string): Promise<Outcome> {
  try {
    const reader = await openRecordingFrom(chunks, 'fuzz');
    const samples: ImuSample[] = [];
    for await (const batch of reader.batches()) samples.push(...batch);
    checkSamples(samples, reader.header.sensors.map((s) => s.id));
    return { ok: true, samples };
  } catch (error) {
    return recordingFailure(error, text);
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squatmon-fuzz-recording-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recording files, fuzzed', () => {
  it(`${FUZZ_RUNS} texts: samples that keep the format, or a RecordingError at a line; parser and streaming reader agree`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(recordingTextArb, fc.array(fc.nat(), { maxLength: 4 }), async (text, sizes) => {
        let direct: Outcome;
        try {
          const parsed = parseRecordingText(text);
          checkSamples(parsed.samples, parsed.header.sensors.map((s) => s.id));
          direct = { ok: true, samples: parsed.samples };
          accepted++;
        } catch (error) {
          direct = recordingFailure(error, text);
        }
        const stream = await streamed(chunksOf(Buffer.from(text, 'utf8'), sizes), text);
        expect(stream).toEqual(direct);
      }),
      fuzzSettings(0x5eed_0401),
    );
    expect(accepted).toBeGreaterThan(FUZZ_RUNS * 0.1);
    expect(accepted).toBeLessThan(FUZZ_RUNS * 0.9);
  });

  it('300 gzip files with damaged bytes: the samples, or a RecordingError', async () => {
    const file = join(dir, 'damaged.csv.gz');
    await fc.assert(
      fc.asyncProperty(validLinesArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.nat(), async (lines, writes, cut) => {
        const text = lines.join('\n') + '\n';
        const gz = gzipSync(text);
        for (const [at, byte] of writes) gz[at % gz.length] = byte;
        const bytes = writes.length === 0 ? gz.subarray(0, cut % (gz.length + 1)) : gz;
        await writeFile(file, bytes);
        try {
          const read = await readRecording(file);
          checkSamples(read.samples, read.header.sensors.map((s) => s.id));
        } catch (error) {
          // Corrupt bytes can decode to any text: the line bound is that of the original, loosely.
          if (!(error instanceof RecordingError)) throw new Error(`not a RecordingError: ${String(error)}`);
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(isClearMessage(error.message)).toBe(true);
        }
      }),
      fuzzSettings(0x5eed_0402, 300),
    );
  });
});

describe('recording writer, fuzzed', () => {
  const sensors = [
    { id: 'S1', placement: 'sacrum' as const },
    { id: 'S2', placement: 'thoracolumbar' as const },
  ];
  const attempt = fc.record({
    sensor: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('S1', 'S2') }, { weight: 1, arbitrary: fc.constantFrom('S3', '', 's1', 'S1,x') }),
    dt: fc.oneof({ weight: 8, arbitrary: fc.double({ min: 0, max: 0.05, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(-1, -0.00004, 0.00004, NaN, Infinity) }),
    values: fc.tuple(
      ...[accel, accel, accel, rate, rate, rate].map((inRange) =>
        fc.oneof({ weight: 20, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e6, -1e308) }),
      ),
    ),
  });

  it('400 files × 30–60 writes (over 10,000 writes): a refused sample throws RangeError and writes nothing; abort() leaves no file', async () => {
    const wdir = await mkdtemp(join(dir, 'writer-'));
    let run = 0;
    let attempts = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(attempt, { minLength: 30, maxLength: 60 }), fc.boolean(), fc.nat(3).map((n) => n === 0), async (tries, gzip, abortOnRefusal) => {
        const path = join(wdir, `w${run++}.csv${gzip ? '.gz' : ''}`);
        const writer = await RecordingWriter.create(path, { sensors });
        const written: ImuSample[] = [];
        let t = 10;
        let refused = false;
        for (const { sensor, dt, values } of tries) {
          attempts++;
          t += dt;
          const [ax, ay, az, gx, gy, gz] = values;
          const sample = { sensor, t, ax, ay, az, gx, gy, gz };
          const before = writer.samplesWritten;
          try {
            writer.write(sample);
            written.push(sample);
          } catch (error) {
            if (!(error instanceof RangeError)) throw new Error(`write threw ${String(error)}`);
            expect(isClearMessage(error.message)).toBe(true);
            expect(writer.samplesWritten).toBe(before);
            refused = true;
            if (abortOnRefusal) break;
          }
        }
        if (refused && abortOnRefusal) {
          await writer.abort();
          expect(await readdir(wdir)).toEqual([]); // neither the target nor the temporary file
          return;
        }
        await writer.close();
        // The file holds exactly the accepted samples, and reads back.
        const read = await readRecording(path);
        expect(read.samples.length).toBe(written.length);
        expect(read.samples.map((s) => s.sensor)).toEqual(written.map((s) => s.sensor));
        expect(await readdir(wdir)).toEqual([`w${run - 1}.csv${gzip ? '.gz' : ''}`]); // no temporary file left
        await rm(path);
      }),
      fuzzSettings(0x5eed_0403, 400),
    );
    expect(attempts).toBeGreaterThanOrEqual(10_000);
  });
});
