/**
 * `npm run bench`: throughput of the sensing core against a parse + npm `ahrs` Madgwick pass over the same
 * simulated 20-minute two-sensor 200 Hz recording, then the `squatmon` command's start-up (built and from the
 * sources); prints both tables and rewrites the "Sensing core throughput" and "Command start-up" sections of
 * docs/PERFORMANCE.md. A benchmark, not a test: it asserts nothing and exits 0 whether or not the
 * target is met. `--help` lists the options.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { writeBenchRecording } from './bench/bench-recording.ts';
import { measurePasses } from './bench/measurement.ts';
import { BENCH_USAGE, parseBenchOptions } from './bench/options.ts';
import type { BenchOptions } from './bench/options.ts';
import { BENCH_PASSES } from './bench/passes.ts';
import { describeMachine, formatConsoleReport, writeSection } from './bench/report.ts';
import { formatStartup, measureCommandStartup, writeStartupSection } from './bench/command-startup.ts';
import type { BenchReport } from './bench/report.ts';

/** The command as the user would retype it. */
function commandLine(argv: readonly string[]): string {
  const args = argv.map((a) => (/^[\w./:=@-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return args ? `npm run bench -- ${args}` : 'npm run bench';
  return `npx tsx scripts/bench.ts${args ? ` ${args}` : ''}`;
}

async function bench(options: BenchOptions, argv: readonly string[]): Promise<void> {
  const tempDir = options.keep === null ? await mkdtemp(join(os.tmpdir(), 'squatmon-bench-')) : null;
  try {
    const csvPath = options.keep !== null ? resolve(options.keep) : join(tempDir!, 'bench.csv');
    // The command's start-up first, before the heavy passes: measured right after them, `squatmon --help` took
    // 0.19 s; in a run of its own, minutes later, 0.13 s (a bare node 0.135 s and 0.110 s).
    process.stderr.write('bench: command start-up, built and from the sources, 10 runs each…\n');
    const startup = await measureCommandStartup(tempDir ?? dirname(csvPath));
    const startupSection = formatStartup(startup.rows, new Date(), commandLine(argv));
    process.stderr.write(`bench: simulating ≥ ${options.seconds} s, two sensors at 200 Hz…\n`);
    const recording = await writeBenchRecording(csvPath, options.seconds);
    process.stderr.write(
      `bench: ${recording.samples} samples, ${recording.durationS.toFixed(0)} s (simulated in ${recording.simulateS.toFixed(1)} s, ` +
        `written in ${recording.writeS.toFixed(1)} s) → ${recording.csvPath}\n`,
    );
    const input = { csvPath: recording.csvPath, gzPath: recording.gzPath, rateHz: recording.rateHz };
    const loadBefore = os.loadavg();
    process.stderr.write(`bench: ${BENCH_PASSES.length} passes × ${options.runs} interleaved runs…\n`);
    const measurements = await measurePasses(
      BENCH_PASSES.map((p) => p.id),
      input,
      options.runs,
      (round) => process.stderr.write(`bench: round ${round} of ${options.runs} done\n`),
    );
    const passes = BENCH_PASSES.map((pass, i) => {
      const measurement = measurements[i];
      if (measurement.samples !== recording.samples || !Number.isFinite(measurement.checksum)) {
        throw new Error(`pass ${pass.id} consumed ${measurement.samples} samples, checksum ${measurement.checksum}`);
      }
      return { pass, measurement };
    });
    const report: BenchReport = {
      date: new Date(),
      machine: describeMachine(),
      command: commandLine(argv),
      runs: options.runs,
      recording,
      passes,
      loadBefore,
      loadAfter: os.loadavg(),
    };
    process.stdout.write(`${formatConsoleReport(report)}\n`);
    process.stdout.write(`\n${startupSection}\n`);
    if (options.doc !== null) {
      const doc = resolve(options.doc);
      await writeSection(doc, report);
      await writeStartupSection(doc, startupSection);
      process.stderr.write(`bench: wrote ${doc}\n`);
    }
  } finally {
    if (tempDir !== null) await rm(tempDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let options;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${BENCH_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  await bench(options, argv);
  return 0;
}

process.exitCode = await main();
