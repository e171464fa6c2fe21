import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrientationFilter, VQF_PAPER_TAU_ACC_S } from '../../gateway/sensing/orientation/index.ts';
import { BROAD_DIR, BROAD_VQF_REFERENCE, inclinationRmse, loadBroadTrial } from '../../scripts/broad-data.ts';

const TRIAL = '15_undisturbed_fast_translation_A';
// The BROAD trials are the team's reference data beside the checkout (../shared), not part of the project: a
// user's clone has none, and then this test is skipped, saying so.
const present = existsSync(join(BROAD_DIR, `${TRIAL}.csv.gz`));
if (!present) console.log(`BROAD orientation test skipped: ${BROAD_DIR} is absent (the team's reference data, read at run time)`);

describe.skipIf(!present)('OrientationFilter on real data', () => {
  it("with the paper's parameters, matches VQF on a BROAD trial with fast translations (inclination RMSE ≤ 1.2 × VQF)", async () => {
    const trial = await loadBroadTrial(BROAD_DIR, TRIAL);
    // The default tauAcc is shorter than the paper's (params.ts): this checks the implementation against VQF's
    // published figures, so it runs with the paper's value.
    const filter = new OrientationFilter({ tauAcc: VQF_PAPER_TAU_ACC_S });
    const estimate = new Float64Array(4 * trial.n);
    const q = new Float64Array(4);
    const d = trial.imu;
    for (let i = 0; i < trial.n; i++) {
      filter.update(d[7 * i], d[7 * i + 1], d[7 * i + 2], d[7 * i + 3], d[7 * i + 4], d[7 * i + 5], d[7 * i + 6]);
      filter.quaternion(q);
      estimate.set(q, 4 * i);
    }
    expect(inclinationRmse(trial, estimate)).toBeLessThanOrEqual(1.2 * BROAD_VQF_REFERENCE['15']);
  });
});
