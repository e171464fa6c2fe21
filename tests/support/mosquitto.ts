/**
 * A real Mosquitto for interop tests: the one already listening on 127.0.0.1:1883 if any, else one started on a
 * free port from the `mosquitto` binary if installed, else null (the caller skips, saying why).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { probeMqttBroker } from '../../gateway/mqtt/embedded-broker.ts';
import { freePort } from './net.ts';

export interface Mosquitto {
  readonly url: string;
  /** How it was found, for the test log. */
  readonly origin: 'running' | 'started';
  stop(): Promise<void>;
}

export const NO_MOSQUITTO = 'no Mosquitto on 127.0.0.1:1883 and no mosquitto binary on PATH or in /usr/sbin';

function findBinary(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'mosquitto');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}


export async function findMosquitto(): Promise<Mosquitto | null> {
  if (await probeMqttBroker('127.0.0.1', 1883, 1000)) {
    return { url: 'mqtt://127.0.0.1:1883', origin: 'running', stop: async () => {} };
  }
  const binary = findBinary();
  if (binary === null) return null;
  const port = await freePort();
  const child = spawn(binary, ['-p', String(port)], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = performance.now() + 5_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) return null;
    if (await probeMqttBroker('127.0.0.1', port, 500)) return { url: `mqtt://127.0.0.1:${port}`, origin: 'started', stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  return null;
}
