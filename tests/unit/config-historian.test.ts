/**
 * The configuration of several racks and a historian: the historian source needs an external broker, the
 * history URL is a PostgreSQL one and never shows its password, the simulated athletes' id prefix is checked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historianClientId } from '../../gateway/service/historian.ts';
import { ConfigError, describeConfig, loadConfig } from '../../gateway/config/config.ts';
import { describeHistoryStore } from '../../gateway/store/open-history-store.ts';
import { runCli } from '../support/cli.ts';

describe('historian configuration', () => {
  it('refuses the historian source without a broker to subscribe to', async () => {
    await expect(loadConfig({ flags: { source: 'historian', historian: { trustBroker: true } } })).rejects.toThrow(/historian.*--mqtt-url/);
    const config = await loadConfig({ flags: { source: 'historian', mqtt: { url: 'mqtt://broker.lan:1883' }, historian: { trustBroker: true } } });
    expect(config.source).toBe('historian');
    expect(config.historian.clientId).toBeNull();
  });

  it('refuses a historian that was not told whom to trust, and hides the gateways\' keys', async () => {
    const mqtt = { url: 'mqtt://broker.lan:1883' };
    await expect(loadConfig({ flags: { source: 'historian', mqtt } })).rejects.toThrow(/gatewayKeys.*trustBroker/);
    const keys = { rack1: 'rack1-secret-key-123456', rack2: 'rack2-secret-key-654321' };
    const config = await loadConfig({ flags: { source: 'historian', mqtt, historian: { gatewayKeys: keys } } });
    expect(config.historian.gatewayKeys).toEqual(keys);
    expect(JSON.stringify(describeConfig(config))).not.toMatch(/secret-key/);
    await expect(loadConfig({ flags: { source: 'historian', mqtt, historian: { gatewayKeys: keys, trustBroker: true } } })).rejects.toThrow(/not both/);
    await expect(loadConfig({ flags: { source: 'historian', mqtt, historian: { gatewayKeys: { rack1: 'short' } } } })).rejects.toThrow(/16 characters/);
    await expect(loadConfig({ flags: { source: 'historian', mqtt, historian: { gatewayKeys: { 'rack 1': keys.rack1 } } } })).rejects.toThrow(/signer names/);
  });

  it('gives the historian a random client id, made once per data folder and kept', () => {
    const [a, b] = [mkdtempSync(join(tmpdir(), 'squatmon-hist-id-')), mkdtempSync(join(tmpdir(), 'squatmon-hist-id-'))];
    try {
      const id = historianClientId(a);
      expect(id).toMatch(/^sqm-h-[0-9a-f]{16}$/);
      expect(id.length).toBeLessThanOrEqual(23);
      expect(historianClientId(a)).toBe(id);
      expect(historianClientId(b)).not.toBe(id);
      // A damaged file is replaced by a new id rather than used.
      writeFileSync(join(a, 'historian-client-id'), 'squatmon-hist-1234\n');
      const replaced = historianClientId(a);
      expect(replaced).toMatch(/^sqm-h-[0-9a-f]{16}$/);
      expect(readFileSync(join(a, 'historian-client-id'), 'utf8').trim()).toBe(replaced);
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  it('signs only with a name and a key given together, from the environment too, and never shows the key', async () => {
    const config = await loadConfig({ env: { SQUATMON_MQTT_SIGNER: 'rack1', SQUATMON_MQTT_SIGNING_KEY: 'rack1-secret-key-123456' } });
    expect([config.mqtt.signer, config.mqtt.signingKey]).toEqual(['rack1', 'rack1-secret-key-123456']);
    expect(JSON.stringify(describeConfig(config))).not.toContain('rack1-secret-key');
    await expect(loadConfig({ env: { SQUATMON_MQTT_SIGNER: 'rack1' } })).rejects.toThrow(/together/);
    await expect(loadConfig({ env: { SQUATMON_MQTT_SIGNING_KEY: 'rack1-secret-key-123456' } })).rejects.toThrow(/together/);
    await expect(loadConfig({ env: { SQUATMON_MQTT_SIGNER: 'rack1', SQUATMON_MQTT_SIGNING_KEY: ' '.repeat(20) } })).rejects.toThrow(/16 characters/);
  });

  it('takes the history URL from the environment or a flag, and hides its password everywhere it shows it', async () => {
    const url = 'postgres://squatmon:hunter2-secret@db.lan:5432/history';
    const config = await loadConfig({ env: { SQUATMON_STORE_URL: url } });
    expect(config.store).toEqual({ url, schema: null, maxBytes: null });
    expect(JSON.stringify(describeConfig(config))).not.toContain('hunter2-secret');
    expect(describeHistoryStore(config.store, 'data')).toBe('postgres://squatmon:***@db.lan:5432/history');
    expect(describeHistoryStore({ url: null, schema: null }, 'data')).toBe('data/squatmon.db');
    await expect(loadConfig({ flags: { store: { url: 'mysql://db.lan/history' } } })).rejects.toThrow(/store\.url/);
    await expect(loadConfig({ flags: { store: { url, schema: 'Racks; DROP' } } })).rejects.toThrow(/store\.schema/);
  });

  it('checks the simulated athletes\' id prefix', async () => {
    expect((await loadConfig({ flags: { sim: { idPrefix: 'rack1' } } })).sim.idPrefix).toBe('rack1');
    for (const bad of ['Rack1', '-rack', 'rack-one-two']) {
      await expect(loadConfig({ flags: { sim: { idPrefix: bad } } }), bad).rejects.toThrow(ConfigError);
    }
  });

  it('says so on the command line: one source only, and a bad prefix is a configuration error', async () => {
    const both = await runCli(['start', '--sim', '--historian']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--historian/);
    const prefix = await runCli(['start', '--sim', '--sim-prefix', 'Rack 1']);
    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toMatch(/sim\.idPrefix/);
  });
});
