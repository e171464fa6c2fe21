/**
 * How fast the `squatmon` command answers, as a user starts it: `squatmon --help`, and `squatmon analyze` of a
 * 40-second two-sensor 200 Hz recording, each run as its own process (bin/squatmon.js) 10 times; the median is
 * reported. Both ways bin/squatmon.js can run are measured in the same run: the TypeScript sources through tsx
 * (SQUATMON_FROM_SOURCE=1, how every run went before the build existed) and the plain-JavaScript build.
 * Written as the "Command start-up" section of docs/PERFORMANCE.md by `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordingWriter } from '../../shared/recording/index.ts';
import { profileByName } from '../../firmware-sim/model/index.ts';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { buildCli } from '../build-cli.ts';
import { PERFORMANCE_PREAMBLE, writeDocSection } from '../doc-sections.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'squatmon.js');
export const STARTUP_HEADING = '## Command start-up';
const RUNS = 10;
const TARGET_HELP_S = 0.15;
const TARGET_ANALYZE_S = 0.3;

export interface StartupRow {
  readonly what: string;
  readonly mode: 'sources' | 'built';
  readonly medianS: number;
  readonly allS: readonly number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeRun(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`squatmon ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return seconds;
}

/** Writes the 40 s recording the analyze runs read; its sample count, for the report. */
async function writeStartupRecording(path: string): Promise<{ samples: number; durationS: number }> {
  const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 40, reps: 5, sensors: 'both', rateHz: 200 });
  const writer = await RecordingWriter.create(path, { sensors: sim.sensors });
  const end = 40;
  let samples = 0;
  for (const s of sim.samples) {
    if (s.t > end) break;
    samples++;
    if (!writer.write(s)) await writer.drain();
  }
  await writer.close();
  return { samples, durationS: Math.min(end, sim.samples.at(-1)!.t) };
}

export async function measureCommandStartup(tempDir: string): Promise<{ rows: StartupRow[]; recording: string }> {
  await buildCli();
  const file = join(tempDir, 'startup-40s.csv.gz');
  const rec = await writeStartupRecording(file);
  const cases = [
    { what: 'squatmon --help', args: ['--help'] },
    { what: `squatmon analyze (${rec.durationS.toFixed(0)} s, 2 sensors, 200 Hz, ${rec.samples} samples)`, args: ['analyze', file] },
  ];
  const modes = [
    { mode: 'sources' as const, env: { ...process.env, SQUATMON_FROM_SOURCE: '1' } },
    { mode: 'built' as const, env: { ...process.env, SQUATMON_FROM_SOURCE: '' } },
  ];
  const times = new Map<string, number[]>();
  // Interleaved, so that both ways meet the same load; one untimed run each first (disk cache, tsx's cache).
  for (const c of cases) for (const m of modes) timeRun(c.args, m.env);
  for (let run = 0; run < RUNS; run++) {
    for (const c of cases) {
      for (const m of modes) {
        const key = `${c.what}|${m.mode}`;
        times.set(key, [...(times.get(key) ?? []), timeRun(c.args, m.env)]);
      }
    }
  }
  const rows: StartupRow[] = [];
  for (const c of cases) {
    for (const m of modes) {
      const all = times.get(`${c.what}|${m.mode}`)!;
      rows.push({ what: c.what, mode: m.mode, medianS: median(all), allS: all });
    }
  }
  return { rows, recording: file };
}

function target(row: StartupRow): string {
  if (row.mode !== 'built') return '';
  const limit = row.what.startsWith('squatmon --help') ? TARGET_HELP_S : TARGET_ANALYZE_S;
  return `≤ ${limit} s: ${row.medianS <= limit ? 'met' : '**NOT met**'}`;
}

export function formatStartup(rows: readonly StartupRow[], date: Date, command: string): string {
  const bare = median(Array.from({ length: RUNS }, () => {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    return Number(process.hrtime.bigint() - start) / 1e9;
  }));
  return [
    STARTUP_HEADING,
    '',
    'Wall-clock time of the `squatmon` command as its own process, from start to exit; median of ' +
      `${RUNS} runs, interleaved. \`sources\`: the TypeScript sources through tsx (SQUATMON_FROM_SOURCE=1; every run ` +
      'went this way before the build); `built`: dist/cli/, built at `npm install` (scripts/build-cli.ts), each ' +
      "command's dependencies loaded only when it runs. Written by `npm run bench`; rerun it to update.",
    '',
    `- **Date:** ${date.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- **Command:** \`${command}\``,
    `- **A bare \`node -e 0\`** on this machine: ${bare.toFixed(3)} s (median of ${RUNS})`,
    '',
    '| Command | Runs from | Median, s | All runs, s | Target |',
    '|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.what} | ${r.mode} | ${r.medianS.toFixed(3)} | ${r.allS.map((s) => s.toFixed(2)).join(' ')} | ${target(r)} |`),
    '',
  ].join('\n');
}

export async function writeStartupSection(path: string, section: string): Promise<void> {
  await writeDocSection(path, STARTUP_HEADING, section, PERFORMANCE_PREAMBLE);
}
