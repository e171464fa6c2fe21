/**
 * A gateway killed mid-set (power cut, SIGKILL) leaves that set's recording as the writer's hidden temporary
 * file (`.set-N.csv.gz.<pid>.<random>.tmp`), never renamed. At start the gateway gives such files their final
 * name when nothing else took it: the set's samples up to the kill stay available (download, `squatmon
 * analyze`, which reads them and then reports the truncated end with its line number).
 */
import { readdirSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';

const ORPHAN = /^\.(.+)\.\d+\.[0-9a-f]+\.tmp$/;

/** Renames orphaned set recordings under `recordingsDir/<session>/`; returns the paths recovered. */
export function recoverInterruptedRecordings(recordingsDir: string, logger: Logger): string[] {
  const recovered: string[] = [];
  let sessions: string[];
  try {
    sessions = readdirSync(recordingsDir);
  } catch {
    return recovered;
  }
  for (const session of sessions) {
    let files: string[];
    try {
      files = readdirSync(join(recordingsDir, session));
    } catch {
      continue; // not a folder
    }
    for (const file of files) {
      const m = ORPHAN.exec(file);
      if (!m) continue;
      const target = join(recordingsDir, session, m[1]);
      if (existsSync(target)) continue;
      try {
        renameSync(join(recordingsDir, session, file), target);
        recovered.push(target);
      } catch (err) {
        logger.warn('could not recover an interrupted recording', { file, error: (err as Error).message });
      }
    }
  }
  if (recovered.length > 0) logger.warn('recovered recordings of sets interrupted by a crash (their end is cut off)', { files: recovered });
  return recovered;
}
