import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { readRecording } from '../../shared/recording/index.ts';
import { AthletePipeline } from '../../gateway/sensing/athlete-pipeline.ts';
import type { SensingEvent } from '../../gateway/sensing/events.ts';
import { withDrills } from '../../gateway/coach/session-summary.ts';

let dir: string;
let recording: string;
let truth: { reps: { depth_cm: number; butt_wink: boolean }[]; pelvic_tilt: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squatmon-analyze-'));
  recording = join(dir, 'set.csv.gz');
  const truthPath = join(dir, 'set.json');
  const sim = await runCli(['sim', '--profile', 'posterior', '--seed', '11', '--reps', '4', '--rate', '200', '--loss', '3', '--out', recording, '--truth', truthPath]);
  expect(sim.code).toBe(0);
  truth = JSON.parse(await readFile(truthPath, 'utf8'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function jsonLines(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').map((line) => JSON.parse(line));
}

describe('squatmon analyze --jsonl', () => {
  it('prints one line per rep with the contract fields, cues before their rep, then the session', async () => {
    const { code, stdout } = await runCli(['analyze', recording, '--jsonl', '--cutoff-cm', '25']);
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    const reps = lines.filter((l) => l.type === 'rep');
    const cues = lines.filter((l) => l.type === 'cue');
    expect(reps).toHaveLength(truth.reps.length);
    for (const rep of reps) {
      for (const field of ['index', 't_start', 't_bottom', 't_end', 'depth_cm', 'lumbar_flexion_max_deg', 'wink_deg', 'butt_wink', 'wink_onset_depth_cm']) {
        expect(rep).toHaveProperty(field);
      }
    }
    reps.forEach((rep, i) => {
      expect(Math.abs((rep.depth_cm as number) - truth.reps[i].depth_cm)).toBeLessThan(3);
      expect(rep.butt_wink).toBe(truth.reps[i].butt_wink);
    });
    // Every rep is deeper than 25 cm: one cue each, published before the rep it belongs to.
    expect(cues.map((c) => c.rep)).toEqual([1, 2, 3, 4]);
    for (const cue of cues) {
      expect(cue).toMatchObject({ kind: 'depth_cutoff' });
      const cueAt = lines.indexOf(cue);
      const repAt = lines.findIndex((l) => l.type === 'rep' && l.index === cue.rep);
      expect(cueAt).toBeLessThan(repAt);
      expect(cue.depth_cm as number).toBeGreaterThanOrEqual(25);
    }
    const session = lines[lines.length - 1];
    expect(session.type).toBe('session');
    expect(session.reps).toBe(truth.reps.length);
    expect(session.pelvic_tilt).toBe(truth.pelvic_tilt);
    expect(session.sensors).toMatchObject([
      { id: 'S1', placement: 'thoracolumbar' },
      { id: 'S2', placement: 'sacrum' },
    ]);
    const drills = session.drills as { strengthen: { muscle: string }[]; stretch: { muscle: string }[] };
    expect(drills.strengthen.map((d) => d.muscle)).toEqual(['lower_back', 'hip_flexors']);
  });

  it('prints no cue without --cutoff-cm and honours --wink-threshold-deg', async () => {
    const plain = jsonLines((await runCli(['analyze', recording, '--jsonl'])).stdout);
    expect(plain.some((l) => l.type === 'cue')).toBe(false);
    const strict = jsonLines((await runCli(['analyze', recording, '--jsonl', '--wink-threshold-deg', '80'])).stdout);
    expect(strict.filter((l) => l.type === 'rep').every((r) => r.butt_wink === false && r.wink_onset_depth_cm === null)).toBe(true);
    expect(strict[strict.length - 1].suggested_cutoff_cm).toBeNull();
  });

  it('prints exactly what the streaming pipeline emits when fed the same samples one by one', async () => {
    const { stdout } = await runCli(['analyze', recording, '--jsonl', '--cutoff-cm', '25']);
    const rec = await readRecording(recording);
    const events: SensingEvent[] = [];
    // As the live gateway runs it: live frames on, samples one at a time.
    const pipeline = new AthletePipeline({ sensors: rec.header.sensors, cutoffCm: 25, live: true, onEvent: (e) => events.push(e) });
    for (const s of rec.samples) pipeline.push(s);
    pipeline.finish();
    // The session line is the pipeline's summary with the drills joined, as the gateway publishes it.
    const published = events.filter((e) => e.type !== 'live').map((e) => JSON.stringify(e.type === 'session' ? withDrills(e) : e));
    expect(stdout.trim().split('\n')).toEqual(published);
  });
});

describe('squatmon analyze (readable report)', () => {
  it('shows the rep table, the posture, the stopping depth and the disclaimer', async () => {
    const { code, stdout } = await runCli(['analyze', recording]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/rep +start s/);
    expect(stdout).toMatch(/posterior pelvic tilt/);
    expect(stdout).toMatch(/Suggested stopping depth: \d+ cm/);
    expect(stdout).toMatch(/physical therapist/);
    // Words for people: muscle names, not the contract's ids.
    expect(stdout).toMatch(/strengthen: Lower back \(/);
    expect(stdout).not.toMatch(/lower_back|hip_flexors/);
    expect(stdout).toMatch(/standing lordosis \d+\.\d°/);
  });

  it('says "not measured" for the standing lordosis of a one-sensor recording, not "–°"', async () => {
    const one = join(dir, 'one.csv');
    expect((await runCli(['sim', '--profile', 'posterior', '--seed', '3', '--reps', '2', '--sensors', 'sacrum', '--out', one])).code).toBe(0);
    const { code, stdout } = await runCli(['analyze', one]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/standing lordosis not measured/);
    expect(stdout).not.toMatch(/–°/);
  });
});

describe('squatmon analyze / orient with bad input', () => {
  const cases: [string, string, RegExp][] = [
    ['no header', 't,sensor,ax,ay,az,gx,gy,gz\n', /:1: /],
    ['non-numeric field', '# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n0.01,S1,0,0,9.8,0,0,0\n0.02,S1,0,x,9.8,0,0,0\n', /:5: /],
    ['unknown sensor', '# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n0.01,S9,0,0,9.8,0,0,0\n', /:4: /],
    ['time going backwards', '# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n0.02,S1,0,0,9.8,0,0,0\n0.01,S1,0,0,9.8,0,0,0\n', /:5: /],
    ['an accelerometer value of 1e308', '# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n0.01,S1,0,0,9.8,0,0,0\n0.02,S1,1e308,0,9.8,0,0,0\n', /:5: .*full scale/],
    ['an accelerometer value of 1e6', '# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n0.01,S1,0,0,9.8,0,0,0\n0.02,S1,1000000,0,9.8,0,0,0\n', /:5: .*full scale/],
    ['a header without samples', '# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n', /:3: .*no samples/],
  ];
  for (const [name, text, line] of cases) {
    it(`reports ${name} with its line number, exit code 2 and no output`, async () => {
      const path = join(dir, `bad-${name.replace(/ /g, '-')}.csv`);
      await writeFile(path, text);
      for (const command of [['analyze', path, '--jsonl'], ['orient', path]]) {
        const result = await runCli(command);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(path);
        expect(result.stderr).toMatch(line);
      }
    });
  }

  it('reports a missing file with exit code 2', async () => {
    const result = await runCli(['analyze', join(dir, 'nope.csv')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot read the recording: no such file \(ENOENT\)/);
    const folder = await runCli(['analyze', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/it is a folder, not a file \(EISDIR\)/);
  });
});

describe('squatmon orient', () => {
  it('prints one unit quaternion per input sample, header t,sensor,qw,qx,qy,qz', async () => {
    const { code, stdout } = await runCli(['orient', recording]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('t,sensor,qw,qx,qy,qz');
    const rec = await readRecording(recording);
    expect(lines.length - 1).toBe(rec.samples.length);
    for (const line of lines.slice(1, 2000)) {
      const [, sensor, ...q] = line.split(',');
      expect(['S1', 'S2']).toContain(sensor);
      const norm = Math.hypot(...q.map(Number));
      expect(norm).toBeCloseTo(1, 4);
    }
  });
});

describe('squatmon analyze progress', () => {
  it('draws a progress bar on stderr only when stderr is a terminal', async () => {
    const { PassThrough } = await import('node:stream');
    const { main } = await import('../../gateway/cli/main.ts');
    const run = async (tty: boolean) => {
      const stdout = new PassThrough();
      const stderr = Object.assign(new PassThrough(), { isTTY: tty });
      let err = '';
      stderr.on('data', (d) => (err += d));
      stdout.resume();
      expect(await main(['analyze', recording, '--jsonl'], { stdout, stderr })).toBe(0);
      return err;
    };
    expect(await run(true)).toMatch(/\ranalyzing \[[#.]+\] \d+%/);
    expect(await run(false)).toBe('');
  });
});
