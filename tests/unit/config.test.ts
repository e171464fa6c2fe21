import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../gateway/config/config.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squatmon-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('layers defaults < file < environment < flags', async () => {
    const file = join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ http: { port: 9000 }, mqtt: { port: 2000, root: 'gym' }, dataDir: 'from-file' }));
    const config = await loadConfig({ file, env: { SQUATMON_MQTT_PORT: '3000', SQUATMON_DATA_DIR: 'from-env' }, flags: { mqtt: { port: 4000 } } });
    expect(config.http.port).toBe(9000); // file
    expect(config.mqtt.root).toBe('gym'); // file
    expect(config.dataDir).toBe('from-env'); // env over file
    expect(config.mqtt.port).toBe(4000); // flag over env
    expect(config.source).toBe('sim'); // default
    expect(config.http.host).toBe('127.0.0.1');
  });

  it('names the source and the field of every problem', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ http: { port: 'eighty' }, athletes: [{ id: 'Bad Id', name: 'x', sensors: [] }] }));
    await expect(loadConfig({ file })).rejects.toThrow(ConfigError);
    await expect(loadConfig({ file })).rejects.toThrow(/bad\.json: http\.port/);
    await expect(loadConfig({ file })).rejects.toThrow(/athletes\.0\.id/);
    await expect(loadConfig({ env: { SQUATMON_HTTP_PORT: 'x' } })).rejects.toThrow(/SQUATMON_HTTP_PORT must be a number/);
    await writeFile(join(dir, 'notjson.json'), '{ nope');
    await expect(loadConfig({ file: join(dir, 'notjson.json') })).rejects.toThrow(/not valid JSON/);
    await expect(loadConfig({ file: join(dir, 'missing.json') })).rejects.toThrow(/cannot read/);
    await expect(loadConfig({ flags: { unknownKey: 1 } })).rejects.toThrow(ConfigError);
    // An empty MQTT password is a config error naming the field (it used to pass here and crash the start).
    await expect(loadConfig({ flags: { mqtt: { password: '' } } })).rejects.toThrow(/mqtt\.password.*empty/);
    // A token of spaces is no secret.
    await expect(loadConfig({ flags: { http: { token: ' '.repeat(16) } } })).rejects.toThrow(/http\.token.*not spaces/);
  });

  it('refuses to listen beyond loopback without credentials', async () => {
    await expect(loadConfig({ flags: { http: { host: '0.0.0.0' } } })).rejects.toThrow(/token/);
    await expect(loadConfig({ flags: { http: { host: '0.0.0.0', token: 'short' } } })).rejects.toThrow(/16 characters/);
    const ok = await loadConfig({ flags: { http: { host: '0.0.0.0', token: 'a-long-enough-token' } } });
    expect(ok.http.host).toBe('0.0.0.0');
    await expect(loadConfig({ flags: { mqtt: { host: '0.0.0.0' } } })).rejects.toThrow(/username and password/);
  });

  it('never shows secrets in the logged configuration', async () => {
    const config = await loadConfig({
      env: { SQUATMON_MQTT_PASSWORD: 'hunter2', SQUATMON_HTTP_TOKEN: 'sixteen-chars-token', SQUATMON_MQTT_URL: 'mqtt://user:pw@broker:1883' },
    });
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('sixteen-chars-token');
    expect(text).not.toContain('user:pw');
    expect(text).toContain('broker:1883');
  });
});
