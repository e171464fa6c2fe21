/**
 * Fuzzing the shapes of issue 14's attacks, each around its bound:
 * - MQTT byte streams (any packet types, declared lengths up to the 256 MiB maximum, any chunking) through the
 *   embedded broker's packet guard, against a plain model of the rule: it refuses exactly the streams that break
 *   a bound, and never before that packet's header has arrived nor after it;
 * - signed MQTT payloads: whatever a gateway signs verifies to the same object, and any change to the text, the
 *   topic or the key is refused;
 * - the historian's ingest trusting signed messages, fed forged, mutated and garbage messages: nothing but what a
 *   trusted gateway signed is ever emitted;
 * - recording headers with many sensors, many or long comments and many header lines: refused at a line with a
 *   clear message exactly when a bound is crossed, quickly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketSizeGuard } from '../../gateway/mqtt/packet-guard.ts';
import { signingEncoder, verifySigned } from '../../gateway/mqtt/signing.ts';
import { HistorianIngest } from '../../gateway/service/historian-ingest.ts';
import type { GatewayEvent } from '../../gateway/core/domain.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import type { HistoryStore } from '../../gateway/store/history-store.ts';
import { MAX_COMMENT_BYTES, MAX_COMMENT_LINES, MAX_HEADER_LINES, MAX_SENSORS } from '../../shared/recording/parser.ts';
import { parseRecordingText, RecordingError } from '../../shared/recording/index.ts';
import { rep } from '../unit/store-fixtures.ts';
import { remainingLength } from '../support/mqtt-bytes.ts';
import { fuzzSettings, garbageText, isClearMessage, mutatedObject } from './fuzz-support.ts';

const CONNECT_MAX = 64;
const PACKET_MAX = 512;

interface Packet {
  readonly type: number;
  readonly length: number;
}

const packetArb: fc.Arbitrary<Packet> = fc.record({
  type: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 7, arbitrary: fc.integer({ min: 0, max: 15 }) }),
  length: fc.oneof(
    fc.integer({ min: 0, max: 80 }),
    fc.constantFrom(CONNECT_MAX - 1, CONNECT_MAX, CONNECT_MAX + 1, PACKET_MAX, PACKET_MAX + 1, 200 * 1024 * 1024, 268_435_455),
    fc.integer({ min: 0, max: 2 * PACKET_MAX }),
  ),
});

describe('fuzz: MQTT streams through the packet guard', () => {
  it('refuses exactly the streams that break a bound, at the offending packet\'s header', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 97 }), { maxLength: 6 }), (packets, cuts) => {
        // Bodies are sent only up to a few hundred bytes: a declared 200 MiB must be refused from its header alone.
        const bytes: number[] = [];
        let expectedAt: number | null = null; // offset just past the header of the first packet that breaks a bound
        packets.forEach((p, k) => {
          const header = [p.type << 4, ...remainingLength(p.length)];
          bytes.push(...header);
          const limit = k === 0 ? CONNECT_MAX : PACKET_MAX;
          if (expectedAt === null && ((k === 0 && p.type !== 1) || p.length > limit)) {
            expectedAt = bytes.length - (k === 0 && p.type !== 1 ? header.length - 1 : 0);
          }
          bytes.push(...new Array<number>(Math.min(p.length, 2 * PACKET_MAX)).fill(0));
        });
        const stream = Uint8Array.from(bytes);
        const guard = new PacketSizeGuard(CONNECT_MAX, PACKET_MAX);
        let refusedAt: number | null = null;
        let at = 0;
        for (let k = 0; at < stream.length && refusedAt === null; k++) {
          const n = cuts.length === 0 ? stream.length : cuts[k % cuts.length]!;
          const chunk = stream.subarray(at, at + n);
          const verdict = guard.inspect(chunk);
          at += chunk.length;
          if (!verdict.ok) {
            expect(isClearMessage(verdict.reason)).toBe(true);
            refusedAt = at;
          }
        }
        // Truncated bodies (we never send more than 1 KiB of one) may leave the last packet unfinished: the bound is
        // about declarations, so the model only needs the headers that were sent in full.
        if (expectedAt === null) {
          expect(refusedAt).toBeNull();
        } else {
          expect(refusedAt).not.toBeNull();
          // Refused in the chunk holding the offending header's last byte: not before, not later.
          expect(refusedAt!).toBeGreaterThanOrEqual(expectedAt);
          expect(refusedAt! - expectedAt).toBeLessThan(cuts.length === 0 ? stream.length : Math.max(...cuts));
        }
      }),
      fuzzSettings(1401),
    );
  });
});

const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }).filter((o) => !('signer' in o) && !('sig' in o));
const topicArb = fc.stringMatching(/^squatmon(\/[a-z0-9-]{1,8}){1,4}$/);
const keyArb = fc.string({ minLength: 16, maxLength: 40 });

describe('fuzz: signed MQTT payloads', () => {
  it('verify to the same object under the signer\'s key and topic', () => {
    fc.assert(
      fc.property(jsonObject, topicArb, keyArb, (value, topic, key) => {
        const text = signingEncoder({ signer: 'rack1', key })(topic, value);
        const verified = verifySigned(topic, Buffer.from(text), new Map([['rack1', key]]));
        expect(verified.status).toBe('verified');
        if (verified.status === 'verified') expect(verified.json).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      fuzzSettings(1402),
    );
  });

  it('are refused after any change to the text, or under another topic or key', () => {
    const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('replace', 'insert', 'delete'), char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) });
    fc.assert(
      fc.property(jsonObject, topicArb, keyArb, edit, topicArb, keyArb, (value, topic, key, e, otherTopic, otherKey) => {
        const keys = new Map([['rack1', key]]);
        const text = signingEncoder({ signer: 'rack1', key })(topic, value);
        const i = e.at % text.length;
        const changed = e.kind === 'replace' ? text.slice(0, i) + e.char + text.slice(i + 1) : e.kind === 'insert' ? text.slice(0, i) + e.char + text.slice(i) : text.slice(0, i) + text.slice(i + 1);
        if (changed !== text) expect(verifySigned(topic, Buffer.from(changed), keys).status).toBe('refused');
        if (otherTopic !== topic) expect(verifySigned(otherTopic, Buffer.from(text), keys).status).toBe('refused');
        if (otherKey !== key) expect(verifySigned(topic, Buffer.from(text), new Map([['rack1', otherKey]])).status).toBe('refused');
      }),
      fuzzSettings(1403),
    );
  });
});

describe('fuzz: a historian trusting signed messages', () => {
  it('emits only what a trusted gateway signed, whatever else arrives', () => {
    const KEY = 'rack1-key-for-fuzzing-0123';
    const sign = signingEncoder({ signer: 'rack1', key: KEY });
    const forger = signingEncoder({ signer: 'rack1', key: 'not-the-key-0123456789' });
    const stranger = signingEncoder({ signer: 'mallory', key: KEY });
    const ref = { athlete: 'ana', session: '20261129-100000-ana', set: 1 };
    const valid = rep(ref, 1) as unknown as Record<string, unknown>;
    const topic = 'squatmon/athletes/ana/reps';
    // The ingest writes athletes/sessions/sets before a rep; a store that records calls is enough to see any write.
    const writes: string[] = [];
    const store = new Proxy({} as HistoryStore, { get: (_t, name) => async () => void writes.push(String(name)) });
    const events: GatewayEvent[] = [];
    const ingest = new HistorianIngest({
      root: 'squatmon',
      store,
      emit: (event) => events.push(event),
      logger: memoryLogger(),
      trust: { gatewayKeys: new Map([['rack1', KEY]]) },
    });
    const message = fc.oneof(
      mutatedObject(fc.constant(valid)).map((body) => ['plain', JSON.stringify(body)] as const),
      mutatedObject(fc.constant(valid)).map((body) => ['forged', forger(topic, body)] as const),
      mutatedObject(fc.constant(valid)).map((body) => ['stranger', stranger(topic, body)] as const),
      garbageText.map((text) => ['garbage', text] as const),
      fc.constant(valid).map((body) => ['genuine', sign(topic, body)] as const),
    );
    fc.assert(
      fc.property(message, ([kind, text]) => {
        events.length = 0;
        writes.length = 0;
        expect(() => ingest.accept(topic, Buffer.from(text), false)).not.toThrow();
        if (kind === 'genuine') expect(events).toEqual([{ kind: 'rep', rep: valid }]);
        else expect({ kind, events, writes }).toEqual({ kind, events: [], writes: [] });
      }),
      fuzzSettings(1404),
    );
  });
});

describe('fuzz: recording headers around their bounds', () => {
  const shape = fc.record({
    sensors: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(MAX_SENSORS - 1, MAX_SENSORS, MAX_SENSORS + 1, 40)),
    comments: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom(MAX_COMMENT_LINES - 1, MAX_COMMENT_LINES, MAX_COMMENT_LINES + 1)),
    commentLength: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(120, 4_000, 200_000)),
    blankLines: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(MAX_HEADER_LINES - 10, MAX_HEADER_LINES + 10)),
    commentsAfterHeader: fc.boolean(),
  })
    // At most a few MB of text per case (a 2 GB string cannot even be built); the comment-bytes bound is 1 MiB.
    .map((s) => ({ ...s, commentLength: Math.min(s.commentLength, Math.floor(4_000_000 / Math.max(1, s.comments))) }));

  it('refuses exactly the files that cross a bound, at a line, with a clear message, quickly', () => {
    fc.assert(
      fc.property(shape, (s) => {
        const sensorLines = Array.from({ length: s.sensors }, (_, k) => `# sensor: id=S${k} placement=${k === 0 ? 'sacrum' : 'thoracolumbar'}`);
        const commentLines = Array.from({ length: s.comments }, () => `# e: ${'x'.repeat(s.commentLength)}`);
        const blank = Array.from({ length: s.blankLines }, () => '');
        const header = ['# squatmon-recording v1', ...sensorLines, ...blank, ...(s.commentsAfterHeader ? [] : commentLines), 't,sensor,ax,ay,az,gx,gy,gz'];
        const data = ['0.0100,S0,0,9.8,0,0,0,0', ...(s.commentsAfterHeader ? commentLines : []), '0.0200,S0,0,9.8,0,0,0,0'];
        const text = [...header, ...data].join('\n') + '\n';
        // Sensor declarations are comment lines too (they start with #); the version line is not.
        const hashLines = [...sensorLines.slice(0, MAX_SENSORS + 1), ...commentLines];
        const commentBytes = hashLines.reduce((n, l) => n + l.length, 0);
        const headerLines = header.length;
        const crosses =
          s.sensors > MAX_SENSORS ||
          hashLines.length > MAX_COMMENT_LINES ||
          commentBytes > MAX_COMMENT_BYTES ||
          headerLines > MAX_HEADER_LINES;
        const started = performance.now();
        let error: unknown = null;
        try {
          parseRecordingText(text);
        } catch (err) {
          error = err;
        }
        const elapsedMs = performance.now() - started;
        expect(elapsedMs).toBeLessThan(2_000);
        if (!crosses) {
          expect(error).toBeNull();
          return;
        }
        expect(error).toBeInstanceOf(RecordingError);
        const e = error as RecordingError;
        expect(isClearMessage(e.message)).toBe(true);
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.line).toBeLessThanOrEqual(text.split('\n').length);
      }),
      fuzzSettings(1405, 300),
    );
  });
});
