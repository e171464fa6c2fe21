import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { readRecording } from '../../shared/recording/index.ts';


let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squatmon-sim-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('squatmon sim', () => {
  it('writes a recording v1 and a truth file whose reps match the requested set', async () => {
    const out = join(dir, 'a.csv');
    const truthPath = join(dir, 'a.json');
    const { code } = await runCli(['sim', '--profile', 'posterior', '--reps', '3', '--rate', '100', '--out', out, '--truth', truthPath]);
    expect(code).toBe(0);
    const rec = await readRecording(out);
    expect(rec.header.sensors).toEqual([
      { id: 'S1', placement: 'thoracolumbar' },
      { id: 'S2', placement: 'sacrum' },
    ]);
    expect(rec.header.comments.map((x) => x.text)).toContain('simulated: true');
    const truth = JSON.parse(await readFile(truthPath, 'utf8'));
    expect(truth.reps).toHaveLength(3);
    expect(truth.pelvic_tilt).toBe('posterior');
    // About 100 Hz per sensor over the whole set, no loss asked for.
    const perSensor = rec.samples.filter((s) => s.sensor === 'S2').length;
    expect(perSensor / truth.duration).toBeGreaterThan(98);
    expect(perSensor / truth.duration).toBeLessThan(101);
  });

  it('gives byte-identical output for the same seed, and different output for another seed', async () => {
    const run = async (seed: number, name: string) => {
      const out = join(dir, `${name}.csv.gz`);
      const truth = join(dir, `${name}.json`);
      const { code } = await runCli(['sim', '--seed', String(seed), '--reps', '2', '--loss', '3', '--duplicates', '1', '--out', out, '--truth', truth]);
      expect(code).toBe(0);
      return [await readFile(out), await readFile(truth)];
    };
    const [a1, t1] = await run(7, 'x');
    const [a2, t2] = await run(7, 'y');
    const [b1] = await run(8, 'z');
    expect(Buffer.compare(a1, a2)).toBe(0);
    expect(Buffer.compare(t1, t2)).toBe(0);
    expect(Buffer.compare(a1, b1)).not.toBe(0);
  });

  it('reports lost frames as gaps and keeps each sensor strictly increasing in time', async () => {
    const out = join(dir, 'lossy.csv');
    const truthPath = join(dir, 'lossy.json');
    expect((await runCli(['sim', '--profile', 'neutral', '--reps', '2', '--rate', '200', '--mtu', '23', '--loss', '5', '--duplicates', '2', '--out', out, '--truth', truthPath])).code).toBe(0);
    const truth = JSON.parse(await readFile(truthPath, 'utf8'));
    const rec = await readRecording(out);
    for (const sensor of truth.simulation.sensors) {
      expect(sensor.frames_lost).toBeGreaterThan(0);
      expect(sensor.duplicates_dropped).toBe(sensor.link.duplicated);
      const times = rec.samples.filter((s) => s.sensor === sensor.id).map((s) => s.t);
      // MTU 23: one sample per frame, so received samples = received frames.
      expect(times).toHaveLength(sensor.frames_received);
      let gaps = 0;
      for (let i = 1; i < times.length; i++) {
        expect(times[i]).toBeGreaterThan(times[i - 1]);
        if (times[i] - times[i - 1] > 1.5 / 200) gaps += Math.round((times[i] - times[i - 1]) * 200) - 1;
      }
      expect(gaps).toBe(sensor.frames_lost);
    }
  });

  it('rejects bad options with exit code 2 and writes nothing', async () => {
    for (const args of [
      ['sim', '--out', join(dir, 'n1.csv')],
      ['sim', '--profile', 'nobody', '--out', join(dir, 'n2.csv')],
      ['sim', '--seed', '-3', '--out', join(dir, 'n3.csv')],
      ['sim', '--seed', '1', '--rate', '150', '--out', join(dir, 'n4.csv')],
      ['sim', '--seed', '1', '--sensors', 'thigh', '--out', join(dir, 'n5.csv')],
      ['sim', '--seed', '1', '--bogus', '--out', join(dir, 'n6.csv')],
    ]) {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/squatmon sim: /);
    }
    await expect(readFile(join(dir, 'n2.csv'))).rejects.toThrow();
  });

  it('refuses an output in a missing folder with exit code 2 and one line, before writing anything', async () => {
    const missing = join(dir, 'no', 'such', 'folder');
    for (const [args, option] of [
      [['sim', '--seed', '1', '--reps', '1', '--out', join(missing, 'x.csv')], 'out'],
      [['sim', '--seed', '1', '--reps', '1', '--out', join(dir, 'n7.csv'), '--truth', join(missing, 't.json')], 'truth'],
    ] as const) {
      const result = await runCli([...args]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([`squatmon sim: --${option} ${join(missing, option === 'out' ? 'x.csv' : 't.json')}: the folder ${missing} does not exist`]);
    }
    // The recording asked for with an impossible --truth was not written either.
    await expect(readFile(join(dir, 'n7.csv'))).rejects.toThrow();
  });
});
