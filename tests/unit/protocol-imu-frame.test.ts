import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCEL_RANGES_G,
  GYRO_RANGES_DPS,
  OUTPUT_RATES_HZ,
  ProtocolError,
  accelToCounts,
  countsToAccel,
  countsToGyro,
  decodeImuFrame,
  encodeImuFrame,
  frameSampleCount,
  gyroToCounts,
  sampleTimeUs,
} from '../../shared/protocol/index.ts';
import { Rng } from '../../shared/rng.ts';
import type { AccelRangeG, GyroRangeDps, ImuFrame } from '../../shared/protocol/index.ts';

const G = 9.80665;

/** Element-wise equality; vitest's deep toEqual is too slow for thousands of property runs. */
function sameElements(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Runs `fn` and returns the ProtocolError code it threw; fails the test on success or on another error type. */
function protocolErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

// Written by hand from the spec: seq 0x0102, timestamp 0x0A0B0C0D, 1 sample, accel code 1 (±4 g),
// gyro code 3 (±1000 °/s), rate code 2 (200 Hz), version 1.
//   byte 6 = count 1 | accel code 1 << 5            = 0x21
//   byte 7 = gyro 3 | rate 2 << 3 | version 1 << 5  = 0x03 | 0x10 | 0x20 = 0x33
const GOLDEN_ONE_SAMPLE = Uint8Array.of(
  0x02, 0x01, 0x0d, 0x0c, 0x0b, 0x0a, 0x21, 0x33,
  0x01, 0x00, // ax = 1
  0xff, 0xff, // ay = -1
  0x00, 0x20, // az = 8192 (1 g at ±4 g)
  0x00, 0x80, // gx = -32768
  0xff, 0x7f, // gy = 32767
  0x34, 0x12, // gz = 0x1234
);
const GOLDEN_ONE_SAMPLE_FRAME: ImuFrame = {
  seq: 0x0102,
  timestampUs: 0x0a0b0c0d,
  rateHz: 200,
  accelRangeG: 4,
  gyroRangeDps: 1000,
  counts: Int16Array.of(1, -1, 8192, -32768, 32767, 0x1234),
};

// Wrap-edge frame: seq 65535, timestamp 0xFFFFFFFF, 2 samples, ±16 g (code 3), ±2000 °/s (code 4), 400 Hz (code 3).
//   byte 6 = 2 | 3 << 5 = 0x62;  byte 7 = 4 | 3 << 3 | 1 << 5 = 0x3c
const GOLDEN_WRAP_EDGE = Uint8Array.of(
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x62, 0x3c,
  0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00, 0x05, 0x00,
  0xfa, 0xff, 0xfb, 0xff, 0xfc, 0xff, 0xfd, 0xff, 0xfe, 0xff, 0xff, 0xff,
);

describe('IMU frame golden vectors', () => {
  it('decodes a hand-written 1-sample frame to the counts and settings it spells', () => {
    const frame = decodeImuFrame(GOLDEN_ONE_SAMPLE);
    expect(frame.seq).toBe(258);
    expect(frame.timestampUs).toBe(168496141);
    expect(frame.rateHz).toBe(200);
    expect(frame.accelRangeG).toBe(4);
    expect(frame.gyroRangeDps).toBe(1000);
    expect(Array.from(frame.counts)).toEqual([1, -1, 8192, -32768, 32767, 4660]);
    expect(frame.counts).toBeInstanceOf(Int16Array);
    expect(frameSampleCount(frame)).toBe(1);
  });

  it('encodes the same frame to exactly those bytes', () => {
    expect(encodeImuFrame(GOLDEN_ONE_SAMPLE_FRAME)).toEqual(GOLDEN_ONE_SAMPLE);
  });

  it('handles seq 65535 and timestamp 0xFFFFFFFF with the largest codes', () => {
    const frame = decodeImuFrame(GOLDEN_WRAP_EDGE);
    expect(frame.seq).toBe(65535);
    expect(frame.timestampUs).toBe(4294967295);
    expect(frame.rateHz).toBe(400);
    expect(frame.accelRangeG).toBe(16);
    expect(frame.gyroRangeDps).toBe(2000);
    expect(Array.from(frame.counts)).toEqual([0, 1, 2, 3, 4, 5, -6, -5, -4, -3, -2, -1]);
    expect(encodeImuFrame(frame)).toEqual(GOLDEN_WRAP_EDGE);
    // Sample 1 is one 400 Hz period (2500 µs) later; the helper does not wrap.
    expect(sampleTimeUs(frame, 0)).toBe(4294967295);
    expect(sampleTimeUs(frame, 1)).toBe(4294967295 + 2500);
  });

  it('encodes the smallest codes (50 Hz, ±2 g, ±125 °/s) as zero bits beside the version', () => {
    const bytes = encodeImuFrame({
      seq: 0, timestampUs: 0, rateHz: 50, accelRangeG: 2, gyroRangeDps: 125, counts: new Int16Array(6),
    });
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0x01, 0x20]);
    expect(bytes.length).toBe(20);
  });

  it('places 31 samples in a 380-byte frame', () => {
    const counts = Int16Array.from({ length: 31 * 6 }, (_, i) => i - 93);
    const bytes = encodeImuFrame({ seq: 1, timestampUs: 2, rateHz: 100, accelRangeG: 8, gyroRangeDps: 500, counts });
    expect(bytes.length).toBe(380);
    expect(bytes[6] & 0x1f).toBe(31);
    expect(Array.from(decodeImuFrame(bytes).counts)).toEqual(Array.from(counts));
  });

  it('gives sample times at the frame rate', () => {
    const counts = new Int16Array(4 * 6);
    for (const [rateHz, periodUs] of [[50, 20000], [100, 10000], [200, 5000], [400, 2500]] as const) {
      const frame: ImuFrame = { seq: 0, timestampUs: 1000, rateHz, accelRangeG: 4, gyroRangeDps: 500, counts };
      expect(sampleTimeUs(frame, 3)).toBe(1000 + 3 * periodUs);
    }
    const frame: ImuFrame = { seq: 0, timestampUs: 0, rateHz: 50, accelRangeG: 4, gyroRangeDps: 500, counts };
    expect(protocolErrorCode(() => sampleTimeUs(frame, 4))).toBe('bad_value');
    expect(protocolErrorCode(() => sampleTimeUs(frame, -1))).toBe('bad_value');
  });
});

describe('IMU frame decoder rejects malformed frames', () => {
  const withHeader = (b6: number, b7: number, length = GOLDEN_ONE_SAMPLE.length): Uint8Array => {
    const bytes = new Uint8Array(length);
    bytes.set(GOLDEN_ONE_SAMPLE.subarray(0, Math.min(length, GOLDEN_ONE_SAMPLE.length)));
    bytes[6] = b6;
    bytes[7] = b7;
    return bytes;
  };

  it('names each violation with its own code', () => {
    expect(protocolErrorCode(() => decodeImuFrame(new Uint8Array(0)))).toBe('too_short');
    expect(protocolErrorCode(() => decodeImuFrame(GOLDEN_ONE_SAMPLE.subarray(0, 7)))).toBe('too_short');
    expect(protocolErrorCode(() => decodeImuFrame(GOLDEN_ONE_SAMPLE.subarray(0, 19)))).toBe('bad_length');
    expect(protocolErrorCode(() => decodeImuFrame(withHeader(0x21, 0x33, 21)))).toBe('bad_length');
    expect(protocolErrorCode(() => decodeImuFrame(withHeader(0x22, 0x33)))).toBe('bad_length'); // says 2 samples
    expect(protocolErrorCode(() => decodeImuFrame(withHeader(0x20, 0x33, 8)))).toBe('bad_value'); // count 0
    expect(protocolErrorCode(() => decodeImuFrame(withHeader(0x21, 0x13)))).toBe('bad_version'); // version 0
    expect(protocolErrorCode(() => decodeImuFrame(withHeader(0x21, 0x53)))).toBe('bad_version'); // version 2
    expect(protocolErrorCode(() => decodeImuFrame(withHeader(0xa1, 0x33)))).toBe('reserved_bit');
    expect(protocolErrorCode(() => decodeImuFrame(withHeader(0x21, 0x35)))).toBe('bad_code'); // gyro code 5
    expect(protocolErrorCode(() => decodeImuFrame(withHeader(0x21, 0x37)))).toBe('bad_code'); // gyro code 7
  });

  it('refuses things that are not byte arrays with a ProtocolError, not a TypeError', () => {
    for (const notBytes of [undefined, null, [1, 2, 3], new ArrayBuffer(20), '0102', new Uint16Array(10)]) {
      expect(protocolErrorCode(() => decodeImuFrame(notBytes as unknown as Uint8Array))).toBe('not_bytes');
    }
  });

  it('accepts exactly the header combinations the spec allows (all 65536 of bytes 6–7)', () => {
    let accepted = 0;
    for (let b6 = 0; b6 < 256; b6++) {
      for (let b7 = 0; b7 < 256; b7++) {
        const count = b6 & 0x1f;
        const bytes = new Uint8Array(8 + 12 * Math.max(count, 1));
        bytes[6] = b6;
        bytes[7] = b7;
        const valid = b7 >> 5 === 1 && (b6 & 0x80) === 0 && count >= 1 && (b7 & 0x07) <= 4;
        let ok: boolean;
        try {
          decodeImuFrame(bytes);
          ok = true;
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          ok = false;
        }
        if (ok !== valid) throw new Error(`byte6=0x${b6.toString(16)} byte7=0x${b7.toString(16)}: accepted=${ok}`);
        if (ok) accepted++;
      }
    }
    // 31 counts × 4 accel codes × 5 gyro codes × 4 rate codes.
    expect(accepted).toBe(31 * 4 * 5 * 4);
  });
});

describe('IMU frame decoder and Node Buffers', () => {
  it('reads a view that starts inside a larger buffer (non-zero byteOffset)', () => {
    const backing = new Uint8Array(64).fill(0xaa);
    backing.set(GOLDEN_ONE_SAMPLE, 17);
    const view = backing.subarray(17, 17 + GOLDEN_ONE_SAMPLE.length);
    const buffer = Buffer.from(backing.buffer, 17, GOLDEN_ONE_SAMPLE.length);
    expect(buffer.byteOffset).toBe(17);
    for (const input of [view, buffer]) {
      const frame = decodeImuFrame(input);
      expect(Array.from(frame.counts)).toEqual([1, -1, 8192, -32768, 32767, 4660]);
      expect(frame.seq).toBe(258);
    }
  });

  it('copies the samples, so a reused notification buffer cannot change a decoded frame', () => {
    const buffer = Buffer.from(GOLDEN_ONE_SAMPLE);
    const frame = decodeImuFrame(buffer);
    buffer.fill(0);
    expect(Array.from(frame.counts)).toEqual([1, -1, 8192, -32768, 32767, 4660]);
  });
});

describe('IMU frame encoder validates its input', () => {
  const base = (): ImuFrame => ({ ...GOLDEN_ONE_SAMPLE_FRAME, counts: GOLDEN_ONE_SAMPLE_FRAME.counts.slice() });

  it('refuses fields the wire cannot carry', () => {
    const cases: [Partial<ImuFrame>, string][] = [
      [{ seq: 65536 }, 'bad_value'],
      [{ seq: -1 }, 'bad_value'],
      [{ seq: 1.5 }, 'bad_value'],
      [{ timestampUs: 2 ** 32 }, 'bad_value'],
      [{ timestampUs: -1 }, 'bad_value'],
      [{ timestampUs: Number.NaN }, 'bad_value'],
      [{ rateHz: 150 as never }, 'bad_value'],
      [{ accelRangeG: 3 as never }, 'bad_value'],
      [{ gyroRangeDps: 4000 as never }, 'bad_value'],
      [{ counts: new Int16Array(0) }, 'bad_value'],
      [{ counts: new Int16Array(32 * 6) }, 'bad_value'],
      [{ counts: new Int16Array(7) }, 'bad_length'],
      [{ counts: [1, 2, 3, 4, 5, 6] as unknown as Int16Array }, 'bad_value'],
    ];
    for (const [patch, code] of cases) {
      expect(protocolErrorCode(() => encodeImuFrame({ ...base(), ...patch }))).toBe(code);
    }
  });
});

describe('scaling between physical units and counts', () => {
  it('converts full-scale counts as count × range / 32768', () => {
    expect(countsToAccel(32767, 4)).toBeCloseTo(4 * (32767 / 32768) * G, 12);
    expect(countsToAccel(-32768, 4)).toBeCloseTo(-4 * G, 12);
    expect(countsToAccel(8192, 2)).toBeCloseTo(0.5 * G, 12);
    expect(countsToGyro(16384, 2000)).toBeCloseTo((1000 * Math.PI) / 180, 12);
    expect(countsToGyro(-32768, 125)).toBeCloseTo((-125 * Math.PI) / 180, 12);
  });

  it('converts physical values to the nearest count', () => {
    expect(accelToCounts(G, 4)).toBe(8192);
    expect(accelToCounts(-G, 16)).toBe(-2048);
    expect(gyroToCounts((250 * Math.PI) / 180, 1000)).toBe(8192);
    const lsb = (4 * G) / 32768;
    expect(accelToCounts(100.4 * lsb, 4)).toBe(100);
    expect(accelToCounts(100.6 * lsb, 4)).toBe(101);
    expect(accelToCounts(-100.6 * lsb, 4)).toBe(-101);
    const gyroLsb = ((500 / 32768) * Math.PI) / 180;
    expect(gyroToCounts(-7.3 * gyroLsb, 500)).toBe(-7);
  });

  it('saturates at −32768..32767 instead of wrapping', () => {
    expect(accelToCounts(4 * G, 4)).toBe(32767); // +full scale is one count beyond int16
    expect(accelToCounts(-4 * G, 4)).toBe(-32768);
    expect(accelToCounts(50 * G, 16)).toBe(32767);
    expect(accelToCounts(-50 * G, 2)).toBe(-32768);
    expect(accelToCounts(Number.POSITIVE_INFINITY, 2)).toBe(32767);
    expect(gyroToCounts(100, 2000)).toBe(32767);
    expect(gyroToCounts(-100, 2000)).toBe(-32768);
  });

  it('refuses NaN and ranges outside the profile', () => {
    expect(protocolErrorCode(() => accelToCounts(Number.NaN, 4))).toBe('bad_value');
    expect(protocolErrorCode(() => gyroToCounts(Number.NaN, 250))).toBe('bad_value');
    expect(protocolErrorCode(() => accelToCounts(1, 6 as AccelRangeG))).toBe('bad_value');
    expect(protocolErrorCode(() => countsToGyro(1, 300 as GyroRangeDps))).toBe('bad_value');
  });

  it('round-trips every count through physical units at every range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -32768, max: 32767 }),
        fc.constantFrom(...ACCEL_RANGES_G),
        fc.constantFrom(...GYRO_RANGES_DPS),
        (count, accelRange, gyroRange) => {
          expect(accelToCounts(countsToAccel(count, accelRange), accelRange)).toBe(count);
          expect(gyroToCounts(countsToGyro(count, gyroRange), gyroRange)).toBe(count);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

const frameArb: fc.Arbitrary<ImuFrame> = fc.record({
  seq: fc.integer({ min: 0, max: 0xffff }),
  timestampUs: fc.integer({ min: 0, max: 0xffff_ffff }),
  rateHz: fc.constantFrom(...OUTPUT_RATES_HZ),
  accelRangeG: fc.constantFrom(...ACCEL_RANGES_G),
  gyroRangeDps: fc.constantFrom(...GYRO_RANGES_DPS),
  // Samples come from a seeded generator rather than fc.array: hundreds of shrinkable integers per frame
  // would make 10,000 runs slow, and the codec treats every sample the same way. Extremes are mixed in.
  counts: fc.tuple(fc.integer({ min: 1, max: 31 }), fc.integer()).map(([n, seed]) => {
    const rng = new Rng(seed);
    const extremes = [-32768, -1, 0, 1, 32767];
    return Int16Array.from({ length: 6 * n }, () =>
      rng.next() < 0.2 ? extremes[rng.int(0, extremes.length - 1)] : rng.int(-32768, 32767),
    );
  }),
});

/** Bytes that are sometimes valid: pure noise, and valid frames that were cut, extended or had bytes overwritten. */
const frameLikeBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 400 }),
  fc.uint8Array({ minLength: 0, maxLength: 24 }),
  fc
    .tuple(
      frameArb.map(encodeImuFrame),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
      fc.oneof(fc.constant(0), fc.integer({ min: -13, max: 13 })),
    )
    .map(([bytes, writes, lengthChange]) => {
      const out = new Uint8Array(Math.max(0, bytes.length + lengthChange));
      out.set(bytes.subarray(0, out.length));
      for (const [at, value] of writes) if (out.length > 0) out[at % out.length] = value;
      return out;
    }),
);

describe('IMU frame properties', () => {
  it('decode(encode(frame)) gives the frame back for arbitrary valid frames', () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const bytes = encodeImuFrame(frame);
        expect(bytes.length).toBe(8 + 12 * frameSampleCount(frame));
        const back = decodeImuFrame(bytes);
        expect(back.counts).toBeInstanceOf(Int16Array);
        expect(sameElements(back.counts, frame.counts)).toBe(true);
        expect({ ...back, counts: null }).toEqual({ ...frame, counts: null });
      }),
      { numRuns: 2000 },
    );
  });

  it('any byte array either throws ProtocolError or decodes to a frame that re-encodes to the same bytes', () => {
    let decoded = 0;
    fc.assert(
      fc.property(frameLikeBytesArb, (bytes) => {
        let frame: ImuFrame;
        try {
          frame = decodeImuFrame(bytes);
        } catch (error) {
          if (error instanceof ProtocolError) return;
          throw error;
        }
        decoded++;
        expect(sameElements(encodeImuFrame(frame), bytes)).toBe(true);
      }),
      { numRuns: 10_000 },
    );
    // The generator must reach the accepting path too, or the property says nothing about it.
    expect(decoded).toBeGreaterThan(500);
  });

  it('a single flipped header bit is rejected or changes only header fields, never a sample', () => {
    fc.assert(
      fc.property(frameArb, fc.integer({ min: 0, max: 63 }), (frame, bit) => {
        const bytes = encodeImuFrame(frame);
        bytes[bit >> 3] ^= 1 << (bit & 7);
        let flipped: ImuFrame;
        try {
          flipped = decodeImuFrame(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          return;
        }
        expect(sameElements(encodeImuFrame(flipped), bytes)).toBe(true);
        expect(sameElements(flipped.counts, frame.counts)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
