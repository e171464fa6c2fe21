/**
 * `squatmon start --sim --mqtt-port P --http-port H` as a user runs it: a separate process that prints where
 * the dashboard and the broker are, publishes over MQTT, serves HTTP, keeps its data folder to itself (a second
 * gateway on it exits 2), and shuts down cleanly on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { record, waitFor } from '../support/mqtt-harness.ts';
import { freePort } from '../support/net.ts';


let dataDir: string;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('squatmon start (a real process)', () => {
  it('runs the simulator, broker and dashboard on the given ports and stops cleanly', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'squatmon-start-'));
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      ['bin/squatmon.js', 'start', '--sim', '--mqtt-port', String(mqttPort), '--http-port', String(httpPort), '--data-dir', dataDir, '--sim-speed', '6', '--athletes', '1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stdout.includes('dashboard:'), 'the start banner', 30_000);
      expect(stdout).toContain(`http://127.0.0.1:${httpPort}/`);
      expect(stdout).toContain(`mqtt://127.0.0.1:${mqttPort}`);
      const subscriber = await record(`mqtt://127.0.0.1:${mqttPort}`, 'squatmon/#');
      await waitFor(() => subscriber.messages.some((m) => m.topic.endsWith('/reps')), 'a rep over MQTT', 60_000);
      // A second gateway on the same data folder refuses to start (one line, exit code 2); the first serves on.
      const [mqtt2, http2] = [await freePort(), await freePort()];
      const second = spawnSync(
        process.execPath,
        ['bin/squatmon.js', 'start', '--sim', '--mqtt-port', String(mqtt2), '--http-port', String(http2), '--data-dir', dataDir, '--athletes', '1'],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(second.status).toBe(2);
      expect(second.stderr).toMatch(/^squatmon start: the data folder .* is in use by another squatmon gateway \(process \d+\)/m);
      // A dashboard port the user chose and another program holds: one line, exit code 2 (it was 1).
      const otherDir = await mkdtemp(join(tmpdir(), 'squatmon-start-2-'));
      const taken = spawnSync(
        process.execPath,
        ['bin/squatmon.js', 'start', '--sim', '--mqtt-port', String(mqtt2), '--http-port', String(httpPort), '--data-dir', otherDir, '--athletes', '1'],
        { encoding: 'utf8', timeout: 30_000 },
      );
      await rm(otherDir, { recursive: true, force: true });
      expect(taken.status).toBe(2);
      expect(taken.stderr).toMatch(new RegExp(`^squatmon start: .*${httpPort}`, 'm'));
      const health = await fetch(`http://127.0.0.1:${httpPort}/api/health`);
      expect(health.status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await subscriber.close();
    } finally {
      child.kill('SIGKILL');
    }
    // The set was recorded and the history database exists.
    const files = await readdir(dataDir, { recursive: true });
    expect(files.some((f) => String(f).endsWith('squatmon.db'))).toBe(true);
    expect(files.some((f) => /set-1\.csv\.gz$/.test(String(f)))).toBe(true);
    // The lock is gone with the gateway.
    expect(files.some((f) => String(f).endsWith('squatmon.lock'))).toBe(false);
    expect(stderr).not.toMatch(/\berror\b/);
  }, 90_000);
});

describe('squatmon start --replay of a damaged recording (a real process)', () => {
  it('exits 2 with the bad line, and never hangs on absurd times', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'squatmon-replay-bad-'));
    try {
      const head = '# squatmon-recording v1\n# sensor: id=S2 placement=sacrum\nt,sensor,ax,ay,az,gx,gy,gz\n';
      const rows = Array.from({ length: 50 }, (_, i) => `${(i * 0.01).toFixed(4)},S2,0,0,9.81,0,0,0`).join('\n');
      await writeFile(join(dir, 'bad-row.csv'), `${head}${rows}\n0.5100,S2,0,zero,9.81,0,0,0\n`);
      // Times a replay cannot wait out: -1e308 then 1e308 (it used to hang, silently).
      await writeFile(join(dir, 'absurd-times.csv'), `${head}-1e308,S2,0,0,9.81,0,0,0\n1e308,S2,0,0,9.81,0,0,0\n`);
      const run = (file: string) =>
        spawnSync(
          process.execPath,
          ['bin/squatmon.js', 'start', '--replay', join(dir, file), '--speed', '50', '--data-dir', join(dir, `data-${file}`), '--http-port', '0', '--mqtt-port', '0'],
          { encoding: 'utf8', timeout: 60_000 },
        );
      const bad = run('bad-row.csv');
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/^squatmon start: .*bad-row\.csv:54: field 'ay' is not a number: 'zero'$/m);
      const absurd = run('absurd-times.csv');
      expect(absurd.signal).toBeNull(); // not killed by the timeout
      expect(absurd.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
