/**
 * The one error type of the squatmon GATT codec. Every malformed or out-of-range input — bytes from the radio
 * or fields handed to an encoder — ends as a ProtocolError, so callers need exactly one catch to drop a bad
 * notification or refuse a bad command, and a bug in the codec cannot hide behind a RangeError or TypeError.
 */

/**
 * Why a payload or a field was refused.
 * - `not_bytes`: the decoder was not given a Uint8Array (a Node Buffer is one).
 * - `too_short`: fewer bytes than the smallest valid payload of that kind.
 * - `bad_length`: the length does not match what the header or op code announces.
 * - `bad_version`: an IMU frame of a format version this codec does not speak.
 * - `reserved_bit`: a bit the profile reserves was set.
 * - `bad_code`: a range, rate or status code outside its table.
 * - `bad_value`: a number outside its allowed range (or not an integer where one is required).
 * - `unknown_op`: a control op code this profile does not define.
 */
export type ProtocolErrorCode =
  | 'not_bytes'
  | 'too_short'
  | 'bad_length'
  | 'bad_version'
  | 'reserved_bit'
  | 'bad_code'
  | 'bad_value'
  | 'unknown_op';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
