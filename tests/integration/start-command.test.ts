/**
 * `squatmon start --sim --mqtt-port P --http-port H` as a user runs it: a separate process that prints where
 * the dashboard and the broker are, publishes over MQTT, serves HTTP, keeps its data folder to itself (a second
 * gateway on it exits 2), and shuts down cleanly on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
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
