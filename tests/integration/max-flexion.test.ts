/**
 * The lifter's maximum lumbar flexion test (calibration wizard): recorded as an event, measured for 10 s, and
 * later reps report their flexion as a percentage of it — live and in `squatmon analyze` alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { profileByName } from '../../firmware-sim/model/index.ts';
import { RecordingWriter, eventComment } from '../../shared/recording/index.ts';
import { runCli } from '../support/cli.ts';

let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('maximum lumbar flexion test', () => {
  it('turns later reps flexion into a percentage of the tested maximum', async () => {
    dir = await mkdtemp(join(tmpdir(), 'squatmon-maxflex-'));
    const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 3, reps: 4, sensors: 'both', rateHz: 100 });
    // The "test": the lifter's first squat, bent as far as they go (a 4 s window that covers rep 1 only).
    const testAt = sim.truth.reps[0].t_start - 0.5;
    expect(testAt + 4).toBeLessThan(sim.truth.reps[1].t_start);
    const path = join(dir, 'set.csv.gz');
    const writer = await RecordingWriter.create(path, { sensors: sim.sensors, comments: [eventComment({ t: testAt, name: 'calibration_max_flexion', attributes: { duration_s: '4' } })] });
    for (const s of sim.samples) writer.write(s);
    await writer.close();

    const lines = (await runCli(['analyze', path, '--jsonl'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const reps = lines.filter((l) => l.type === 'rep');
    const session = lines[lines.length - 1];
    expect(reps).toHaveLength(4);
    // Rep 1 ends while the test still runs: no percentage yet. The others: close to 100 % of rep 1's flexion.
    expect(reps[0].lumbar_flexion_pct_of_max).toBeNull();
    const maxDeg = session.max_lumbar_flexion_deg as number;
    expect(Math.abs(maxDeg - reps[0].lumbar_flexion_max_deg)).toBeLessThan(3);
    for (const rep of reps.slice(1)) {
      expect(rep.lumbar_flexion_pct_of_max).toBe(Math.round((rep.lumbar_flexion_max_deg / maxDeg) * 100));
      expect(rep.lumbar_flexion_pct_of_max).toBeGreaterThan(85);
      expect(rep.lumbar_flexion_pct_of_max).toBeLessThan(115);
    }

    // Without the event: no test, no percentages.
    const plain = join(dir, 'plain.csv.gz');
    const w2 = await RecordingWriter.create(plain, { sensors: sim.sensors });
    for (const s of sim.samples) w2.write(s);
    await w2.close();
    const plainLines = (await runCli(['analyze', plain, '--jsonl'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(plainLines.filter((l) => l.type === 'rep').every((r) => r.lumbar_flexion_pct_of_max === null)).toBe(true);
    expect(plainLines[plainLines.length - 1].max_lumbar_flexion_deg).toBeNull();
  });
});
