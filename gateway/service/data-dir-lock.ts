/**
 * One running gateway per data folder. Two gateways on one folder would both write its history and recordings,
 * and the second closed the first one's live sessions (their end and a summary of 0 reps) while reps still
 * came in. The first takes `squatmon.lock` (its process id, created exclusively); a second finds the lock held
 * by a live process and refuses to start. A lock left by a process that is gone (a crash, SIGKILL) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the data folder ${dataDir} is in use by another squatmon gateway (process ${pid}); stop it, or give this one its own folder (--data-dir)`);
  }
}

export interface DataDirLock {
  release(): void;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — still running.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data folder's lock, or throws DataDirInUseError when a running process holds it. */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = join(dataDir, 'squatmon.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) throw new DataDirInUseError(dataDir, pid);
      // Left by a process that is gone (or unreadable): take it over.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${path}: it keeps reappearing`);
}
