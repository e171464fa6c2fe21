/**
 * What scripts/live-vs-analyze.ts and tests/faults/cpu-starvation.test.ts share: a busy process that starves the
 * gateway's core, the reps `squatmon analyze` gives for a recording, and how far a live rep is from its
 * analysed twin.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

/** A busy process pinned to core 0 with `taskset`; it ends by itself after `seconds` even if its parent dies. */
export function busyProcessOnCore0(seconds: number): ChildProcess {
  const loop = `const end = Date.now() + ${Math.round(seconds * 1000)}; while (Date.now() < end) {}`;
  return spawn('taskset', ['-c', '0', process.execPath, '-e', loop], { stdio: 'ignore' });
}

/** The rep fields compared (a live rep from the history, or a rep line of `analyze --jsonl`). */
export interface ComparedRep {
  readonly depth_cm: number;
  readonly wink_deg: number;
  readonly lumbar_flexion_max_deg: number | null;
  readonly gap_fraction: number;
}

/** The rep lines of `squatmon analyze FILE --jsonl` (rejects when the command fails). */
export async function analyzedReps(file: string): Promise<ComparedRep[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/squatmon.js', 'analyze', file, '--jsonl'], { maxBuffer: 64 << 20 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ComparedRep & { type: string })
    .filter((line) => line.type === 'rep');
}

export interface RepDifference {
  readonly depth: number;
  readonly wink: number;
  readonly flexion: number;
}

export function repDifference(live: ComparedRep, analyzed: ComparedRep): RepDifference {
  return {
    depth: Math.abs(live.depth_cm - analyzed.depth_cm),
    wink: Math.abs(live.wink_deg - analyzed.wink_deg),
    flexion: Math.abs((live.lumbar_flexion_max_deg ?? 0) - (analyzed.lumbar_flexion_max_deg ?? 0)),
  };
}

/** The largest difference of each kind. */
export function largestDifference(differences: readonly RepDifference[]): RepDifference {
  return {
    depth: Math.max(0, ...differences.map((d) => d.depth)),
    wink: Math.max(0, ...differences.map((d) => d.wink)),
    flexion: Math.max(0, ...differences.map((d) => d.flexion)),
  };
}
