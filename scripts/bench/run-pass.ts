/**
 * A pass's own process: the bench forks one per pass so passes share no JIT state or heap (each pass's code is
 * optimised for its own work only, and its peak RSS is its own). It prepares the pass, then times one run per
 * `run` message, so the bench can interleave the passes' runs (see measurement.ts).
 */
import type { WorkerReply, WorkerRequest } from './measurement.ts';
import { passById } from './passes.ts';
import type { TimedRun } from './passes.ts';

let timedRun: TimedRun | null = null;

function reply(message: WorkerReply): void {
  process.send!(message);
}

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'prepare': {
      const baselineRssBytes = process.memoryUsage.rss();
      timedRun = await passById(request.pass).prepare(request.input);
      reply({ type: 'ready', baselineRssBytes });
      return;
    }
    case 'run': {
      if (timedRun === null) throw new Error('run before prepare');
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      const output = await timedRun();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const cpu = process.cpuUsage(cpuStart);
      reply({ type: 'ran', seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, ...output });
      return;
    }
    case 'finish':
      // ru_maxrss is in kilobytes on Linux.
      reply({ type: 'finished', peakRssBytes: process.resourceUsage().maxRSS * 1024 });
      process.disconnect();
      return;
  }
}

process.on('message', (request: WorkerRequest) => {
  handle(request).catch((error: unknown) => {
    reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.disconnect();
  });
});
