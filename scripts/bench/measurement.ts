/**
 * Runs the passes, each in its own process, and collects their timings.
 *
 * The machine may be shared (2 cores, other jobs), so load changes during a benchmark. The runs are therefore
 * interleaved: round r times run r of every pass, in an order rotated each round, so all passes sample the
 * same stretches of load and the best-of-N times stay comparable with each other.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PassId, PassInput, PassOutput } from './passes.ts';

export type WorkerRequest =
  | { readonly type: 'prepare'; readonly pass: PassId; readonly input: PassInput }
  | { readonly type: 'run' }
  | { readonly type: 'finish' };

export type WorkerReply =
  | { readonly type: 'ready'; readonly baselineRssBytes: number }
  | ({ readonly type: 'ran'; readonly seconds: number; readonly cpuSeconds: number } & PassOutput)
  | { readonly type: 'finished'; readonly peakRssBytes: number }
  | { readonly type: 'failed'; readonly message: string };

export interface PassMeasurement {
  readonly id: PassId;
  /** Wall-clock time of each timed run, s, in run order. */
  readonly secondsPerRun: number[];
  /**
   * CPU time (user + system, all threads of the process) of each run, s. Less sensitive than wall clock to
   * other jobs on the machine; above wall clock when the GC's helper threads work in parallel.
   */
  readonly cpuSecondsPerRun: number[];
  /** Samples the last run consumed. */
  readonly samples: number;
  /** The last run's checksum (see PassOutput). */
  readonly checksum: number;
  /** RSS of the pass's process before preparing the pass (runtime + loaded code), bytes. */
  readonly baselineRssBytes: number;
  /** Peak RSS of the pass's process over preparation and all runs, bytes. */
  readonly peakRssBytes: number;
}

export function bestSeconds(m: PassMeasurement): number {
  return Math.min(...m.secondsPerRun);
}

export function bestCpuSeconds(m: PassMeasurement): number {
  return Math.min(...m.cpuSecondsPerRun);
}

const WORKER_SCRIPT = fileURLToPath(new URL('./run-pass.ts', import.meta.url));
/** `--import tsx` is resolved from the working directory: the repository root, whose node_modules has tsx. */
const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One pass's process, driven by request/reply messages. */
class PassWorker {
  readonly id: PassId;
  private readonly child: ChildProcess;
  private waiting: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | null = null;

  constructor(id: PassId) {
    this.id = id;
    this.child = fork(WORKER_SCRIPT, [], { cwd: REPOSITORY_ROOT, execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    this.child.on('message', (message: WorkerReply) => {
      const waiting = this.waiting;
      this.waiting = null;
      if (message.type === 'failed') waiting?.reject(new Error(`pass ${id} failed: ${message.message}`));
      else waiting?.resolve(message);
    });
    this.child.on('exit', (code) => {
      this.waiting?.reject(new Error(`pass ${id}: its process exited (code ${code}) while a reply was due`));
      this.waiting = null;
    });
  }

  request<T extends WorkerReply['type']>(request: WorkerRequest, expected: T): Promise<Extract<WorkerReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.waiting = {
        resolve: (reply) =>
          reply.type === expected
            ? resolve(reply as Extract<WorkerReply, { type: T }>)
            : reject(new Error(`pass ${this.id}: expected '${expected}', got '${reply.type}'`)),
        reject,
      };
      this.child.send(request);
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/**
 * Prepares every pass in its own process, then times `runs` interleaved rounds. `progress` is told each
 * finished round.
 */
export async function measurePasses(
  ids: readonly PassId[],
  input: PassInput,
  runs: number,
  progress: (round: number) => void,
): Promise<PassMeasurement[]> {
  const workers = ids.map((id) => new PassWorker(id));
  try {
    // One at a time: preparing (module loading, reading the file into memory) is itself CPU work.
    const baselines: number[] = [];
    for (const worker of workers) baselines.push((await worker.request({ type: 'prepare', pass: worker.id, input }, 'ready')).baselineRssBytes);
    const seconds = ids.map((): number[] => []);
    const cpuSeconds = ids.map((): number[] => []);
    const outputs: PassOutput[] = ids.map(() => ({ samples: 0, checksum: 0 }));
    for (let round = 0; round < runs; round++) {
      for (let k = 0; k < workers.length; k++) {
        const i = (k + round) % workers.length;
        const ran = await workers[i].request({ type: 'run' }, 'ran');
        seconds[i].push(ran.seconds);
        cpuSeconds[i].push(ran.cpuSeconds);
        outputs[i] = { samples: ran.samples, checksum: ran.checksum };
      }
      progress(round + 1);
    }
    const measurements: PassMeasurement[] = [];
    for (const [i, worker] of workers.entries()) {
      const { peakRssBytes } = await worker.request({ type: 'finish' }, 'finished');
      measurements.push({ id: worker.id, secondsPerRun: seconds[i], cpuSecondsPerRun: cpuSeconds[i], ...outputs[i], baselineRssBytes: baselines[i], peakRssBytes });
    }
    return measurements;
  } finally {
    for (const worker of workers) worker.kill();
  }
}
