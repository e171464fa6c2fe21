import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import { PLACEMENTS } from '../../shared/imu.ts';
import { formatFixed, parseRecordingText, readRecording, RecordingError, RecordingWriter } from '../../shared/recording/index.ts';

/** Within a working IMU's full scale (16 g, 2000 °/s; the reader refuses anything beyond), a little inside it. */
const accelArb = fc.double({ noNaN: true, noDefaultInfinity: true, min: -150, max: 150 });
const rateArb = fc.double({ noNaN: true, noDefaultInfinity: true, min: -34, max: 34 });

/** Text after `# `: free text or `key: value`, never a `sensor:` line (sensors are declared separately). */
const commentArb = fc
  .string({ unit: 'grapheme', maxLength: 30 })
  .map((text) => text.replace(/[\r\n]/g, ' '))
  .filter((text) => !/^sensor:/.test(text));

const recordingArb = fc
  .record({
    sensors: fc.uniqueArray(
      fc.record({ id: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,6}$/), placement: fc.constantFrom(...PLACEMENTS) }),
      { minLength: 1, maxLength: 3, selector: (s) => s.id },
    ),
    comments: fc.array(commentArb, { maxLength: 4 }),
    rows: fc.array(
      fc.record({
        sensorPick: fc.nat(),
        /** Time step in 0.1 ms ticks from the previous row: rows stay in order, per sensor strictly. */
        ticks: fc.integer({ min: 1, max: 5000 }),
        values: fc.tuple(accelArb, accelArb, accelArb, rateArb, rateArb, rateArb),
        commentBefore: fc.option(commentArb, { freq: 8 }),
      }),
      { maxLength: 60 },
    ),
    startTicks: fc.integer({ min: -100_000, max: 100_000 }),
  })
  .map(({ sensors, comments, rows, startTicks }) => {
    let ticks = startTicks;
    const samples: ImuSample[] = [];
    const dataComments: { text: string; sampleIndex: number }[] = [];
    for (const row of rows) {
      ticks += row.ticks;
      if (row.commentBefore !== null) dataComments.push({ text: row.commentBefore, sampleIndex: samples.length });
      const [ax, ay, az, gx, gy, gz] = row.values;
      samples.push({ sensor: sensors[row.sensorPick % sensors.length].id, t: ticks / 10_000, ax, ay, az, gx, gy, gz });
    }
    return { sensors: sensors as SensorInfo[], comments, samples, dataComments };
  });

const round = (v: number, decimals: number): number => Number(formatFixed(v, decimals));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squatmon-recording-prop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recording properties', () => {
  it('arbitrary valid recordings round-trip through writer and reader, plain and gzip', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(recordingArb, fc.boolean(), async (rec, gzip) => {
        const path = join(dir, `r${run++}.csv${gzip ? '.gz' : ''}`);
        const writer = await RecordingWriter.create(path, { sensors: rec.sensors, comments: rec.comments });
        let next = 0;
        rec.samples.forEach((sample, i) => {
          while (next < rec.dataComments.length && rec.dataComments[next].sampleIndex === i) writer.comment(rec.dataComments[next++].text);
          writer.write(sample);
        });
        for (; next < rec.dataComments.length; next++) writer.comment(rec.dataComments[next].text);
        await writer.close();

        const read = await readRecording(path);
        expect(read.header.sensors).toEqual(rec.sensors);
        expect(read.header.comments.map((c) => c.text)).toEqual(rec.comments);
        expect(read.dataComments.map((c) => ({ text: c.comment.text, sampleIndex: c.sampleIndex }))).toEqual(rec.dataComments);
        expect(read.samples).toEqual(
          rec.samples.map((s) => ({
            sensor: s.sensor, t: round(s.t, 4),
            ax: round(s.ax, 4), ay: round(s.ay, 4), az: round(s.az, 4),
            gx: round(s.gx, 5), gy: round(s.gy, 5), gz: round(s.gz, 5),
          })),
        );
        await rm(path);
      }),
      { numRuns: 40 },
    );
  });

  it('damaged recordings give a RecordingError at or after the damage, or exactly the samples a plain CSV reading gives', () => {
    const baseText = (rec: { sensors: SensorInfo[]; samples: ImuSample[] }): string[] => [
      '# squatmon-recording v1',
      ...rec.sensors.map((s) => `# sensor: id=${s.id} placement=${s.placement}`),
      't,sensor,ax,ay,az,gx,gy,gz',
      ...rec.samples.map((s) => [formatFixed(s.t, 4), s.sensor, formatFixed(s.ax, 4), formatFixed(s.ay, 4), formatFixed(s.az, 4), formatFixed(s.gx, 5), formatFixed(s.gy, 5), formatFixed(s.gz, 5)].join(',')),
    ];
    const damageArb = fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom('replace', 'insertChar', 'deleteChar', 'insertLine', 'swapFields', 'replaceField'),
        text: fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.constantFrom('1e5', '-', ',', '.', '# event: t=1 name=x', '', 'NaN', '1e999', '0x1', ' ', '\r', 'S1', '+3'),
        ),
      }),
      { minLength: 1, maxLength: 3 },
    );
    // Independent reading of one data row: split on commas, strict decimal syntax, Number() for the value.
    const decimal = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
    const plainRow = (line: string): ImuSample | null => {
      const f = line.replace(/\r$/, '').split(',');
      if (f.length !== 8 || ![0, 2, 3, 4, 5, 6, 7].every((i) => decimal.test(f[i]) && Number.isFinite(Number(f[i])))) return null;
      const n = (i: number): number => Number(f[i]) + 0;
      return { sensor: f[1], t: n(0), ax: n(2), ay: n(3), az: n(4), gx: n(5), gy: n(6), gz: n(7) };
    };

    fc.assert(
      fc.property(recordingArb, damageArb, (rec, damages) => {
        const lines = baseText(rec);
        let firstDamaged = Infinity;
        for (const d of damages) {
          const i = d.at % (lines.length + 1);
          const line = lines[i] ?? '';
          const pos = line.length === 0 ? 0 : d.at % line.length;
          if (d.kind === 'insertLine') lines.splice(i, 0, d.text);
          else if (d.kind === 'replace') lines[i] = d.text;
          else if (d.kind === 'insertChar') lines[i] = line.slice(0, pos) + d.text.slice(0, 1) + line.slice(pos);
          else if (d.kind === 'deleteChar') lines[i] = line.slice(0, pos) + line.slice(pos + 1);
          else if (d.kind === 'replaceField') lines[i] = line.split(',').map((f, k) => (k === d.at % 8 ? d.text : f)).join(',');
          else lines[i] = line.split(',').reverse().join(',');
          firstDamaged = Math.min(firstDamaged, i + 1);
        }
        const text = lines.join('\n') + '\n';
        const physicalLines = text.split('\n');
        let parsed: ReturnType<typeof parseRecordingText>;
        try {
          parsed = parseRecordingText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(RecordingError);
          // Line numbers count `\n`-separated lines; damage text may itself contain line breaks, shifting lines.
          const line = (error as RecordingError).line;
          expect(line).toBeGreaterThanOrEqual(firstDamaged);
          expect(line).toBeLessThanOrEqual(physicalLines.length);
          return;
        }
        const headerEnd = physicalLines.findIndex((l) => l.replace(/\r$/, '') === 't,sensor,ax,ay,az,gx,gy,gz');
        const rows = physicalLines.slice(headerEnd + 1).filter((l) => l.trim() !== '' && !l.startsWith('#'));
        expect(parsed.samples).toEqual(rows.map(plainRow));
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary text gives a recording or a RecordingError, never another exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ maxLength: 200 }).map((s) => `# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\n${s}`),
          fc.string({ maxLength: 200 }).map((s) => `# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n${s}`),
        ),
        (text) => {
          try {
            parseRecordingText(text);
          } catch (error) {
            expect(error).toBeInstanceOf(RecordingError);
            expect((error as RecordingError).line).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
