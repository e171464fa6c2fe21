/**
 * Two reps in one window. The rep detector closes a window at a rest or at an upright top; when it misses a
 * touch-and-go top (no anchor yet in a recording that starts in the sway, a live depth that drifted), two reps
 * reach the refined integration (docs/SENSING.md §9) as one window. Their refined depth, integrated between the
 * window's two rests, shows it plainly: down a rep's depth, back up near the top, down again. The window is then
 * cut at that top and each part analysed as a rep of its own.
 */
/** The top between two dips lies within this share of the shallower dip's depth of the window's reference. */
export const MERGED_TOP_SHARE = 0.25;
/**
 * Each dip goes at least this share of the deepest one below the top: a drifting window on a cheap sensor wobbles
 * by a few centimetres, and one such wobble of 10 cm beside a 36 cm rep was cut off as a rep of its own (a real
 * recording with the simulator's cheap-sensor errors on top; ACCURACY.md "Real recordings, perturbed").
 */
export const MERGED_DIP_SHARE = 0.5;

/**
 * The index of the top between two reps merged into the window whose refined depth is `depthCm[0, n)` (cm,
 * positive down) with its deepest point at `bottom`, or null when the window holds one rep. A dip is a rep when
 * it goes at least `minRepDepthCm` below the top.
 */
export function mergedRepsTop(depthCm: ArrayLike<number>, n: number, bottom: number, minRepDepthCm: number): number | null {
  const minDip = Math.max(minRepDepthCm, MERGED_DIP_SHARE * depthCm[bottom]);
  // The other rep lies before or after the deepest point: walking away from it, the shallowest point so far is
  // the top candidate, and the depth after it the other dip.
  for (const direction of [-1, 1]) {
    let top = bottom;
    let otherDip = -Infinity;
    for (let k = bottom + direction; k >= 0 && k < n; k += direction) {
      if (depthCm[k] < depthCm[top]) {
        top = k;
        otherDip = -Infinity;
        continue;
      }
      otherDip = Math.max(otherDip, depthCm[k]);
      if (otherDip - depthCm[top] >= minDip && depthCm[top] <= MERGED_TOP_SHARE * otherDip) return top;
    }
  }
  return null;
}
