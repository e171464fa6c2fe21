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
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

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
const hogs = Array.from({ length: hogCount }, () => spawn('taskset', ['-c', '0', process.execPath, '-e', 'const end = Date.now() + 900000; while (Date.now() < end) {}'], { stdio: 'ignore' }));
const [command, args] = pinned([process.execPath, 'bin/squatmon.js', 'start', '--sim', '--config', config, '--data-dir', join(dir, 'data'), '--http-port', String(port), '--mqtt-port', String(port + 1)]);
const gateway = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
gateway.stderr!.on('data', (d) => (log += d));

interface Rep {
  readonly set?: number;
  readonly index?: number;
  readonly depth_cm: number;
  readonly wink_deg: number;
  readonly lumbar_flexion_max_deg: number | null;
  readonly gap_fraction: number;
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
const worst = { depth: 0, wink: 0, flexion: 0 };
for (let set = 1; set <= sets; set++) {
  const out = execFileSync(process.execPath, ['bin/squatmon.js', 'analyze', join(sessionDir, `set-${set}.csv.gz`), '--jsonl'], { encoding: 'utf8' });
  const analyzed = out.trim().split('\n').map((l) => JSON.parse(l) as Rep & { type: string }).filter((l) => l.type === 'rep');
  const reps = live.filter((r) => r.set === set).sort((a, b) => a.index! - b.index!);
  const setWorst = { depth: 0, wink: 0, flexion: 0 };
  console.log(`set ${set}: ${reps.length} live reps, ${analyzed.length} from analyze`);
  reps.forEach((rep, k) => {
    const a = analyzed[k];
    if (!a) return console.log(`  rep ${k + 1}: not found by analyze`);
    setWorst.depth = Math.max(setWorst.depth, Math.abs(rep.depth_cm - a.depth_cm));
    setWorst.wink = Math.max(setWorst.wink, Math.abs(rep.wink_deg - a.wink_deg));
    setWorst.flexion = Math.max(setWorst.flexion, Math.abs((rep.lumbar_flexion_max_deg ?? 0) - (a.lumbar_flexion_max_deg ?? 0)));
    console.log(`  rep ${k + 1}: depth ${rep.depth_cm} / ${a.depth_cm} cm, wink ${rep.wink_deg} / ${a.wink_deg}°, flexion ${rep.lumbar_flexion_max_deg} / ${a.lumbar_flexion_max_deg}°, gap ${rep.gap_fraction} / ${a.gap_fraction}`);
  });
  console.log(`  largest |live − analyze|: ${setWorst.depth.toFixed(1)} cm, wink ${setWorst.wink.toFixed(1)}°, flexion ${setWorst.flexion.toFixed(1)}°`);
  worst.depth = Math.max(worst.depth, setWorst.depth);
  worst.wink = Math.max(worst.wink, setWorst.wink);
  worst.flexion = Math.max(worst.flexion, setWorst.flexion);
}
console.log(`all sets: largest |live − analyze| ${worst.depth.toFixed(1)} cm, wink ${worst.wink.toFixed(1)}°, flexion ${worst.flexion.toFixed(1)}°`);
if (process.env.KEEP) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
