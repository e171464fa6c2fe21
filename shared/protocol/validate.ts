/**
 * Input checks shared by the codec modules (internal: not re-exported). Each one throws ProtocolError, so every
 * rejection path of every decoder and encoder has the same shape.
 */
import { ProtocolError } from './errors.ts';

/** Decoders accept Uint8Array and Buffer; anything else is a caller bug, reported the same way as bad bytes. */
export function assertBytes(bytes: unknown, what: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError('not_bytes', `${what}: expected a Uint8Array or Buffer`);
  }
}

/** Integer in [min, max]; NaN, ±Infinity and fractions fail. */
export function assertIntInRange(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError('bad_value', `${what} must be an integer in ${min}..${max}, got ${String(value)}`);
  }
}

/** Exact byte length for a fixed-size payload: short and long are told apart for clearer logs. */
export function assertExactLength(bytes: Uint8Array, expected: number, what: string): void {
  if (bytes.length < expected) {
    throw new ProtocolError('too_short', `${what}: ${bytes.length} bytes, expected ${expected}`);
  }
  if (bytes.length !== expected) {
    throw new ProtocolError('bad_length', `${what}: ${bytes.length} bytes, expected ${expected}`);
  }
}
