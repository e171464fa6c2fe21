/**
 * `# gyro_bias:` header comments (shared/recording/gyro-bias.ts): what the live gateway's orientation filters had
 * learned when a set's recording begins, for readers to start from. Exact round trip, plausibility, and that
 * `analyze`/`orient` honour it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commentFromText, gyroBiasComment, gyroBiasesFrom, parseRecordingText, RecordingWriter } from '../../shared/recording/index.ts';
import type { GyroBias } from '../../shared/recording/index.ts';
import { OrientationFilter } from '../../gateway/sensing/orientation/index.ts';
import { AthletePipeline } from '../../gateway/sensing/athlete-pipeline.ts';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { profileByName } from '../../firmware-sim/model/index.ts';
import { runCli } from '../support/cli.ts';

const BIAS: GyroBias = { radS: [0.0118, -0.01258, 3.1e-3], covariance: [2.74e-7, 1.2e-9, -3e-10, 2.8e-7, 4e-10, 6.16e-5] };

let dir: string | null = null;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gyro bias comments', () => {
  it('round-trip exactly, through a recording file too', () => {
    const comment = gyroBiasComment('S1', BIAS);
    expect(comment.text).toMatch(/^gyro_bias: sensor=S1 rad_s=\S+ cov=\S+$/);
    expect(gyroBiasesFrom([comment]).get('S1')).toEqual(BIAS);
    const text = `# squatmon-recording v1\n# sensor: id=S1 placement=sacrum\n# ${comment.text}\nt,sensor,ax,ay,az,gx,gy,gz\n0.0100,S1,0,9.8,0,0,0,0\n`;
    expect(gyroBiasesFrom(parseRecordingText(text).header.comments).get('S1')).toEqual(BIAS);
  });

  it('are advice: malformed or implausible ones are skipped when read, and refused when written', () => {
    const bad = [
      'gyro_bias: sensor=S1 rad_s=0.01,0.02 cov=1e-7,0,0,1e-7,0,1e-7',
      'gyro_bias: sensor=S1 rad_s=0.01,0.02,x cov=1e-7,0,0,1e-7,0,1e-7',
      'gyro_bias: sensor=S1 rad_s=0.9,0,0 cov=1e-7,0,0,1e-7,0,1e-7',
      'gyro_bias: sensor=S1 rad_s=0.01,0,0 cov=-1e-7,0,0,1e-7,0,1e-7',
      'gyro_bias: sensor=S1 rad_s=0.01,0,0',
      'gyro_bias: S1 0.01 0 0',
    ].map(commentFromText);
    expect(gyroBiasesFrom(bad).size).toBe(0);
    expect(() => gyroBiasComment('S1', { ...BIAS, radS: [Number.NaN, 0, 0] })).toThrow(RangeError);
    expect(() => gyroBiasComment('S1', { ...BIAS, radS: [1, 0, 0] })).toThrow(RangeError);
  });

  it('seed the orientation filter: its estimate starts as the comment says, and a pipeline passes it on', () => {
    const filter = new OrientationFilter();
    filter.seedGyroBias(BIAS);
    expect(filter.gyroBiasEstimate()).toEqual(BIAS);
    // A replayed recording's head start reaches the recordings the replay writes, even its first set's.
    const sensors = [{ id: 'S1', placement: 'sacrum' as const }, { id: 'S2', placement: 'thoracolumbar' as const }];
    const pipeline = new AthletePipeline({ sensors, gyroBias: new Map([['S1', BIAS]]), onEvent: () => {} });
    expect(pipeline.gyroBias('S1')).toEqual(BIAS);
    expect(pipeline.gyroBias('S2')).toBeNull();
  });

  it('are honoured by `orient` and `analyze` (their output changes with the comment)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'squatmon-gyro-bias-'));
    const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 5, reps: 3, sensors: 'both', rateHz: 100 });
    const write = async (name: string, comments: string[]) => {
      const path = join(dir!, name);
      const writer = await RecordingWriter.create(path, { sensors: sim.sensors, comments });
      for (const s of sim.samples) writer.write(s);
      await writer.close();
      return path;
    };
    const skewed: GyroBias = { radS: [0.05, -0.05, 0.05], covariance: [1e-9, 0, 0, 1e-9, 0, 1e-9] };
    const plain = await write('plain.csv', []);
    const seeded = await write('seeded.csv', sim.sensors.map((s) => gyroBiasComment(s.id, skewed).text));
    for (const command of [['orient'], ['analyze', '--jsonl']]) {
      const [a, b] = [await runCli([...command, plain]), await runCli([...command, seeded])];
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(b.stdout, command[0]).not.toBe(a.stdout);
    }
  });
});
