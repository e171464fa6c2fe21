import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCEL_RANGES_G,
  CONTROL_STATUSES,
  GYRO_RANGES_DPS,
  OUTPUT_RATES_HZ,
  ProtocolError,
  decodeControlAck,
  decodeControlCommand,
  encodeControlAck,
  encodeControlCommand,
  encodeRejectionAck,
} from '../../shared/protocol/index.ts';
import type { ControlAck, ControlCommand } from '../../shared/protocol/index.ts';

function protocolErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.of(...values);

// [command, bytes written by hand from the spec's op table]
const GOLDEN_COMMANDS: [ControlCommand, number[]][] = [
  [{ op: 'start_stream', token: 7 }, [0x01, 0x07]],
  [{ op: 'stop_stream', token: 255 }, [0x02, 0xff]],
  [{ op: 'set_rate', token: 1, rateHz: 400 }, [0x03, 0x01, 0x90, 0x01]],
  [{ op: 'set_rate', token: 2, rateHz: 50 }, [0x03, 0x02, 0x32, 0x00]],
  [{ op: 'set_ranges', token: 3, accelRangeG: 8, gyroRangeDps: 500 }, [0x04, 0x03, 0x02, 0x02]],
  [{ op: 'set_ranges', token: 4, accelRangeG: 16, gyroRangeDps: 2000 }, [0x04, 0x04, 0x03, 0x04]],
  [{ op: 'set_ranges', token: 5, accelRangeG: 2, gyroRangeDps: 125 }, [0x04, 0x05, 0x00, 0x00]],
  [{ op: 'haptic', token: 0, pulses: 3, onMs: 250, offMs: 1000, intensityPct: 80 }, [0x05, 0x00, 0x03, 0xfa, 0x00, 0xe8, 0x03, 0x50]],
  [{ op: 'identify', token: 0x42 }, [0x06, 0x42]],
];

const GOLDEN_ACKS: [ControlAck, number[]][] = [
  [{ op: 'start_stream', token: 7, status: 'ok' }, [0x81, 0x07, 0x00]],
  [{ op: 'set_rate', token: 9, status: 'invalid_parameter' }, [0x83, 0x09, 0x01]],
  [{ op: 'haptic', token: 200, status: 'unsupported' }, [0x85, 0xc8, 0x02]],
  [{ op: 'identify', token: 0, status: 'busy' }, [0x86, 0x00, 0x03]],
];

describe('control command golden vectors', () => {
  it.each(GOLDEN_COMMANDS)('%o ⇄ bytes', (command, wire) => {
    expect(Array.from(encodeControlCommand(command))).toEqual(wire);
    expect(decodeControlCommand(Uint8Array.from(wire))).toEqual(command);
    expect(decodeControlCommand(Buffer.from(wire))).toEqual(command);
  });

  it.each(GOLDEN_ACKS)('ack %o ⇄ bytes', (ack, wire) => {
    expect(Array.from(encodeControlAck(ack))).toEqual(wire);
    expect(decodeControlAck(Uint8Array.from(wire))).toEqual(ack);
  });
});

describe('control command decoder rejects malformed writes', () => {
  it('checks length, op code and every parameter range', () => {
    const cases: [number[], string][] = [
      [[], 'too_short'],
      [[0x01], 'too_short'],
      [[0x00, 0x01], 'unknown_op'],
      [[0x07, 0x01], 'unknown_op'],
      [[0x83, 0x01, 0x00], 'unknown_op'], // an ack is not a command
      [[0x01, 0x01, 0x00], 'bad_length'],
      [[0x03, 0x01, 0x90], 'bad_length'],
      [[0x03, 0x01, 0x90, 0x01, 0x00], 'bad_length'],
      [[0x05, 0x01, 3, 250, 0, 232, 3], 'bad_length'],
      [[0x03, 0x01, 0x3c, 0x00], 'bad_value'], // 60 Hz
      [[0x03, 0x01, 0x01, 0x90], 'bad_value'], // 400 written big-endian = 36865 Hz
      [[0x03, 0x01, 0x00, 0x00], 'bad_value'],
      [[0x04, 0x01, 0x04, 0x00], 'bad_code'], // accel code 4
      [[0x04, 0x01, 0x00, 0x05], 'bad_code'], // gyro code 5
      [[0x05, 0x01, 0, 100, 0, 100, 0, 50], 'bad_value'], // pulses 0
      [[0x05, 0x01, 11, 100, 0, 100, 0, 50], 'bad_value'], // pulses 11
      [[0x05, 0x01, 1, 9, 0, 100, 0, 50], 'bad_value'], // on 9 ms
      [[0x05, 0x01, 1, 0xe9, 0x03, 100, 0, 50], 'bad_value'], // on 1001 ms
      [[0x05, 0x01, 1, 100, 0, 0xe9, 0x03, 50], 'bad_value'], // off 1001 ms
      [[0x05, 0x01, 1, 100, 0, 100, 0, 0], 'bad_value'], // intensity 0
      [[0x05, 0x01, 1, 100, 0, 100, 0, 101], 'bad_value'], // intensity 101
    ];
    for (const [wire, code] of cases) {
      expect(protocolErrorCode(() => decodeControlCommand(Uint8Array.from(wire))), JSON.stringify(wire)).toBe(code);
    }
  });

  it('accepts the haptic limits themselves', () => {
    expect(decodeControlCommand(bytes(0x05, 0x01, 1, 10, 0, 0, 0, 1))).toEqual({
      op: 'haptic', token: 1, pulses: 1, onMs: 10, offMs: 0, intensityPct: 1,
    });
    expect(decodeControlCommand(bytes(0x05, 0x01, 10, 0xe8, 0x03, 0xe8, 0x03, 100))).toEqual({
      op: 'haptic', token: 1, pulses: 10, onMs: 1000, offMs: 1000, intensityPct: 100,
    });
  });

  it('refuses non-byte input with a ProtocolError', () => {
    expect(protocolErrorCode(() => decodeControlCommand([1, 2] as unknown as Uint8Array))).toBe('not_bytes');
    expect(protocolErrorCode(() => decodeControlAck(undefined as unknown as Uint8Array))).toBe('not_bytes');
  });
});

describe('control command encoder validates its input', () => {
  it('refuses tokens and parameters the wire cannot carry', () => {
    const bad: ControlCommand[] = [
      { op: 'start_stream', token: 256 },
      { op: 'stop_stream', token: -1 },
      { op: 'identify', token: 1.5 },
      { op: 'set_rate', token: 0, rateHz: 150 as never },
      { op: 'set_ranges', token: 0, accelRangeG: 3 as never, gyroRangeDps: 250 },
      { op: 'set_ranges', token: 0, accelRangeG: 4, gyroRangeDps: 4000 as never },
      { op: 'haptic', token: 0, pulses: 0, onMs: 100, offMs: 100, intensityPct: 50 },
      { op: 'haptic', token: 0, pulses: 1, onMs: 1001, offMs: 100, intensityPct: 50 },
      { op: 'haptic', token: 0, pulses: 1, onMs: 100, offMs: -1, intensityPct: 50 },
      { op: 'haptic', token: 0, pulses: 1, onMs: 100, offMs: 100, intensityPct: 100.5 },
    ];
    for (const command of bad) {
      expect(protocolErrorCode(() => encodeControlCommand(command)), JSON.stringify(command)).toBe('bad_value');
    }
    expect(protocolErrorCode(() => encodeControlCommand({ op: 'reboot', token: 0 } as unknown as ControlCommand))).toBe('unknown_op');
  });
});

describe('control acks', () => {
  it('rejects malformed acks', () => {
    const cases: [number[], string][] = [
      [[0x81, 0x01], 'too_short'],
      [[0x81, 0x01, 0x00, 0x00], 'bad_length'],
      [[0x01, 0x01, 0x00], 'bad_value'], // bit 7 clear: a command echoed back, not an ack
      [[0x80, 0x01, 0x00], 'unknown_op'],
      [[0x87, 0x01, 0x00], 'unknown_op'],
      [[0x81, 0x01, 0x04], 'bad_code'],
    ];
    for (const [wire, code] of cases) {
      expect(protocolErrorCode(() => decodeControlAck(Uint8Array.from(wire))), JSON.stringify(wire)).toBe(code);
    }
  });

  it('refuses acks the wire cannot carry', () => {
    expect(protocolErrorCode(() => encodeControlAck({ op: 'identify', token: 300, status: 'ok' }))).toBe('bad_value');
    expect(protocolErrorCode(() => encodeControlAck({ op: 'identify', token: 1, status: 'done' as never }))).toBe('bad_value');
  });

  it('builds the ack a firmware sends for a rejected write', () => {
    expect(Array.from(encodeRejectionAck(bytes(0x09, 0x05)) ?? [])).toEqual([0x89, 0x05, 0x02]); // unknown op → unsupported
    expect(Array.from(encodeRejectionAck(bytes(0x03, 0x05, 0x3c, 0x00)) ?? [])).toEqual([0x83, 0x05, 0x01]); // 60 Hz
    expect(Array.from(encodeRejectionAck(bytes(0x05, 0x06, 1)) ?? [])).toEqual([0x85, 0x06, 0x01]); // short haptic
    expect(encodeRejectionAck(bytes(0x01, 0x05))).toBeNull(); // valid: ack what was done instead
    expect(encodeRejectionAck(bytes(0x01))).toBeNull(); // no token to echo
    expect(encodeRejectionAck(bytes(0x81, 0x05))).toBeNull(); // would read as an ack of op 1
  });
});

const tokenArb = fc.integer({ min: 0, max: 255 });
const commandArb: fc.Arbitrary<ControlCommand> = fc.oneof(
  fc.record({ op: fc.constant('start_stream' as const), token: tokenArb }),
  fc.record({ op: fc.constant('stop_stream' as const), token: tokenArb }),
  fc.record({ op: fc.constant('identify' as const), token: tokenArb }),
  fc.record({ op: fc.constant('set_rate' as const), token: tokenArb, rateHz: fc.constantFrom(...OUTPUT_RATES_HZ) }),
  fc.record({
    op: fc.constant('set_ranges' as const),
    token: tokenArb,
    accelRangeG: fc.constantFrom(...ACCEL_RANGES_G),
    gyroRangeDps: fc.constantFrom(...GYRO_RANGES_DPS),
  }),
  fc.record({
    op: fc.constant('haptic' as const),
    token: tokenArb,
    pulses: fc.integer({ min: 1, max: 10 }),
    onMs: fc.integer({ min: 10, max: 1000 }),
    offMs: fc.integer({ min: 0, max: 1000 }),
    intensityPct: fc.integer({ min: 1, max: 100 }),
  }),
);
const ackArb: fc.Arbitrary<ControlAck> = fc.record({
  op: fc.constantFrom('start_stream', 'stop_stream', 'set_rate', 'set_ranges', 'haptic', 'identify'),
  token: tokenArb,
  status: fc.constantFrom(...CONTROL_STATUSES),
});

/** Byte strings whose first byte is often a real op (or ack) code, so both outcomes occur. */
function controlLikeBytes(firstBytes: fc.Arbitrary<number>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 12 }),
    fc
      .tuple(firstBytes, fc.uint8Array({ minLength: 0, maxLength: 9 }))
      .map(([first, rest]) => Uint8Array.of(first, ...rest)),
    // Any token, then small parameter bytes: these hit the valid range and status codes often.
    fc
      .tuple(firstBytes, tokenArb, fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }))
      .map(([first, token, rest]) => Uint8Array.of(first, token, ...rest)),
  );
}

/** Decode, and if that succeeds the value must re-encode to the very same bytes; any failure is a ProtocolError. */
function decodesCanonicallyOrThrows<T>(wire: Uint8Array, decode: (b: Uint8Array) => T, encode: (v: T) => Uint8Array): boolean {
  let value: T;
  try {
    value = decode(wire);
  } catch (error) {
    if (error instanceof ProtocolError) return false;
    throw error;
  }
  expect(Array.from(encode(value))).toEqual(Array.from(wire));
  return true;
}

describe('control properties', () => {
  it('round-trips arbitrary valid commands and acks', () => {
    fc.assert(
      fc.property(commandArb, (command) => {
        expect(decodeControlCommand(encodeControlCommand(command))).toEqual(command);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(ackArb, (ack) => {
        expect(decodeControlAck(encodeControlAck(ack))).toEqual(ack);
      }),
      { numRuns: 1000 },
    );
  });

  it('arbitrary bytes decode canonically as a command or throw ProtocolError', () => {
    let decoded = 0;
    fc.assert(
      fc.property(controlLikeBytes(fc.integer({ min: 0, max: 7 })), (wire) => {
        if (decodesCanonicallyOrThrows(wire, decodeControlCommand, encodeControlCommand)) decoded++;
      }),
      { numRuns: 4000 },
    );
    expect(decoded).toBeGreaterThan(50);
  });

  it('arbitrary bytes decode canonically as an ack or throw ProtocolError', () => {
    let decoded = 0;
    fc.assert(
      fc.property(controlLikeBytes(fc.integer({ min: 0x80, max: 0x87 })), (wire) => {
        if (decodesCanonicallyOrThrows(wire, decodeControlAck, encodeControlAck)) decoded++;
      }),
      { numRuns: 4000 },
    );
    expect(decoded).toBeGreaterThan(20);
  });

  it('a rejection ack exists exactly for rejected writes that carry a token and a command op code', () => {
    fc.assert(
      fc.property(controlLikeBytes(fc.integer({ min: 0, max: 9 })), (wire) => {
        let valid = true;
        try {
          decodeControlCommand(wire);
        } catch {
          valid = false;
        }
        const ack = encodeRejectionAck(wire);
        if (valid || wire.length < 2 || wire[0] >= 0x80) {
          expect(ack).toBeNull();
        } else {
          expect(ack?.length).toBe(3);
          expect(ack?.[0]).toBe(0x80 | wire[0]);
          expect(ack?.[1]).toBe(wire[1]);
          expect(ack?.[2]).toBe(wire[0] >= 1 && wire[0] <= 6 ? 1 : 2);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
