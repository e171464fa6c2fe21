/**
 * Fuzzing `bridge/request/<command>`: every payload gets exactly one response; a malformed one an `error` with a
 * readable message and no call into the service; a valid one exactly the call docs/INTERFACES.md §6 / DEPLOYMENT.md §5
 * describe. The bulk drives BridgeRequests.handle (the handler the MQTT client's message event calls) with a fake
 * client and outbox; a smaller sample goes through the real embedded broker and a real MQTT client.
 */
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMqttBridge } from '../../gateway/mqtt/bridge.ts';
import { mqttConfigSchema } from '../../gateway/config/config.ts';
import type { MqttBridge } from '../../gateway/mqtt/bridge.ts';
import type { Outbox } from '../../gateway/mqtt/outbox.ts';
import { BridgeRequests } from '../../gateway/mqtt/requests.ts';
import type { BridgeResponse } from '../../gateway/mqtt/requests.ts';
import { topicsFor } from '../../gateway/mqtt/topics.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { fakeCommands, record, waitFor } from '../support/mqtt-harness.ts';
import type { Recorder } from '../support/mqtt-harness.ts';
import { COMMANDS, expectedRequest, isTransaction, METHODS, validBody } from './command-contract.ts';
import { FUZZ_RUNS, fuzzSettings, garbageText, isClearMessage, mutatedObject, mutatedText } from './fuzz-support.ts';

const MAX_PAYLOAD_BYTES = 4096;

// ---- Generators ----

/** Command names as a topic level can carry them (no `/`, `+`, `#`), known ones most of the time. */
const commandArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...COMMANDS) },
  { weight: 1, arbitrary: fc.constantFrom('reboot', 'Set_Start', 'set_start ', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'é') },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z_]{1,20}$/) },
);

/** Valid bodies per known command, built once (`chain` would rebuild the regex-based arbitraries per case). */
const VALID_BODIES = new Map(COMMANDS.map((command) => [command, validBody(command)]));
const MUTATED_BODIES = new Map(COMMANDS.map((command) => [command, mutatedObject(VALID_BODIES.get(command)!)]));

/** A payload for a command: mutated valid JSON, edited JSON text, garbage, raw bytes, oversize. */
const requestArb: fc.Arbitrary<{ command: string; payload: Buffer }> = commandArb.chain((command) => {
  const known = Object.hasOwn(METHODS, command) ? command : 'set_start';
  const body = MUTATED_BODIES.get(known)!;
  const text = fc.oneof(
    { weight: 6, arbitrary: body.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: mutatedText(VALID_BODIES.get(known)!.map((b) => JSON.stringify(b))) },
    { weight: 1, arbitrary: garbageText },
    // Valid JSON just under and just over the size limit (padding is insignificant whitespace).
    { weight: 1, arbitrary: fc.tuple(body, fc.integer({ min: -2, max: 2 })).map(([b, d]) => { const s = JSON.stringify(b) ?? 'null'; return s + ' '.repeat(Math.max(0, MAX_PAYLOAD_BYTES - Buffer.byteLength(s) + d)); }) },
  );
  return fc.oneof(
    { weight: 9, arbitrary: text.map((t) => Buffer.from(t ?? '', 'utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  ).map((payload) => ({ command, payload }));
});

/** Parses what the handler would: the refusal conditions that come before validation. */
function decodeBody(payload: Buffer): { ok: true; body: unknown } | { ok: false } {
  if (payload.length > MAX_PAYLOAD_BYTES) return { ok: false };
  try {
    return { ok: true, body: JSON.parse(payload.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function expectedTransaction(decoded: { ok: true; body: unknown } | { ok: false }): unknown {
  if (!decoded.ok || decoded.body === null || typeof decoded.body !== 'object') return null;
  const t = (decoded.body as Record<string, unknown>).transaction;
  return isTransaction(t) ? t : null;
}

/** Checks one response against the contract; returns a description of the mismatch, or null. */
function checkResponse(
  command: string,
  payload: Buffer,
  response: BridgeResponse,
  calls: ReadonlyArray<{ method: string; request: unknown }>,
): string | null {
  const decoded = decodeBody(payload);
  const expected = decoded.ok ? expectedRequest(command, decoded.body) : null;
  if (!isDeepStrictEqual(response.transaction, expectedTransaction(decoded))) return `transaction ${JSON.stringify(response.transaction)}`;
  if (expected === null) {
    if (response.status !== 'error') return 'accepted a request the contract refuses';
    if (!isClearMessage(response.error)) return `unclear error ${JSON.stringify(response.error)}`;
    if (calls.length !== 0) return 'refused, but the service was called';
    return null;
  }
  if (response.status !== 'ok') return `refused a valid request: ${response.error}`;
  if (calls.length !== 1 || calls[0].method !== METHODS[command]) return `service calls ${JSON.stringify(calls)}`;
  if (!isDeepStrictEqual(calls[0].request, expected)) return `service got ${JSON.stringify(calls[0].request)}`;
  return null;
}

describe('MQTT requests, fuzzed through the request handler', () => {
  it(`${FUZZ_RUNS} payloads: one response each, refused with a message and no effect, or executed exactly`, async () => {
    const topics = topicsFor();
    const sent: Array<{ topic: string; payload: unknown; retain: boolean }> = [];
    const client = { subscribe: () => client, on: () => client } as unknown as MqttClient;
    const outbox = { send: (topic: string, payload: unknown, retain: boolean) => void sent.push({ topic, payload, retain }) } as unknown as Outbox;
    const commands = fakeCommands();
    const handler = new BridgeRequests(topics, client, outbox, commands, memoryLogger());
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(requestArb, async ({ command, payload }) => {
        sent.length = 0;
        commands.calls.length = 0;
        await handler.handle(command, payload);
        expect(sent).toHaveLength(1);
        expect(sent[0].topic).toBe(topics.response(command));
        expect(sent[0].retain).toBe(false);
        const response = sent[0].payload as BridgeResponse;
        JSON.stringify(response); // what the outbox does with it: must not throw
        const problem = checkResponse(command, payload, response, commands.calls);
        if (problem !== null) throw new Error(`${command} ${JSON.stringify(payload.toString('utf8').slice(0, 300))}: ${problem}`);
        if (response.status === 'ok') accepted++;
      }),
      fuzzSettings(0x5eed_0001),
    );
    // Both paths must be exercised, or the property says nothing about one of them.
    expect(accepted).toBeGreaterThan(FUZZ_RUNS * 0.1);
    expect(accepted).toBeLessThan(FUZZ_RUNS * 0.9);
  });
});

describe('MQTT requests, fuzzed through the embedded broker', () => {
  // Each round trip costs tens of milliseconds on loopback (small TCP writes wait for delayed ACKs), so the real
  // connection gets a sample; the handler above takes the bulk.
  const REAL_RUNS = 150;
  let bridge: MqttBridge;
  let sub: Recorder;
  const commands = fakeCommands();

  beforeAll(async () => {
    bridge = await startMqttBridge(mqttConfigSchema.parse({ port: 0, clientId: 'squatmon-gw-fuzz' }), { logger: memoryLogger(), commands });
    await waitFor(() => bridge.stats().connected, 'gateway connected');
    sub = await record(bridge.url, 'squatmon/bridge/response/#');
  });
  afterAll(async () => {
    await sub?.close();
    await bridge?.close();
  });

  it(`${REAL_RUNS} payloads over a real connection: the same answers, and the gateway stays connected`, async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async ({ command, payload }) => {
        commands.calls.length = 0;
        const before = sub.messages.length;
        // Registered after the recorder's own listener, so it runs once the message has been recorded.
        const answered = new Promise<void>((resolve) => {
          const check = (): void => {
            if (sub.messages.length <= before) return;
            sub.client.off('message', check);
            resolve();
          };
          sub.client.on('message', check);
        });
        sub.client.publish(`squatmon/bridge/request/${command}`, payload, { qos: 0 });
        await answered;
        const response = sub.messages[before];
        expect(response.topic).toBe(`squatmon/bridge/response/${command}`);
        const problem = checkResponse(command, payload, response.json as BridgeResponse, commands.calls);
        if (problem !== null) throw new Error(`${command} ${JSON.stringify(payload.toString('utf8').slice(0, 300))}: ${problem}`);
      }),
      fuzzSettings(0x5eed_0002, REAL_RUNS),
    );
    expect(bridge.stats().connected).toBe(true);
  });
});
