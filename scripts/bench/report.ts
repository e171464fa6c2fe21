/**
 * The benchmark's results as a plain-text table (stdout) and as the "Sensing core throughput" section of
 * docs/PERFORMANCE.md. The document may hold other sections (gateway latency, soak…): only this one is replaced.
 */
import { PERFORMANCE_PREAMBLE, writeDocSection } from '../doc-sections.ts';
import os from 'node:os';
import type { BenchRecording } from './bench-recording.ts';
import { BENCH_LOSS_RATE, BENCH_PROFILE, BENCH_SEED } from './bench-recording.ts';
import type { PassMeasurement } from './measurement.ts';
import { bestCpuSeconds, bestSeconds } from './measurement.ts';
import type { BenchPass, PassId } from './passes.ts';
import { REFERENCE_PASS, TARGET_PASS, TARGET_RATIO } from './passes.ts';

export const SECTION_HEADING = '## Sensing core throughput';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly os: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export interface BenchReport {
  readonly date: Date;
  readonly machine: Machine;
  readonly command: string;
  readonly runs: number;
  readonly recording: BenchRecording;
  readonly passes: readonly { readonly pass: BenchPass; readonly measurement: PassMeasurement }[];
  /** os.loadavg() before the first pass and after the last. */
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
}

interface Row {
  readonly id: PassId;
  readonly label: string;
  readonly includes: string;
  readonly seconds: number;
  readonly allSeconds: readonly number[];
  readonly samplesPerSecond: number;
  readonly timesReference: number;
  readonly cpuSeconds: number;
  readonly cpuTimesReference: number;
  readonly peakRssMb: number;
}

function rows(report: BenchReport): Row[] {
  const reference = report.passes.find((p) => p.pass.id === REFERENCE_PASS);
  if (reference === undefined) throw new Error(`the reference pass '${REFERENCE_PASS}' was not run`);
  const referenceSeconds = bestSeconds(reference.measurement);
  const referenceCpuSeconds = bestCpuSeconds(reference.measurement);
  return report.passes.map(({ pass, measurement }) => {
    const seconds = bestSeconds(measurement);
    return {
      id: pass.id,
      label: pass.label,
      includes: pass.includes,
      seconds,
      allSeconds: measurement.secondsPerRun,
      samplesPerSecond: measurement.samples / seconds,
      timesReference: seconds / referenceSeconds,
      cpuSeconds: bestCpuSeconds(measurement),
      cpuTimesReference: bestCpuSeconds(measurement) / referenceCpuSeconds,
      peakRssMb: measurement.peakRssBytes / 2 ** 20,
    };
  });
}

export interface TargetVerdict {
  readonly ratio: number;
  readonly met: boolean;
  /** The same ratio in CPU time. */
  readonly cpuRatio: number;
}

export function targetVerdict(report: BenchReport): TargetVerdict {
  const row = rows(report).find((r) => r.id === TARGET_PASS);
  if (row === undefined) throw new Error(`the target pass '${TARGET_PASS}' was not run`);
  return { ratio: row.timesReference, met: row.timesReference <= TARGET_RATIO, cpuRatio: row.cpuTimesReference };
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');
const loads = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' / ');

function describeRecording(r: BenchRecording): string {
  const sensors = r.sensors.map((s) => `${s.id} ${s.placement}`).join(', ');
  const lost = ((100 * r.framesLost) / r.framesSent).toFixed(1);
  return (
    `${r.durationS.toFixed(0)} s (${(r.durationS / 60).toFixed(1)} min), ${r.sensors.length} sensors (${sensors}) at ` +
    `${r.rateHz} Hz, ${thousands(r.samples)} samples, ${r.reps} reps; .csv ${mb(r.csvBytes)}, .csv.gz ${mb(r.gzBytes)}; ` +
    `simulated (profile ${BENCH_PROFILE}, seed ${BENCH_SEED}, ${BENCH_LOSS_RATE * 100} % burst loss: ${lost} % of frames lost)`
  );
}

/** The analyze passes' checksum is the session's rep count: a sanity check that the pipeline did its work. */
function repsText(report: BenchReport): string {
  const found = report.passes.find((p) => p.pass.id === TARGET_PASS)?.measurement.checksum;
  return `the pipeline counted ${found} reps of the ${report.recording.reps} simulated`;
}

/** Target pass ÷ reference pass within each round: less sensitive to load changes between rounds. */
function pairedRatios(report: BenchReport): string {
  const runsOf = (id: PassId): readonly number[] => report.passes.find((p) => p.pass.id === id)!.measurement.secondsPerRun;
  const reference = runsOf(REFERENCE_PASS);
  return runsOf(TARGET_PASS)
    .map((s, i) => (s / reference[i]).toFixed(2))
    .join(', ');
}

function verdictText(report: BenchReport): string {
  const { ratio, met, cpuRatio } = targetVerdict(report);
  return (
    `${ratio.toFixed(2)} × the parse + Madgwick pass in wall-clock time (target ≤ ${TARGET_RATIO.toFixed(1)} ×): ` +
    `${met ? 'met' : 'NOT met'}; in CPU time ${cpuRatio.toFixed(2)} ×`
  );
}

export function formatConsoleReport(report: BenchReport): string {
  const table = rows(report);
  const header = ['pass', 'best s', 'samples/s', '× Madgwick', 'CPU s', 'CPU ×', 'peak RSS', 'runs (s)'];
  const body = table.map((r) => [
    r.label,
    r.seconds.toFixed(3),
    thousands(r.samplesPerSecond),
    r.timesReference.toFixed(2),
    r.cpuSeconds.toFixed(3),
    r.cpuTimesReference.toFixed(2),
    `${r.peakRssMb.toFixed(0)} MB`,
    r.allSeconds.map((s) => s.toFixed(3)).join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `recording: ${describeRecording(report.recording)}`,
    `machine: ${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}; ` +
      `load average ${loads(report.loadBefore)} before, ${loads(report.loadAfter)} after (1/5/15 min)`,
    '',
    line(header),
    ...body.map(line),
    '',
    `full analyze: ${verdictText(report)}; ${repsText(report)}`,
    `full analyze ÷ Madgwick pass, per round: ${pairedRatios(report)}`,
  ].join('\n');
}

export function formatSection(report: BenchReport): string {
  const { machine, recording } = report;
  const table = rows(report);
  const lines = [
    SECTION_HEADING,
    '',
    `Speed of the sensing core on a 20-minute two-sensor 200 Hz recording, side by side in the same run with a parse +`,
    `npm \`ahrs\` Madgwick pass over the same file. Written by \`npm run bench\` (scripts/bench.ts); rerun it to update.`,
    '',
    `- **Date:** ${report.date.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- **Machine:** ${machine.cpu}, ${machine.cores} cores, ${machine.os}, Node ${machine.node}`,
    `- **Load average** (1/5/15 min): ${loads(report.loadBefore)} before the passes, ${loads(report.loadAfter)} after` +
      ` (other jobs may share the machine; on ${machine.cores} cores a load near ${machine.cores} means contention)`,
    `- **Command:** \`${report.command}\``,
    `- **Recording:** ${describeRecording(recording)}`,
    '',
    `| Pass | Best of ${report.runs}, s | Samples/s | × Madgwick pass | CPU s | CPU × Madgwick | Peak RSS |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...table.map(
      (r) =>
        `| ${r.label} | ${r.seconds.toFixed(3)} | ${thousands(r.samplesPerSecond)} | ${r.timesReference.toFixed(2)} | ` +
        `${r.cpuSeconds.toFixed(3)} | ${r.cpuTimesReference.toFixed(2)} | ${r.peakRssMb.toFixed(0)} MB |`,
    ),
    '',
    `**Target:** full analyze of the recording in at most ${TARGET_RATIO} × the time of the parse + Madgwick pass. ` +
      `Measured: ${verdictText(report)} (${repsText(report)}).`,
    '',
    '### Method',
    '',
    `- Every pass runs in its own Node process (tsx loader), so passes share no JIT state or heap. Each pass is ` +
      `prepared once (untimed: loading modules; for the in-memory passes, reading the samples), then timed ` +
      `${report.runs} times with \`process.hrtime.bigint()\` (wall clock); the best run is reported. The runs are ` +
      `interleaved: round r times run r of every pass (order rotated each round), so every pass sees the same ` +
      `stretches of machine load. There is no separate warm-up: the first run carries the JIT warm-up, so ` +
      `best-of-N with N ≥ 2 reports the warmed-up speed. Samples/s = samples in the file ÷ best time.`,
    `- Target ratio per round (same round, so same load): ${pairedRatios(report)}.`,
    `- CPU s: best user + system CPU time of the pass's process during a run (all its threads, so the GC's ` +
      `helper threads count). It is less disturbed by other jobs than wall clock; on an idle machine the two agree ` +
      `within the GC's parallel work.`,
    `- The recording is written just before the passes, so it is read from the page cache: the passes measure CPU, ` +
      `not the disk. File passes are timed from opening the file to the last sample.`,
    `- The fusion passes read the quaternion after every sample (as a consumer of orientation would) and fold it ` +
      `into a checksum, so no work is optimised away; the analyze passes collect the pipeline's events and check ` +
      `the session summary's rep count.`,
    `- Peak RSS is the pass process's ru_maxrss over preparation and all runs; it includes the runtime and the ` +
      `loaded code (about ${baselineMb(report)} MB before the pass starts) and, for the in-memory passes, the samples held in memory.`,
    '',
    'What each pass includes:',
    '',
    ...table.map((r) => `- **${r.label}:** ${r.includes}.`),
    '',
  ];
  return lines.join('\n');
}

function baselineMb(report: BenchReport): string {
  const values = report.passes.map((p) => p.measurement.baselineRssBytes / 2 ** 20);
  return Math.round(values.reduce((a, b) => a + b, 0) / values.length).toString();
}

/** Rewrites this benchmark's section in `path` (created if missing). */
export async function writeSection(path: string, report: BenchReport): Promise<void> {
  await writeDocSection(path, SECTION_HEADING, formatSection(report), PERFORMANCE_PREAMBLE);
}
