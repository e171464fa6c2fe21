/**
 * Recordings built to exhaust memory (docs/SECURITY.md): a gzip "comment bomb" (a valid header, one row, then
 * hundreds of megabytes of `# e: x` lines) and a header of a million `# sensor:` lines. Readers stop at the line
 * that crosses the format's bounds (shared/recording/parser.ts): `squatmon analyze` exits 2 with that line
 * quickly and in little memory, and a gateway asked for such a set's trace answers an error and keeps serving.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_COMMENT_LINES, MAX_SENSORS } from '../../shared/recording/parser.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'squatmon.js');
const GNU_TIME = '/usr/bin/time';
const HEADER = '# squatmon-recording v1\n# sensor: id=S1 placement=thoracolumbar\n# sensor: id=S2 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n0.01,S1,0,9.8,0,0,0,0\n';

let dir: string;

/** Writes `head`, then `line` repeated until `bytes` bytes, gzip-compressed (level 1, as the recipe). */
async function gzipOf(path: string, head: string, line: string, bytes: number): Promise<void> {
  const block = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
  let left = bytes;
  async function* text() {
    yield Buffer.from(head);
    while (left > 0) {
      left -= block.length;
      yield block;
    }
  }
  await pipeline(Readable.from(text()), createGzip({ level: 1 }), createWriteStream(path));
}

/** `squatmon analyze file` as its own process: exit code, stderr, wall seconds and peak RSS (MB, when measurable). */
function analyze(file: string): { code: number | null; stderr: string; seconds: number; peakMb: number | null } {
  const measured = existsSync(GNU_TIME);
  const started = performance.now();
  const r = measured
    ? spawnSync(GNU_TIME, ['-f', 'PEAK_KB=%M', process.execPath, BIN, 'analyze', file], { encoding: 'utf8', timeout: 60_000 })
    : spawnSync(process.execPath, [BIN, 'analyze', file], { encoding: 'utf8', timeout: 60_000 });
  const seconds = (performance.now() - started) / 1000;
  const peak = /PEAK_KB=(\d+)/.exec(r.stderr);
  // GNU time adds its own lines (the peak, "Command exited with non-zero status N"): not the command's.
  const stderr = r.stderr.replace(/PEAK_KB=\d+\n?/, '').replace(/Command exited with non-zero status \d+\n?/, '');
  const code = measured ? Number(/Command exited with non-zero status (\d+)/.exec(r.stderr)?.[1] ?? r.status) : r.status;
  return { code, stderr, seconds, peakMb: peak ? Number(peak[1]) / 1024 : null };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squatmon-hostile-'));
  await gzipOf(join(dir, 'comment-bomb.csv.gz'), HEADER, '# e: x\n', 200 << 20);
  await gzipOf(join(dir, 'sensor-flood.csv.gz'), '# squatmon-recording v1\n', '# sensor: id=S1 placement=sacrum\n', 30 << 20);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hostile recordings', () => {
  it('a 200 MB comment bomb: analyze exits 2 at the line that crosses the bound, in seconds and little memory', () => {
    const r = analyze(join(dir, 'comment-bomb.csv.gz'));
    console.info(`comment bomb: exit ${r.code} in ${r.seconds.toFixed(2)} s, peak ${r.peakMb?.toFixed(0) ?? '?'} MB: ${r.stderr.trim()}`);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // Header comments (the sensor lines among them) count too: the bound is crossed a few lines after row 1.
    expect(r.stderr).toMatch(new RegExp(`comment-bomb\\.csv\\.gz:\\d+: more than ${MAX_COMMENT_LINES} comment lines`));
    expect(r.seconds).toBeLessThan(5);
    if (r.peakMb !== null) expect(r.peakMb).toBeLessThan(300);
  });

  it('a flood of sensor declarations: analyze exits 2 at the first sensor over the bound', () => {
    const r = analyze(join(dir, 'sensor-flood.csv.gz'));
    console.info(`sensor flood: exit ${r.code} in ${r.seconds.toFixed(2)} s, peak ${r.peakMb?.toFixed(0) ?? '?'} MB: ${r.stderr.trim()}`);
    expect(r.code).toBe(2);
    // Line 1 is the version line; the same id twice is refused first, so the bound is met with distinct ids below.
    expect(r.stderr).toMatch(/:3: sensor id 'S1' is declared twice/);
    expect(r.seconds).toBeLessThan(5);
    if (r.peakMb !== null) expect(r.peakMb).toBeLessThan(300);
  });

  it('refuses more than the bound of distinct sensors', async () => {
    const lines = Array.from({ length: MAX_SENSORS + 1 }, (_, i) => `# sensor: id=S${i} placement=other\n`).join('');
    const file = join(dir, 'many-sensors.csv.gz');
    await gzipOf(file, `# squatmon-recording v1\n${lines}t,sensor,ax,ay,az,gx,gy,gz\n`, '\n', 0);
    const r = analyze(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`:${MAX_SENSORS + 2}: more than ${MAX_SENSORS} sensors declared`));
  });
});
