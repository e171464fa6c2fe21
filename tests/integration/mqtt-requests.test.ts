/** bridge/request/<command> → bridge/response/<command>, validated, delegated, transaction echoed. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMqttBridge } from '../../gateway/mqtt/bridge.ts';
import { mqttConfigSchema } from '../../gateway/config/config.ts';
import type { MqttBridge } from '../../gateway/mqtt/bridge.ts';
import { connectGateway } from '../../gateway/mqtt/connection.ts';
import { Outbox } from '../../gateway/mqtt/outbox.ts';
import { BridgeRequests } from '../../gateway/mqtt/requests.ts';
import { topicsFor } from '../../gateway/mqtt/topics.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { fakeCommands, record, waitFor } from '../support/mqtt-harness.ts';
import type { Recorder } from '../support/mqtt-harness.ts';

let bridge: MqttBridge;
let sub: Recorder;
let commands = fakeCommands();
let refusing = fakeCommands(true);
let refuse = false;

beforeAll(async () => {
  // One bridge for the file; the injected handler switches between the recording fakes.
  const proxy = new Proxy({} as typeof commands, { get: (_t, key) => (refuse ? refusing : commands)[key as keyof typeof commands] });
  bridge = await startMqttBridge(mqttConfigSchema.parse({ port: 0, clientId: 'squatmon-gw-req' }), { logger: memoryLogger(), commands: proxy });
  await waitFor(() => bridge.stats().connected, 'gateway connected');
  sub = await record(bridge.url, 'squatmon/bridge/response/#');
});
afterAll(async () => {
  await sub.close();
  await bridge.close();
});
beforeEach(() => {
  commands = fakeCommands();
  refusing = fakeCommands(true);
  refuse = false;
});

async function ask(command: string, payload: string | object): Promise<Record<string, unknown>> {
  const before = sub.messages.length;
  await sub.client.publishAsync(`squatmon/bridge/request/${command}`, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
  await waitFor(() => sub.messages.length > before, `response to ${command}`);
  const response = sub.messages[before];
  expect(response.topic).toBe(`squatmon/bridge/response/${command}`);
  return response.json as Record<string, unknown>;
}

describe('MQTT requests', () => {
  const valid: Array<[string, object, string, object]> = [
    ['calibrate', { athlete: 'ana', kind: 'standing' }, 'calibrate', { athlete: 'ana', kind: 'standing' }],
    ['set_start', { athlete: 'ana' }, 'setStart', { athlete: 'ana' }],
    ['set_stop', { athlete: 'ana' }, 'setStop', { athlete: 'ana' }],
    ['set_cutoff', { athlete: 'ana', cutoff_cm: 35 }, 'setCutoff', { athlete: 'ana', cutoff_cm: 35 }],
    ['set_cutoff', { athlete: 'ana', cutoff_cm: null }, 'setCutoff', { athlete: 'ana', cutoff_cm: null }],
    ['set_wink_threshold', { athlete: 'ana', wink_threshold_deg: 8 }, 'setWinkThreshold', { athlete: 'ana', wink_threshold_deg: 8 }],
    ['name_athlete', { athlete: 'ana', name: 'Ana B.' }, 'nameAthlete', { athlete: 'ana', name: 'Ana B.' }],
  ];
  it.each(valid)('%s %j is delegated and answered ok with the transaction echoed', async (command, body, method, request) => {
    const response = await ask(command, { ...body, transaction: `tx-${command}` });
    expect(response).toEqual({ transaction: `tx-${command}`, status: 'ok', data: { done: method } });
    expect(commands.calls).toEqual([{ method, request }]);
  });

  it('echoes numeric transactions and answers null when none was given', async () => {
    expect((await ask('set_start', { athlete: 'ana', transaction: 42 })).transaction).toBe(42);
    expect((await ask('set_start', { athlete: 'ana' })).transaction).toBeNull();
  });

  const bad: Array<[string, string, string | object, RegExp]> = [
    ['non-JSON', 'set_start', '{athlete: ana', /not JSON/],
    ['unknown command', 'reboot', { athlete: 'ana', transaction: 7 }, /unknown command "reboot"/],
    ['missing field', 'calibrate', { athlete: 'ana', transaction: 7 }, /kind/],
    ['bad enum', 'calibrate', { athlete: 'ana', kind: 'sideways', transaction: 7 }, /kind/],
    ['cutoff out of range', 'set_cutoff', { athlete: 'ana', cutoff_cm: 151, transaction: 7 }, /cutoff_cm/],
    ['threshold out of range', 'set_wink_threshold', { athlete: 'ana', wink_threshold_deg: -1, transaction: 7 }, /wink_threshold_deg/],
    ['empty name', 'name_athlete', { athlete: 'ana', name: '', transaction: 7 }, /name/],
    ['long name', 'name_athlete', { athlete: 'ana', name: 'x'.repeat(65), transaction: 7 }, /name/],
    ['bad athlete id', 'set_start', { athlete: '../Ana', transaction: 7 }, /athlete/],
    ['unexpected field', 'set_stop', { athlete: 'ana', force: true, transaction: 7 }, /force/],
    ['array body', 'set_stop', [1, 2], /expected object/i],
  ];
  it.each(bad)('%s gets an error response and changes nothing', async (_what, command, payload, message) => {
    const response = await ask(command, payload);
    expect(response.status).toBe('error');
    expect(response.error).toMatch(message);
    if (typeof payload === 'object' && !Array.isArray(payload)) expect(response.transaction).toBe(7);
    expect(commands.calls).toEqual([]);
  });

  it('passes a refusal by the service back as an error', async () => {
    refuse = true;
    const response = await ask('set_start', { athlete: 'bob', transaction: 'r1' });
    expect(response).toEqual({ transaction: 'r1', status: 'error', error: 'no athlete bob' });
    expect(refusing.calls).toHaveLength(1);
  });

  it('does not act on a retained request found when (re)subscribing', async () => {
    await sub.client.publishAsync('squatmon/bridge/request/set_start', JSON.stringify({ athlete: 'ana' }), { qos: 1, retain: true });
    await waitFor(() => commands.calls.length === 1, 'the live delivery of the request'); // delivered as usual
    // A gateway subscribing now receives it as a retained message and must ignore it.
    const late = fakeCommands();
    const topics = topicsFor();
    const logger = memoryLogger();
    const gateway = connectGateway({ url: bridge.broker!.url, ...bridge.broker!.gatewayLogin, clientId: 'squatmon-gw-late' }, topics, logger);
    const outbox = new Outbox(gateway.client, logger);
    new BridgeRequests(topics, gateway.client, outbox, late, logger);
    await waitFor(() => logger.lines.some((l) => l.includes('ignoring a retained request')), 'retained request ignored');
    expect(late.calls).toEqual([]);
    await sub.client.publishAsync('squatmon/bridge/request/set_start', '', { qos: 1, retain: true }); // clear it
    await gateway.close();
  });
});
