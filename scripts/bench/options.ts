/** Command-line options of `npm run bench` (scripts/bench.ts). */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Timed runs per pass; the best is reported. */
  readonly runs: number;
  /** Keep the recording at this path (.csv; its .csv.gz twin is written next to it) instead of a temp folder. */
  readonly keep: string | null;
  /** Minimum length of the simulated recording, s. */
  readonly seconds: number;
  /** The Markdown file whose "Sensing core throughput" section is (re)written; null: print only. */
  readonly doc: string | null;
}

export const BENCH_USAGE = `Usage: npx tsx scripts/bench.ts [options]   (npm run bench)

Simulates a two-sensor 200 Hz recording, writes it as .csv and .csv.gz, times the sensing core's passes over it
against a parse + npm 'ahrs' Madgwick pass, prints the table and rewrites the "Sensing core throughput" section
of docs/PERFORMANCE.md.

Options:
  --runs N        timed runs per pass, best reported (default 5: on a 2-core machine single rounds of the
                  analyze ÷ Madgwick ratio range 1.2–1.8, and the best of 3 still moved by 0.15)
  --keep PATH     write the recording to PATH (.csv) and keep it (default: a temp folder, removed at the end)
  --seconds S     minimum recording length, s (default 1200: the 20-minute target)
  --doc PATH      Markdown file to update (default docs/PERFORMANCE.md)
  --no-doc        print only; leave the documentation alone
  --help          this text`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: 'string' },
      keep: { type: 'string' },
      seconds: { type: 'string' },
      doc: { type: 'string' },
      'no-doc': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const keep = values.keep ?? null;
  if (keep !== null && !keep.toLowerCase().endsWith('.csv')) throw new Error(`--keep needs a .csv path, got '${keep}'`);
  if (values['no-doc'] && values.doc !== undefined) throw new Error('give --doc or --no-doc, not both');
  return {
    runs: positiveInteger(values.runs, 'runs', 5),
    keep,
    seconds: positiveInteger(values.seconds, 'seconds', 1200),
    doc: values['no-doc'] ? null : (values.doc ?? 'docs/PERFORMANCE.md'),
  };
}

function positiveInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return value;
}
