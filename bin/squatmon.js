#!/usr/bin/env node
// Entry point of the `squatmon` command. It runs the built command (dist/cli/, plain JavaScript made by
// scripts/build-cli.ts at `npm install` and before `npm start`) when that build is up to date with every
// source it was made from, and the TypeScript sources through tsx's loader otherwise (a checkout being edited,
// or no build yet). SQUATMON_FROM_SOURCE=1 always takes the sources.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** True when dist/cli was built from exactly the files now on disk (same size and modification time). */
function builtCommandIsCurrent() {
  if (process.env.SQUATMON_FROM_SOURCE === '1') return false;
  try {
    const inputs = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'inputs.json'), 'utf8'));
    return inputs.every(([path, size, mtimeMs]) => {
      const now = statSync(join(root, path));
      // Within a millisecond: a timestamp restored or copied (through a Date, in seconds) keeps no more.
      return now.size === size && Math.abs(now.mtimeMs - mtimeMs) < 1;
    });
  } catch {
    return false; // not built, or a source is gone: the sources decide
  }
}

// A closed pipe (`squatmon orient rec.csv | head`) ends the command quietly, as for any Unix tool.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
let main;
if (builtCommandIsCurrent()) {
  process.env.SQUATMON_RUNS_FROM = 'built command';
  ({ main } = await import('../dist/cli/main.js'));
} else {
  process.env.SQUATMON_RUNS_FROM = 'TypeScript sources';
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../gateway/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
