/**
 * `# gyro_bias: sensor=<id> rad_s=<x>,<y>,<z> cov=<c00>,<c01>,<c02>,<c11>,<c12>,<c22>` — a header comment the
 * gateway writes, for each sensor, with its orientation filter's gyroscope bias estimate and that estimate's
 * covariance ((rad/s)², upper triangle) as they were when the recording's first sample reached the filter (sets
 * after a session's first). A reader that starts its filter from it continues where the live gateway was instead
 * of learning the bias again over the first reps: without it, `analyze` of a session's later set differed from
 * the live reps by up to 1 cm and 1.5° (docs/RELIABILITY.md). Other readers ignore it, as any comment.
 */
import type { RecordingComment } from './format.ts';
import { commentFromText } from './format.ts';

export interface GyroBias {
  /** The bias estimate, rad/s, sensor frame. */
  readonly radS: readonly [number, number, number];
  /** Its covariance, (rad/s)²: c00, c01, c02, c11, c12, c22. */
  readonly covariance: readonly [number, number, number, number, number, number];
}

const KEY = 'gyro_bias';
/** A working gyroscope's bias is a few °/s; anything beyond 0.5 rad/s (29 °/s) is not a bias estimate. */
const MAX_BIAS_RAD_S = 0.5;
/** A variance beyond (0.5 rad/s)² says nothing; a covariance entry beyond it is not an estimate's. */
const MAX_COVARIANCE = MAX_BIAS_RAD_S * MAX_BIAS_RAD_S;

function plausible(bias: GyroBias): boolean {
  const [c00, , , c11, , c22] = bias.covariance;
  return (
    bias.radS.every((v) => Number.isFinite(v) && Math.abs(v) <= MAX_BIAS_RAD_S) &&
    bias.covariance.every((v) => Number.isFinite(v) && Math.abs(v) <= MAX_COVARIANCE) &&
    c00 >= 0 && c11 >= 0 && c22 >= 0
  );
}

export function gyroBiasComment(sensorId: string, bias: GyroBias): RecordingComment {
  if (!plausible(bias)) throw new RangeError(`gyro bias of ${sensorId} out of range: ${JSON.stringify(bias)}`);
  // Shortest round-trip form: a reader gets the very numbers the filter had.
  const rad = bias.radS.map(String).join(',');
  const cov = bias.covariance.map(String).join(',');
  return commentFromText(`${KEY}: sensor=${sensorId} rad_s=${rad} cov=${cov}`);
}

/**
 * The gyroscope bias estimates a recording's comments give, by sensor id. A malformed or implausible one is
 * skipped, not an error: it is a head start for the filter, which learns the bias by itself anyway.
 */
export function gyroBiasesFrom(comments: readonly RecordingComment[]): Map<string, GyroBias> {
  const out = new Map<string, GyroBias>();
  for (const comment of comments) {
    if (comment.key !== KEY) continue;
    const m = /^sensor=(\S+)\s+rad_s=(\S+)\s+cov=(\S+)\s*$/.exec(comment.value);
    if (m === null) continue;
    const rad = m[2]!.split(',').map(Number);
    const cov = m[3]!.split(',').map(Number);
    if (rad.length !== 3 || cov.length !== 6) continue;
    const bias: GyroBias = { radS: rad as [number, number, number], covariance: cov as [number, number, number, number, number, number] };
    if (plausible(bias)) out.set(m[1]!, bias);
  }
  return out;
}
