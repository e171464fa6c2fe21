/**
 * Smooth scalar shapes for the motion script. Everything the body does is built from these so that position
 * has continuous acceleration (no spurious spikes in the simulated accelerometer).
 */

/** Minimum-jerk (quintic) transition 0 → 1 over u ∈ [0, 1], clamped outside; zero velocity and acceleration at both ends. */
export function minJerk(u: number): number {
  if (u <= 0) return 0;
  if (u >= 1) return 1;
  return u * u * u * (10 + u * (-15 + 6 * u));
}

/** Bump 0 → 1 → 0 over u ∈ [0, 1] (64 u³(1−u)³), zero outside; zero slope and curvature at both ends. */
export function bump(u: number): number {
  if (u <= 0 || u >= 1) return 0;
  const v = u * (1 - u);
  return 64 * v * v * v;
}

/**
 * Soft saturation: equals h up to `knee`, then bends over (slope 1 − minJerk) and levels off at knee + width/2
 * once h ≥ knee + width. Twice continuously differentiable, so a pelvis angle driven through it stays smooth.
 */
export function softSaturate(h: number, knee: number, width: number): number {
  if (h <= knee) return h;
  const x = (h - knee) / width;
  if (x >= 1) return knee + width / 2;
  // ∫₀ˣ minJerk = x⁶ − 3x⁵ + 2.5x⁴
  const x4 = x * x * x * x;
  return knee + width * (x - x4 * (x * x - 3 * x + 2.5));
}
