/**
 * Order statistics without sorting: a rep's median time step is needed once per rep, over up to thousands of
 * steps, and a full sort of a fresh array cost more than the rest of the rep's bookkeeping.
 */

/**
 * The value that sorting values[0, n) ascending would put at index k (0 ≤ k < n), found by quickselect
 * (Hoare's partition) in O(n) on average. Reorders values[0, n). The values must be comparable with `<`: no NaN,
 * and no zeros of both signs (sort orders −0 before +0, which `<` does not tell apart).
 */
export function selectKth(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        i++;
        j--;
      }
    }
    // values[lo..j] ≤ pivot ≤ values[i..hi], and everything strictly between j and i equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}
