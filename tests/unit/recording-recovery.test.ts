import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recoverInterruptedRecordings } from '../../gateway/service/recording-recovery.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';

let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('recoverInterruptedRecordings', () => {
  it('gives a killed set its recording name back, and leaves finished and unrelated files alone', async () => {
    dir = await mkdtemp(join(tmpdir(), 'squatmon-recover-'));
    const session = join(dir, '20261129-100000-ana');
    await mkdir(session);
    await writeFile(join(session, '.set-2.csv.gz.4242.0a1b2c3d.tmp'), 'partial');
    await writeFile(join(session, 'set-1.csv.gz'), 'finished');
    await writeFile(join(session, '.set-1.csv.gz.77.deadbeef.tmp'), 'older attempt');
    await writeFile(join(session, 'notes.txt'), 'x');
    const logger = memoryLogger();
    const recovered = recoverInterruptedRecordings(dir, logger);
    expect(recovered).toEqual([join(session, 'set-2.csv.gz')]);
    expect(existsSync(join(session, 'set-2.csv.gz'))).toBe(true);
    // set-1 was finished: its stray temporary file does not replace it.
    expect((await readdir(session)).sort()).toEqual(['.set-1.csv.gz.77.deadbeef.tmp', 'notes.txt', 'set-1.csv.gz', 'set-2.csv.gz']);
    expect(logger.lines.some((l) => l.startsWith('warn') && l.includes('interrupted'))).toBe(true);
    expect(recoverInterruptedRecordings(join(dir, 'missing'), logger)).toEqual([]);
  });
});
