import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { selectKth } from '../../gateway/sensing/select.ts';

describe('selectKth', () => {
  it('gives what sorting would put at index k, for any array with repeats', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }).map((v) => v / 4), { minLength: 1, maxLength: 300 }),
        fc.nat(),
        (values, kSeed) => {
          const k = kSeed % values.length;
          const sorted = [...values].sort((a, b) => a - b);
          expect(selectKth(Float64Array.from(values), values.length, k)).toBe(sorted[k]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads only the first n values', () => {
    const values = Float64Array.from([5, 1, 4, -100, -200]);
    expect(selectKth(values, 3, 1)).toBe(4);
  });
});
