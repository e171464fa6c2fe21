/**
 * The `squatmon` command as users run it: bin/squatmon.js runs the plain-JavaScript build (dist/cli/, built by
 * tests/global-setup.ts as `npm install` builds it) while it matches the sources, and the sources through tsx
 * otherwise. Both give the same output; a source changed after the build is never shadowed by the build.
 * (How fast each starts is a benchmark's business: `npm run bench` prints it.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'squatmon.js');
let dir: string;
let recording: string;

function squatmon(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'squatmon-built-'));
  recording = join(dir, 'set.csv.gz');
  expect(squatmon(['sim', '--reps', '3', '--seed', '5', '--rate', '200', '--out', recording]).code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built squatmon command', () => {
  it('runs the build while it is current, and says so', () => {
    expect(squatmon(['--version']).stdout).toMatch(/^squatmon \d+\.\d+\.\d+ \(built command\)\n$/);
    expect(squatmon(['--version'], { SQUATMON_FROM_SOURCE: '1' }).stdout).toMatch(/\(TypeScript sources\)/);
  });

  it('prints exactly what the sources print: analysis, help, an error, and their exit codes', () => {
    // Few cases, each a process of its own: this suite shares the machine with the live-gateway fault tests.
    for (const args of [['analyze', recording, '--jsonl', '--cutoff-cm', '30'], ['analyze', '--help'], ['analyze', join(dir, 'missing.csv')]]) {
      const built = squatmon(args);
      const sources = squatmon(args, { SQUATMON_FROM_SOURCE: '1' });
      expect({ args, ...built }).toEqual({ args, ...sources });
      // Not vacuous: the analysis found the reps.
      if (args.includes('--jsonl')) expect(built.stdout.split('\n').filter((l) => l.includes('"index"')).length).toBe(3);
    }
  });

  it('falls back on the sources when a source changed after the build', () => {
    const source = join(import.meta.dirname, '..', '..', 'gateway', 'cli', 'args.ts');
    const { atime, mtime } = statSync(source);
    try {
      utimesSync(source, atime, new Date(mtime.getTime() + 2000));
      expect(squatmon(['--version']).stdout).toMatch(/\(TypeScript sources\)/);
    } finally {
      utimesSync(source, atime, mtime);
    }
    expect(squatmon(['--version']).stdout).toMatch(/\(built command\)/);
  });
});
