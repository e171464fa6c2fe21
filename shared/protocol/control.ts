/**
 * The control characteristic: the gateway writes `[op][token][params…]` (write with response) and the sensor
 * answers each command with a 3-byte ack notification `[0x80 | op][token][status]`. Lengths are exact per op.
 * The token (0..255, chosen by the gateway) is echoed so acks can be matched to commands even when several
 * are in flight.
 */
import { accelRangeCode, accelRangeFromCode, gyroRangeCode, gyroRangeFromCode } from './codes.ts';
import { ProtocolError } from './errors.ts';
import { OUTPUT_RATES_HZ } from './profile.ts';
import type { AccelRangeG, GyroRangeDps, OutputRateHz } from './profile.ts';
import { assertBytes, assertExactLength, assertIntInRange } from './validate.ts';

export type ControlCommand =
  | { op: 'start_stream'; token: number }
  | { op: 'stop_stream'; token: number }
  | { op: 'set_rate'; token: number; rateHz: OutputRateHz }
  | { op: 'set_ranges'; token: number; accelRangeG: AccelRangeG; gyroRangeDps: GyroRangeDps }
  | { op: 'haptic'; token: number; pulses: number; onMs: number; offMs: number; intensityPct: number }
  | { op: 'identify'; token: number };

export type ControlOp = ControlCommand['op'];

/** Op code on the wire for each command. */
export const CONTROL_OP_CODES: Readonly<Record<ControlOp, number>> = {
  start_stream: 0x01,
  stop_stream: 0x02,
  set_rate: 0x03,
  set_ranges: 0x04,
  haptic: 0x05,
  identify: 0x06,
};

/** Total write length (op + token + params) for each command. */
export const CONTROL_COMMAND_LENGTHS: Readonly<Record<ControlOp, number>> = {
  start_stream: 2,
  stop_stream: 2,
  set_rate: 4,
  set_ranges: 4,
  haptic: 8,
  identify: 2,
};

/** Inclusive parameter ranges of the haptic command. */
export const HAPTIC_LIMITS = {
  pulses: { min: 1, max: 10 },
  onMs: { min: 10, max: 1000 },
  offMs: { min: 0, max: 1000 },
  intensityPct: { min: 1, max: 100 },
} as const;

/** Ack status codes are the indices of this table. */
export const CONTROL_STATUSES = ['ok', 'invalid_parameter', 'unsupported', 'busy'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

export interface ControlAck {
  op: ControlOp;
  token: number;
  status: ControlStatus;
}

/** Bit 7 of an ack's first byte marks it as an ack, the low 7 bits repeat the op code. */
export const CONTROL_ACK_FLAG = 0x80;
export const CONTROL_ACK_BYTES = 3;

const OP_BY_CODE = new Map<number, ControlOp>(
  (Object.entries(CONTROL_OP_CODES) as [ControlOp, number][]).map(([op, code]) => [code, op]),
);

function opFromCode(code: number, where: string): ControlOp {
  const op = OP_BY_CODE.get(code);
  if (op === undefined) {
    throw new ProtocolError('unknown_op', `${where}: unknown op code 0x${code.toString(16).padStart(2, '0')}`);
  }
  return op;
}

function codeOfOp(op: ControlOp): number {
  const code = (CONTROL_OP_CODES as Record<string, number | undefined>)[op];
  if (code === undefined) throw new ProtocolError('unknown_op', `unknown control op ${JSON.stringify(op)}`);
  return code;
}

function checkHaptic(pulses: number, onMs: number, offMs: number, intensityPct: number): void {
  assertIntInRange(pulses, HAPTIC_LIMITS.pulses.min, HAPTIC_LIMITS.pulses.max, 'haptic pulses');
  assertIntInRange(onMs, HAPTIC_LIMITS.onMs.min, HAPTIC_LIMITS.onMs.max, 'haptic onMs');
  assertIntInRange(offMs, HAPTIC_LIMITS.offMs.min, HAPTIC_LIMITS.offMs.max, 'haptic offMs');
  assertIntInRange(intensityPct, HAPTIC_LIMITS.intensityPct.min, HAPTIC_LIMITS.intensityPct.max, 'haptic intensityPct');
}

export function encodeControlCommand(cmd: ControlCommand): Uint8Array {
  const code = codeOfOp(cmd.op);
  assertIntInRange(cmd.token, 0, 0xff, 'control token');
  const out = new Uint8Array(CONTROL_COMMAND_LENGTHS[cmd.op]);
  out[0] = code;
  out[1] = cmd.token;
  switch (cmd.op) {
    case 'set_rate':
      if (!OUTPUT_RATES_HZ.includes(cmd.rateHz)) {
        throw new ProtocolError('bad_value', `set_rate: rate must be one of ${OUTPUT_RATES_HZ.join('/')} Hz, got ${String(cmd.rateHz)}`);
      }
      out[2] = cmd.rateHz;
      out[3] = cmd.rateHz >>> 8;
      break;
    case 'set_ranges':
      out[2] = accelRangeCode(cmd.accelRangeG);
      out[3] = gyroRangeCode(cmd.gyroRangeDps);
      break;
    case 'haptic':
      checkHaptic(cmd.pulses, cmd.onMs, cmd.offMs, cmd.intensityPct);
      out[2] = cmd.pulses;
      out[3] = cmd.onMs;
      out[4] = cmd.onMs >>> 8;
      out[5] = cmd.offMs;
      out[6] = cmd.offMs >>> 8;
      out[7] = cmd.intensityPct;
      break;
    case 'start_stream':
    case 'stop_stream':
    case 'identify':
      break;
  }
  return out;
}

export function decodeControlCommand(bytes: Uint8Array): ControlCommand {
  assertBytes(bytes, 'control command');
  if (bytes.length < 2) {
    throw new ProtocolError('too_short', `control command: ${bytes.length} bytes, op and token need 2`);
  }
  const op = opFromCode(bytes[0], 'control command');
  const expected = CONTROL_COMMAND_LENGTHS[op];
  if (bytes.length !== expected) {
    throw new ProtocolError('bad_length', `control command ${op}: ${bytes.length} bytes, expected ${expected}`);
  }
  const token = bytes[1];
  switch (op) {
    case 'start_stream':
    case 'stop_stream':
    case 'identify':
      return { op, token };
    case 'set_rate': {
      const rate = bytes[2] | (bytes[3] << 8);
      const rateHz = OUTPUT_RATES_HZ.find((r) => r === rate);
      if (rateHz === undefined) {
        throw new ProtocolError('bad_value', `set_rate: ${rate} Hz is not one of ${OUTPUT_RATES_HZ.join('/')}`);
      }
      return { op, token, rateHz };
    }
    case 'set_ranges':
      return {
        op,
        token,
        accelRangeG: accelRangeFromCode(bytes[2], 'set_ranges'),
        gyroRangeDps: gyroRangeFromCode(bytes[3], 'set_ranges'),
      };
    case 'haptic': {
      const pulses = bytes[2];
      const onMs = bytes[3] | (bytes[4] << 8);
      const offMs = bytes[5] | (bytes[6] << 8);
      const intensityPct = bytes[7];
      checkHaptic(pulses, onMs, offMs, intensityPct);
      return { op, token, pulses, onMs, offMs, intensityPct };
    }
  }
}

export function encodeControlAck(ack: ControlAck): Uint8Array {
  const code = codeOfOp(ack.op);
  assertIntInRange(ack.token, 0, 0xff, 'ack token');
  const status = CONTROL_STATUSES.indexOf(ack.status);
  if (status < 0) throw new ProtocolError('bad_value', `unknown ack status ${JSON.stringify(ack.status)}`);
  return Uint8Array.of(CONTROL_ACK_FLAG | code, ack.token, status);
}

export function decodeControlAck(bytes: Uint8Array): ControlAck {
  assertBytes(bytes, 'control ack');
  assertExactLength(bytes, CONTROL_ACK_BYTES, 'control ack');
  if ((bytes[0] & CONTROL_ACK_FLAG) === 0) {
    throw new ProtocolError('bad_value', 'control ack: bit 7 of byte 0 is clear (that is a command, not an ack)');
  }
  const op = opFromCode(bytes[0] & ~CONTROL_ACK_FLAG, 'control ack');
  const status = CONTROL_STATUSES[bytes[2]];
  if (status === undefined) {
    throw new ProtocolError('bad_code', `control ack: status code ${bytes[2]} is not 0..${CONTROL_STATUSES.length - 1}`);
  }
  return { op, token: bytes[1], status };
}

/**
 * Firmware side: the ack to send for a control write that decodeControlCommand rejects — `unsupported` for an
 * op code the profile does not define, `invalid_parameter` for a known op with a wrong length or value.
 * Returns null when the write is valid (send the ack for the executed command instead) or when no ack can be
 * formed: fewer than 2 bytes (no token) or an op code with bit 7 set (it would read as an ack of another op);
 * such writes are refused with an ATT error instead.
 */
export function encodeRejectionAck(bytes: Uint8Array): Uint8Array | null {
  assertBytes(bytes, 'control command');
  if (bytes.length < 2 || (bytes[0] & CONTROL_ACK_FLAG) !== 0) return null;
  try {
    decodeControlCommand(bytes);
    return null;
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    const status: ControlStatus = error.code === 'unknown_op' ? 'unsupported' : 'invalid_parameter';
    return Uint8Array.of(CONTROL_ACK_FLAG | bytes[0], bytes[1], CONTROL_STATUSES.indexOf(status));
  }
}
