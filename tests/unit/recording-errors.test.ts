import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecording, parseRecordingText, readRecording, RecordingError } from '../../shared/recording/index.ts';

const HEAD = ['# squatmon-recording v1', '# sensor: id=S1 placement=thoracolumbar', '# sensor: id=S2 placement=sacrum', 't,sensor,ax,ay,az,gx,gy,gz'];
const ROW1 = '0.0502,S2,-4.2296,8.8280,1.1592,-0.03086,-0.05108,0.02873';
const ROW2 = '0.0515,S1,4.0212,-8.8783,-0.3952,0.00319,-0.00213,0.00958';

function expectError(text: string, line: number, fragment: string | RegExp): void {
  let caught: unknown;
  try {
    parseRecordingText(text);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RecordingError);
  const error = caught as RecordingError;
  expect(error.message).toMatch(fragment);
  expect(error.line).toBe(line);
}

const doc = (...lines: string[]): string => lines.join('\n') + '\n';

describe('recording validation (docs/INTERFACES.md §3)', () => {
  it('accepts the contract example, CRLF, a BOM, blank lines and a missing final line break', () => {
    const expected = parseRecordingText(doc(...HEAD, ROW1, ROW2)).samples;
    expect(expected).toHaveLength(2);
    expect(parseRecordingText([...HEAD, ROW1, ROW2, ''].join('\r\n')).samples).toEqual(expected);
    expect(parseRecordingText('\uFEFF' + doc(...HEAD, ROW1, ROW2)).samples).toEqual(expected);
    expect(parseRecordingText(doc(...HEAD, ROW1, '', ROW2, '', '')).samples).toEqual(expected);
    expect(parseRecordingText([...HEAD, ROW1, ROW2].join('\n')).samples).toEqual(expected);
  });

  it('tells apart sensor ids that are prefixes of each other', () => {
    const text = doc(HEAD[0], '# sensor: id=S1 placement=sacrum', '# sensor: id=S10 placement=other', HEAD[3], '0.1,S10,1,2,3,4,5,6', '0.2,S1,1,2,3,4,5,6');
    expect(parseRecordingText(text).samples.map((s) => s.sensor)).toEqual(['S10', 'S1']);
  });

  it('accepts a header without rows', () => {
    const parsed = parseRecordingText(doc(...HEAD));
    expect(parsed.samples).toEqual([]);
    expect(parsed.header.sensors.map((s) => s.placement)).toEqual(['thoracolumbar', 'sacrum']);
  });

  it('keeps comments among rows with their line and position', () => {
    const parsed = parseRecordingText(doc(...HEAD, ROW1, '# event: t=0.051 name=cue', ROW2));
    expect(parsed.dataComments).toEqual([
      { comment: { text: 'event: t=0.051 name=cue', key: 'event', value: 't=0.051 name=cue' }, line: 6, sampleIndex: 1 },
    ]);
  });

  it('allows small disorder across sensors but not more than 0.5 s', () => {
    const late = '0.0400,S1,0,0,9.8,0,0,0';
    expect(parseRecordingText(doc(...HEAD, ROW1, late)).samples.map((s) => s.t)).toEqual([0.0502, 0.04]);
    expectError(doc(...HEAD, '1.0000,S2,0,0,9.8,0,0,0', '0.4000,S1,0,0,9.8,0,0,0'), 6, /out of time order.*line 5/);
  });

  it('rejects a missing or wrong version line', () => {
    expectError(doc(...HEAD.slice(1), ROW1), 1, "missing '# squatmon-recording v1'");
    expectError(doc('# squatmon-recording v2', ...HEAD.slice(1)), 1, "unsupported recording version 'v2'");
    expectError('', 1, 'empty');
  });

  it('rejects a missing or wrong column header', () => {
    expectError(doc(...HEAD.slice(0, 3), ROW1), 4, 'missing column header');
    expectError(doc(...HEAD.slice(0, 3)), 4, /missing column header.*end of file/);
    expectError(doc(...HEAD.slice(0, 3), 't,sensor,ax,ay,az,gx,gy'), 4, 'wrong column header');
    expectError(doc(...HEAD.slice(0, 3), 'time,sensor,ax,ay,az,gx,gy,gz'), 4, 'wrong column header');
    expectError(doc(HEAD[0], HEAD[3], ROW1), 2, "no '# sensor:");
    expectError(doc(...HEAD, ROW1, HEAD[3], ROW2), 6, 'column header repeated');
  });

  it('rejects malformed, duplicated and misplaced sensor lines', () => {
    expectError(doc(HEAD[0], '# sensor: id=S1', HEAD[3]), 2, "missing 'placement=");
    expectError(doc(HEAD[0], '# sensor: placement=sacrum', HEAD[3]), 2, "missing 'id=");
    expectError(doc(HEAD[0], '# sensor: S1 sacrum', HEAD[3]), 2, "expected 'key=value'");
    expectError(doc(HEAD[0], '# sensor: id=S,1 placement=sacrum', HEAD[3]), 2, 'invalid sensor id');
    expectError(doc(HEAD[0], '# sensor: id=S1 placement=hip', HEAD[3]), 2, "unknown placement 'hip'");
    expectError(doc(...HEAD.slice(0, 3), '# sensor: id=S1 placement=sacrum', HEAD[3]), 4, "'S1' is declared twice");
    expectError(doc(...HEAD, ROW1, '# sensor: id=S3 placement=sacrum'), 6, 'must come before the column header');
    expectError(doc(...HEAD.slice(0, 2), '# sens\ror: id=S2 placement=sacrum', HEAD[3]), 3, 'stray carriage return');
  });

  it('rejects rows with the wrong number of fields', () => {
    expectError(doc(...HEAD, ROW1, '0.06,S1,1,2,3,4,5'), 6, 'expected 8 fields, found 7');
    expectError(doc(...HEAD, '0.06,S1,1,2,3,4,5,6,7'), 5, 'expected 8 fields, found 9');
    expectError(doc(...HEAD, '0.06,S1,1,2,3,4,5,6,'), 5, 'expected 8 fields, found 9');
  });

  it('rejects an unknown sensor id', () => {
    expectError(doc(...HEAD, ROW1, '0.06,S3,1,2,3,4,5,6'), 6, "unknown sensor id 'S3' (declared: S1, S2)");
  });

  it('rejects non-numeric and non-finite fields', () => {
    expectError(doc(...HEAD, '0.06,S1,1,abc,3,4,5,6'), 5, "field 'ay' is not a number: 'abc'");
    expectError(doc(...HEAD, '0.06,S1,1,2,3,4,5,'), 5, "field 'gz' is not a number");
    expectError(doc(...HEAD, 'x,S1,1,2,3,4,5,6'), 5, "field 't' is not a number");
    expectError(doc(...HEAD, '0.06,S1,NaN,2,3,4,5,6'), 5, "field 'ax' is not a number");
    expectError(doc(...HEAD, '0.06,S1,1,2,3,Infinity,5,6'), 5, "field 'gx' is not a number");
    expectError(doc(...HEAD, '0.06,S1,1,2,3,4,1e999,6'), 5, "field 'gy' is not finite");
    expectError(doc(...HEAD, '0.06,S1,1,2, 3,4,5,6'), 5, "field 'az' is not a number");
  });

  it('rejects values no working IMU can give (beyond ±16 g or ±2000 °/s on an axis)', () => {
    expectError(doc(...HEAD, ROW1, '0.06,S1,1e308,2,3,4,5,6'), 6, /ax=1e\+308 is beyond any IMU's full scale/);
    expectError(doc(...HEAD, '0.06,S1,1000000,2,3,0.1,0.2,0.3'), 5, /ax=1000000 is beyond any IMU's full scale \(±156\.9 m\/s² \(16 g\)\)/);
    expectError(doc(...HEAD, '0.06,S1,1,2,-157,0.1,0.2,0.3'), 5, /az=-157 is beyond/);
    expectError(doc(...HEAD, '0.06,S1,1,2,3,0.1,-35,0.3'), 5, /gy=-35 is beyond any IMU's full scale \(±34\.91 rad\/s/);
    // At full scale is still a sample (a hard landing saturates the sensor).
    expect(parseRecordingText(doc(...HEAD, '0.06,S1,156.9,2,3,0.1,34.9,0.3')).samples).toHaveLength(1);
  });

  it('rejects time going backwards or standing still for a sensor', () => {
    expectError(doc(...HEAD, ROW2, '0.0510,S1,1,2,3,4,5,6'), 6, /goes backwards for sensor S1.*line 5/);
    expectError(doc(...HEAD, ROW2, ROW1, '0.0515,S1,1,2,3,4,5,6'), 7, 'does not increase for sensor S1');
  });
});

describe('reading bad files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'squatmon-recording-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const rows = (n: number): string[] => Array.from({ length: n }, (_, i) => `${(i * 0.01).toFixed(4)},S1,0.1,0.2,9.8,0.001,0.002,0.003`);

  it('reports a truncated .gz as a RecordingError, after the valid rows', async () => {
    const full = gzipSync(doc(...HEAD, ...rows(5000)));
    const path = join(dir, 'truncated.csv.gz');
    await writeFile(path, full.subarray(0, Math.floor(full.length * 0.6)));
    const error = await readRecording(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordingError);
    expect((error as RecordingError).message).toMatch(/truncated/);
    expect((error as RecordingError).line).toBeGreaterThan(HEAD.length);
  });

  it('reports a corrupt .gz and a gzip file cut inside its header', async () => {
    const corrupt = Buffer.from(gzipSync(doc(...HEAD, ...rows(100))));
    corrupt.fill(0x55, 20, 60);
    await writeFile(join(dir, 'corrupt.csv.gz'), corrupt);
    await expect(readRecording(join(dir, 'corrupt.csv.gz'))).rejects.toThrow(RecordingError);
    await writeFile(join(dir, 'stub.csv.gz'), Buffer.from([0x1f, 0x8b, 0x08]));
    await expect(openRecording(join(dir, 'stub.csv.gz'))).rejects.toMatchObject({ name: 'RecordingError', line: 1 });
  });

  it('recognises gzip by its magic bytes whatever the name', async () => {
    const path = join(dir, 'renamed.csv');
    await writeFile(path, gzipSync(doc(...HEAD, ROW1, ROW2)));
    expect((await readRecording(path)).samples).toHaveLength(2);
  });

  it('reports an empty file and a bad row from a file with the right line number', async () => {
    await writeFile(join(dir, 'empty.csv'), '');
    await expect(openRecording(join(dir, 'empty.csv'))).rejects.toMatchObject({ name: 'RecordingError', line: 1 });
    const path = join(dir, 'bad-row.csv');
    await writeFile(path, doc(...HEAD, ...rows(3000), '99,S1,1,2,3'));
    const reader = await openRecording(path);
    let seen = 0;
    const error = await (async () => {
      for await (const batch of reader.batches()) seen += batch.length;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RecordingError', line: HEAD.length + 3001 });
    expect(seen).toBeLessThanOrEqual(3000);
  });

  it('refuses a binary file without line breaks without buffering it all', async () => {
    const path = join(dir, 'binary.bin');
    await writeFile(path, Buffer.alloc(3 << 20, 0x41));
    await expect(openRecording(path)).rejects.toMatchObject({ name: 'RecordingError', line: 1 });
  });
});
