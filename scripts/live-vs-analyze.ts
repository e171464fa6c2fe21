/**
 * Live reps against `squatmon analyze` of each set's own recording, for a simulated session of several sets:
 *
 *   npx tsx scripts/live-vs-analyze.ts [--sets 3] [--speed 4] [--seed 1] [--profile neutral-wink] [--hogs 0]
 *
 * Runs `squatmon start --sim` (one athlete, two sensors, 200 Hz) as a child process until the history holds reps
 * of `--sets` + 1 sets, stops it, analyses every set's recording and prints each rep side by side with the largest
 * differences. `--hogs N` pins the gateway to core 0 with `taskset` and N busy processes on that core (a starved
 * CPU, as in tests/faults/cpu-starvation.test.ts). Prints numbers; asserts nothing. `KEEP=1` keeps the data folder
 * (recordings and history) and prints where it is.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzedReps, busyProcessOnCore0, largestDifference, repDifference } from './live-vs-analyze-support.ts';
import type { ComparedRep, RepDifference } from './live-vs-analyze-support.ts';

const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: '3' },
    speed: { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    profile: { type: 'string', default: 'neutral-wink' },
    hogs: { type: 'string', default: '0' },
  },
});
const sets = Number(values.sets);
const hogCount = Number(values.hogs);
const dir = mkdtempSync(join(tmpdir(), 'squatmon-live-vs-analyze-'));
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ sim: { athletes: 1, profiles: [values.profile], sensors: 'both', speed: Number(values.speed), seed: Number(values.seed) } }));
const port = 20_000 + (process.pid % 10_000);
const pinned = (args: string[]): [string, string[]] => (hogCount > 0 ? ['taskset', ['-c', '0', ...args]] : [args[0]!, args.slice(1)]);
const hogs = Array.from({ length: hogCount }, () => busyProcessOnCore0(900));
const [command, args] = pinned([process.execPath, 'bin/squatmon.js', 'start', '--sim', '--config', config, '--data-dir', join(dir, 'data'), '--http-port', String(port), '--mqtt-port', String(port + 1)]);
const gateway = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
gateway.stderr!.on('data', (d) => (log += d));

interface Rep extends ComparedRep {
  readonly set: number;
  readonly index: number;
}
const started = performance.now();
let live: Rep[] = [];
while (new Set(live.map((r) => r.set)).size <= sets) {
  await new Promise((r) => setTimeout(r, 1000));
  if (gateway.exitCode !== null || performance.now() - started > 900_000) {
    console.error(`the gateway stopped or took too long:\n${log.slice(-3000)}`);
    process.exit(1);
  }
  const response = await fetch(`http://127.0.0.1:${port}/api/reps?limit=1000`).catch(() => null);
  if (response?.ok) live = ((await response.json()) as { reps: Rep[] }).reps;
}
gateway.kill('SIGTERM');
await new Promise((resolve) => gateway.on('exit', resolve));
for (const hog of hogs) hog.kill('SIGKILL');
console.log(`${values.profile}, seed ${values.seed}, ×${values.speed}, ${hogCount} busy processes on the gateway's core: ${((performance.now() - started) / 1000).toFixed(0)} s`);

const recordings = join(dir, 'data', 'recordings');
const sessionDir = join(recordings, readdirSync(recordings)[0]!);
const all: RepDifference[] = [];
for (let set = 1; set <= sets; set++) {
  const analyzed = await analyzedReps(join(sessionDir, `set-${set}.csv.gz`));
  const reps = live.filter((r) => r.set === set).sort((a, b) => a.index - b.index);
  console.log(`set ${set}: ${reps.length} live reps, ${analyzed.length} from analyze`);
  const differences = reps.flatMap((rep, k) => {
    const a = analyzed[k];
    if (!a) {
      console.log(`  rep ${k + 1}: not found by analyze`);
      return [];
    }
    console.log(`  rep ${k + 1}: depth ${rep.depth_cm} / ${a.depth_cm} cm, wink ${rep.wink_deg} / ${a.wink_deg}°, flexion ${rep.lumbar_flexion_max_deg} / ${a.lumbar_flexion_max_deg}°, gap ${rep.gap_fraction} / ${a.gap_fraction}`);
    return [repDifference(rep, a)];
  });
  console.log(`  largest |live − analyze|: ${described(largestDifference(differences))}`);
  all.push(...differences);
}
console.log(`all sets: largest |live − analyze| ${described(largestDifference(all))}`);
if (process.env.KEEP) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });

function described(d: RepDifference): string {
  return `${d.depth.toFixed(1)} cm, wink ${d.wink.toFixed(1)}°, flexion ${d.flexion.toFixed(1)}°`;
}
