/** A vibration pattern the firmware played, with the true time its first pulse started. */
export interface HapticPulseRecord {
  readonly t: number;
  readonly token: number;
  readonly pulses: number;
  readonly onMs: number;
  readonly offMs: number;
  readonly intensityPct: number;
}

/** True time at which the pattern's last pulse ends. */
export function hapticEndTime(p: HapticPulseRecord): number {
  return p.t + (p.pulses * p.onMs + (p.pulses - 1) * p.offMs) / 1000;
}

/** Seconds of motor-on time of the pattern inside [from, to] (battery drain is proportional to it). */
export function hapticOnTimeWithin(p: HapticPulseRecord, from: number, to: number): number {
  const on = p.onMs / 1000;
  const cycle = (p.onMs + p.offMs) / 1000;
  let total = 0;
  for (let i = 0; i < p.pulses; i++) {
    const start = p.t + i * cycle;
    const overlap = Math.min(to, start + on) - Math.max(from, start);
    if (overlap > 0) total += overlap;
  }
  return total;
}
