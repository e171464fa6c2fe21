/**
 * Fault: the gateway on a starved CPU (a small computer by the rack, busy with something else). `squatmon start
 * --sim` runs as a child process pinned with `taskset` to one core, sharing it with two busy processes, so it
 * gets about a third of a core; notifications then reach it late and in bursts. Two simulated athletes
 * (neutral-wink, posterior), three sets each in one session, at three times real time.
 *
 * What must hold, per set: every live rep equals `squatmon analyze` of that set's own recording within 0.5 cm
 * and 0.5° (depth, wink, lumbar flexion), none has a hole (`gap_fraction` 0, so none is flagged uncertain), and
 * the recorded samples keep their sensor's spacing (no sample closer to the one before than the clock mapper's
 * catch-up bound, MIN_SPACING_RATIO = 80 % of the sensor's period) — the samples are on the sensor's clock,
 * however late they came.
 *
 * FOUND AND FIXED: a busy start-up delivers the first notifications late; when the offset estimate then fell to
 * the true latency, the clock mapper squeezed the following samples to half their spacing until it caught up,
 * which shrinks a displacement over that time to a quarter (the 15.3 cm first rep of a 45 cm lifter). The
 * squeeze is now bounded to 20 % (clock-mapper.ts MIN_SPACING_RATIO; tests/unit/ingest-timebase.test.ts). With the
 * old bound this test fails: spacing down to 2.5 ms at 200 Hz.
 *
 * Also needed for "live equals analyze": the first set's recording starts at the session's first sample (the
 * live pipeline started there), and every later set's recording says what the live orientation filters had
 * learned when it begins (`# gyro_bias:`), which `analyze` starts from. Without that, later sets differed from
 * `analyze` of their own recording by up to 1 cm and 1.5° over their first reps, loaded or not.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredRep } from '../../gateway/store/history-store.ts';
import { gyroBiasesFrom, readRecording } from '../../shared/recording/index.ts';
import { MIN_SPACING_RATIO } from '../../gateway/ingest/clock-mapper.ts';
import { analyzedReps, busyProcessOnCore0, largestDifference, repDifference } from '../../scripts/live-vs-analyze-support.ts';
import { freePort } from '../support/net.ts';
import { waitFor } from './fault-support.ts';

const TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (!TASKSET) console.warn('cpu-starvation: skipped: taskset (util-linux) cannot pin a process to core 0 here');

const PROFILES = ['neutral-wink', 'posterior'];
const SETS = 3;
/** Live reps of the last set needed before the gateway is stopped (the earlier sets are complete by then). */
const LAST_SET_REPS = 3;
const RATE_HZ = 200;

const processes: ChildProcess[] = [];
let workDir: string | null = null;
afterAll(async () => {
  for (const p of processes) p.kill('SIGKILL');
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A busy process on core 0 that ends by itself after `seconds` even if the test is killed. */
function hog(seconds: number): ChildProcess {
  const child = busyProcessOnCore0(seconds);
  processes.push(child);
  return child;
}

describe.skipIf(!TASKSET)('the gateway sharing one core with busy processes', () => {
  it('gives every live rep as `analyze` of its recording, without holes, on the sensor clock', async () => {
    workDir = await mkdtemp(join(tmpdir(), 'squatmon-starved-'));
    const dataDir = join(workDir, 'data');
    const config = join(workDir, 'config.json');
    // Rests of 50 s (the gateway closes a set after 45 s without a rep): three sets in about a minute of wall time.
    await writeFile(config, JSON.stringify({ sim: { athletes: PROFILES.length, profiles: PROFILES, sensors: 'both', rateHz: RATE_HZ, speed: 3, seed: 11, restS: 50 } }));
    const httpPort = await freePort();
    const hogs = [hog(300), hog(300)];
    const gateway = spawn('taskset', ['-c', '0', process.execPath, 'bin/squatmon.js', 'start', '--sim', '--config', config, '--data-dir', dataDir,
      '--http-port', String(httpPort), '--mqtt-port', String(await freePort())], { stdio: ['ignore', 'pipe', 'pipe'] });
    processes.push(gateway);
    let output = '';
    gateway.stdout!.on('data', (d) => (output += d));
    gateway.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => gateway.on('exit', (code) => resolve(code)));

    let live: StoredRep[] = [];
    await waitFor(() => output.includes('dashboard:') || gateway.exitCode !== null, 'the start banner', 60_000);
    const lastSetDone = () => new Set(live.map((r) => r.athlete)).size === PROFILES.length &&
      [...new Set(live.map((r) => r.athlete))].every((a) => live.filter((r) => r.athlete === a && r.set === SETS).length >= LAST_SET_REPS);
    const deadline = performance.now() + 240_000;
    while (!lastSetDone()) {
      if (performance.now() > deadline || gateway.exitCode !== null) throw new Error(`no ${SETS} sets of live reps:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
      const response = await fetch(`http://127.0.0.1:${httpPort}/api/reps?limit=1000`).catch(() => null);
      if (response?.ok) live = ((await response.json()) as { reps: StoredRep[] }).reps;
    }
    gateway.kill('SIGTERM');
    expect(await exited, output.slice(-3000)).toBe(0);
    for (const h of hogs) h.kill('SIGKILL');

    const summary: string[] = [];
    for (const session of await readdir(join(dataDir, 'recordings'))) {
      for (let set = 1; set <= SETS; set++) {
        const file = join(dataDir, 'recordings', session, `set-${set}.csv.gz`);
        const analyzed = await analyzedReps(file);
        const reps = live.filter((r) => r.session === session && r.set === set).sort((a, b) => a.index - b.index);
        const where = `${session} set ${set}`;
        expect(reps.length, `${where}: live reps`).toBeGreaterThan(0);
        expect(analyzed.length, `${where}: reps of analyze`).toBeGreaterThanOrEqual(reps.length);
        const differences = reps.map((rep, i) => {
          const a = analyzed[i]!;
          const d = repDifference(rep, a);
          const what = `${where} rep ${i + 1}: live ${rep.depth_cm} cm ${rep.wink_deg}° ${rep.lumbar_flexion_max_deg}°, analyze ${a.depth_cm} cm ${a.wink_deg}° ${a.lumbar_flexion_max_deg}°`;
          expect(d.depth, what).toBeLessThanOrEqual(0.5 + 1e-9);
          expect(d.wink, what).toBeLessThanOrEqual(0.5 + 1e-9);
          expect(d.flexion, what).toBeLessThanOrEqual(0.5 + 1e-9);
          expect(rep.gap_fraction, what).toBe(0);
          expect(a.gap_fraction, what).toBe(0);
          return d;
        });
        const worst = largestDifference(differences);

        // The recorded samples keep their sensor's spacing (times are stored to 0.1 ms).
        const { header, samples } = await readRecording(file);
        // Later sets say what the live filters had learned (set 1 starts with the session: nothing learned yet).
        expect([...gyroBiasesFrom(header.comments).keys()].sort(), `${where}: # gyro_bias: lines`).toEqual(set === 1 ? [] : header.sensors.map((x) => x.id).sort());
        const last = new Map<string, number>();
        let narrowest = Infinity;
        let widest = 0;
        for (const s of samples) {
          const before = last.get(s.sensor);
          if (before !== undefined) {
            narrowest = Math.min(narrowest, s.t - before);
            widest = Math.max(widest, s.t - before);
          }
          last.set(s.sensor, s.t);
        }
        const period = 1 / RATE_HZ;
        expect(narrowest, `${where}: narrowest sample spacing`).toBeGreaterThanOrEqual(MIN_SPACING_RATIO * period - 1.1e-4);
        expect(widest, `${where}: widest sample spacing`).toBeLessThanOrEqual(1.05 * period + 1.1e-4);
        summary.push(
          `${where}: ${reps.length} live reps (${reps.map((r) => r.depth_cm).join(', ')} cm); worst |live − analyze| ` +
            `${worst.depth.toFixed(1)} cm, wink ${worst.wink.toFixed(1)}°, flexion ${worst.flexion.toFixed(1)}°; spacing ${(narrowest * 1000).toFixed(1)}–${(widest * 1000).toFixed(1)} ms`,
        );
      }
    }
    expect(summary).toHaveLength(PROFILES.length * SETS);
    console.info(`cpu starvation (taskset -c 0 with two busy processes):\n  ${summary.join('\n  ')}`);
  }, 420_000);
});
