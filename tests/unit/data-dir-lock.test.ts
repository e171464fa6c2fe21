import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../gateway/service/data-dir-lock.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'squatmon-lock-'));
  dirs.push(d);
  return d;
}

describe('data folder lock', () => {
  it('is refused while another running process holds it, and taken over from one that is gone', async () => {
    const dir = folder();
    const lockFile = join(dir, 'squatmon.lock');
    // Held by a live process.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      writeFileSync(lockFile, `${other.pid}\n`);
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(readFileSync(lockFile, 'utf8')).toBe(`${other.pid}\n`);
    } finally {
      other.kill('SIGKILL');
    }
    // Left by a process that has exited: taken over.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lockFile, `${gone}\n`);
    const lock = lockDataDir(dir);
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(lockFile)).toBe(false);
    // Garbage in the lock file is no owner either.
    writeFileSync(lockFile, 'not a pid');
    lockDataDir(dir).release();
  });
});
