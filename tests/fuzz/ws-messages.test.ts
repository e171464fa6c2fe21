/**
 * Fuzzing the dashboard's WebSocket client messages: parseClientMessage in bulk against the protocol written out
 * independently (ws-messages.ts header), then a sample through a real gateway HTTP server and a real ws client:
 * every message gets exactly one answer (`subscribed`, `pong` or `error` with a message), and frames the protocol
 * cannot carry close only that connection.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../gateway/http/ws-messages.ts';
import { connectWs, startGateway } from '../integration/http-harness.ts';
import type { Gateway, WsClient } from '../integration/http-harness.ts';
import { FUZZ_RUNS, fuzzSettings, garbageText, isClearMessage, mutatedObject, mutatedText } from './fuzz-support.ts';

const ATHLETE_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
const MAX_ATHLETES = 64;

/** What the message means per the protocol: the subscription (`*` or sorted ids), a ping, or null (refused). */
function expectedMeaning(text: string): { type: 'ping' } | { type: 'subscribe'; athletes: '*' | string[] } | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const fields = body as Record<string, unknown>;
  const keys = Object.keys(fields);
  if (fields.type === 'ping') return keys.length === 1 ? { type: 'ping' } : null;
  if (fields.type !== 'subscribe' || keys.some((k) => k !== 'type' && k !== 'athletes') || !Object.hasOwn(fields, 'athletes')) return null;
  const athletes = fields.athletes;
  if (athletes === '*') return { type: 'subscribe', athletes: '*' };
  if (!Array.isArray(athletes) || athletes.length > MAX_ATHLETES) return null;
  if (!athletes.every((a) => typeof a === 'string' && ATHLETE_ID.test(a))) return null;
  return { type: 'subscribe', athletes: [...new Set(athletes as string[])].sort() };
}

const athleteId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/);
const validMessage: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constant({ type: 'ping' }),
  fc.record({ type: fc.constant('subscribe'), athletes: fc.oneof(fc.constant('*'), fc.array(athleteId, { maxLength: 66 })) }),
);
const messageText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: mutatedObject(validMessage).map((m) => JSON.stringify(m) ?? 'undefined') },
  { weight: 2, arbitrary: mutatedText(validMessage.map((m) => JSON.stringify(m))) },
  { weight: 2, arbitrary: garbageText },
);

describe('ws client messages, fuzzed through parseClientMessage', () => {
  it(`${FUZZ_RUNS} messages: the protocol's meaning, or an error with a message`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(messageText, (text) => {
        const parsed = parseClientMessage(text);
        const expected = expectedMeaning(text);
        if (expected === null) {
          if (!('error' in parsed)) throw new Error(`accepted ${JSON.stringify(text)} as ${parsed.type}`);
          expect(isClearMessage(parsed.error)).toBe(true);
          return;
        }
        accepted++;
        if ('error' in parsed) throw new Error(`refused valid ${JSON.stringify(text)}: ${parsed.error}`);
        expect(parsed.type).toBe(expected.type);
        if (parsed.type === 'subscribe' && expected.type === 'subscribe') {
          const got = parsed.subscription === '*' ? '*' : [...parsed.subscription].sort();
          expect(got).toEqual(expected.athletes);
        }
      }),
      fuzzSettings(0x5eed_0101),
    );
    expect(accepted).toBeGreaterThan(FUZZ_RUNS * 0.1);
    expect(accepted).toBeLessThan(FUZZ_RUNS * 0.9);
  });
});

describe('ws client messages, fuzzed through a real gateway', () => {
  const REAL_RUNS = 500;
  let gw: Gateway;
  let client: WsClient;

  beforeAll(async () => {
    gw = await startGateway();
    client = await connectWs(`${gw.http.url}/ws`);
  });
  afterAll(async () => {
    await client?.close();
    await gw?.close();
  });

  /** Sends one frame and waits for the single answer it must get. */
  async function answerTo(data: string | Buffer, binary = false): Promise<{ type: string; [field: string]: unknown }> {
    const before = client.messages.length;
    const answered = new Promise<void>((resolve) => {
      const check = (): void => {
        if (client.messages.length <= before) return;
        client.ws.off('message', check);
        resolve();
      };
      client.ws.on('message', check);
    });
    client.ws.send(data, { binary });
    await answered;
    return client.messages[before];
  }

  it(`${REAL_RUNS} text and binary frames: one answer each, the connection stays open`, async () => {
    await answerTo('{"type":"ping"}'); // the hello has arrived before this pong
    await fc.assert(
      fc.asyncProperty(messageText, fc.boolean(), async (text, asBinary) => {
        const binary = asBinary && text.length % 4 === 0; // a quarter of the frames, deterministically
        const answer = await answerTo(binary ? Buffer.from(text, 'utf8') : text, binary);
        const expected = binary ? null : expectedMeaning(text);
        if (expected === null) {
          expect(answer.type).toBe('error');
          expect(isClearMessage(answer.error)).toBe(true);
        } else if (expected.type === 'ping') {
          expect(answer).toEqual({ type: 'pong' });
        } else {
          expect(answer).toEqual({ type: 'subscribed', athletes: expected.athletes });
        }
        expect(client.ws.readyState).toBe(WebSocket.OPEN);
      }),
      fuzzSettings(0x5eed_0102, REAL_RUNS),
    );
  });

  it('an oversized or non-UTF-8 frame closes that connection only; the server keeps serving', async () => {
    for (const [data, code] of [['x'.repeat(5000), 1009], [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 1007]] as const) {
      const victim = await connectWs(`${gw.http.url}/ws`);
      const closed = new Promise<number>((resolve) => victim.ws.once('close', (c) => resolve(c)));
      victim.ws.send(data, { binary: false });
      expect(await closed).toBe(code);
    }
    expect(await answerTo('{"type":"ping"}')).toEqual({ type: 'pong' });
    const fresh = await connectWs(`${gw.http.url}/ws`);
    await fresh.close();
  });
});
