/**
 * Learns why the measured vertical acceleration is wrong, so that live depth stays accurate through a rep.
 *
 * The accelerometer's bias b (sensor frame, ~0.1 m/s² per axis even after factory calibration) reaches the
 * earth-vertical acceleration through the current orientation: error = r(t)·b, with r(t) the earth's up
 * direction seen in the sensor frame (third row of R). Standing still only reveals r_standing·b; as the pelvis
 * tilts 20–40° in a squat, the projection changes and a bias learned at standing no longer cancels — a few
 * centimetres of live-depth error per rep. Plus a constant c: the error of the gravity-magnitude estimate.
 *
 * Measurement model: a_measured(t) = a_true(t) + h(t)·x, with h = [r_x, r_y, r_z, 1] and x = [b; c].
 * Observations (linear least squares with a ridge towards 0, weighed by how well the data agree, and a
 * forgetting factor, so the estimate follows slow bias drift):
 *  - a still moment: a_true = 0, so mean(a_measured) = mean(h)·x;
 *  - a finished rep, which starts and ends at rest at the same height: ∫a_true = 0 and ∬a_true = 0 over its
 *    window, so ∫a_measured = (∫h)·x and ∬a_measured = (∬h)·x.
 * Standing alone pins down only the standing direction; each rep adds the directions the pelvis passed through.
 */
const N = 4;
/**
 * The prior: each unknown is 0 (a calibrated sensor) with this standard deviation, m/s² — half the largest
 * accelerometer bias the product supports (±0.15 m/s² per axis, docs/SENSING.md §6).
 */
const PRIOR_SD = 0.075;
/**
 * The ridge is the prior's weight against one still moment: (scatter of a still moment about the model)² ÷
 * PRIOR_SD². The scatter is learned per sensor (empirical Bayes): a clean sensor on a calm lifter agrees with
 * the model to a few thousandths of m/s², and the data then outweigh the prior; a noisy sensor or a restless
 * lifter scatters by a few hundredths, and the prior holds. It starts at the fixed value it had before
 * (0.013 m/s², ridge 0.03) and stays within these bounds.
 */
const INITIAL_STILL_SCATTER = 0.013;
const MIN_RIDGE = 0.01;
const MAX_RIDGE = 0.3;
/** Share of each still moment's squared residual taken into the learned scatter (about the last ten moments). */
const SCATTER_GAIN = 0.1;
/** Each new observation discounts the old ones by this factor (bias drifts with temperature). */
const FORGETTING = 0.97;
/** Weight of a rep's two integral constraints relative to one still moment. */
const REP_WEIGHT = 4;

export class VerticalBiasModel {
  private readonly normal = new Float64Array(N * N);
  private readonly rhs = new Float64Array(N);
  readonly estimate = new Float64Array(N);
  private readonly work = new Float64Array(N * (N + 1));

  /** Mean squared residual of still moments after the fit, (m/s²)², and the ridge it gives. */
  private stillScatterSquare = INITIAL_STILL_SCATTER * INITIAL_STILL_SCATTER;
  private ridge = ridgeFor(this.stillScatterSquare);

  /** The modelled error of the measured vertical acceleration for up direction (rx, ry, rz), m/s². */
  error(rx: number, ry: number, rz: number): number {
    const x = this.estimate;
    return rx * x[0] + ry * x[1] + rz * x[2] + x[3];
  }

  /** A still moment: mean up direction and mean measured vertical acceleration over it. */
  observeStill(rx: number, ry: number, rz: number, meanAcc: number): void {
    this.add(rx, ry, rz, 1, meanAcc, 1);
    this.solve();
    const residual = meanAcc - this.error(rx, ry, rz);
    this.stillScatterSquare += SCATTER_GAIN * (residual * residual - this.stillScatterSquare);
    this.ridge = ridgeFor(this.stillScatterSquare);
  }

  /** The prior's current weight against one still moment (see ridgeFor). */
  get ridgeWeight(): number {
    return this.ridge;
  }

  /**
   * A finished rep window at rest at both ends and at the same height: the time integrals of h and of the
   * measured acceleration (single: [∫rx, ∫ry, ∫rz, T, ∫a]; double the same with ∬ and T²/2).
   */
  observeRep(single: ArrayLike<number>, double: ArrayLike<number>): void {
    // Scale each row to "mean acceleration" units so the two rows and still moments are comparable.
    const T = single[3];
    const T2 = double[3];
    if (!(T > 0 && T2 > 0)) return;
    this.add(single[0] / T, single[1] / T, single[2] / T, 1, single[4] / T, REP_WEIGHT);
    this.add(double[0] / T2, double[1] / T2, double[2] / T2, 1, double[4] / T2, REP_WEIGHT);
    this.solve();
  }

  private add(h0: number, h1: number, h2: number, h3: number, y: number, weight: number): void {
    const A = this.normal;
    for (let i = 0; i < N * N; i++) A[i] *= FORGETTING;
    for (let i = 0; i < N; i++) this.rhs[i] *= FORGETTING;
    const h = [h0, h1, h2, h3];
    for (let i = 0; i < N; i++) {
      this.rhs[i] += weight * h[i] * y;
      for (let j = 0; j < N; j++) A[i * N + j] += weight * h[i] * h[j];
    }
  }

  /** Gaussian elimination with partial pivoting on the 4×4 normal equations (positive definite). */
  private solve(): void {
    const M = this.work;
    const W = N + 1;
    for (let i = 0; i < N; i++) {
      // The prior is added here, at full strength: forgetting must not erode it.
      for (let j = 0; j < N; j++) M[i * W + j] = this.normal[i * N + j] + (i === j ? this.ridge : 0);
      M[i * W + N] = this.rhs[i];
    }
    for (let col = 0; col < N; col++) {
      let pivot = col;
      for (let r = col + 1; r < N; r++) if (Math.abs(M[r * W + col]) > Math.abs(M[pivot * W + col])) pivot = r;
      if (pivot !== col) {
        for (let j = 0; j < W; j++) {
          const tmp = M[col * W + j];
          M[col * W + j] = M[pivot * W + j];
          M[pivot * W + j] = tmp;
        }
      }
      const d = M[col * W + col];
      for (let r = col + 1; r < N; r++) {
        const f = M[r * W + col] / d;
        for (let j = col; j < W; j++) M[r * W + j] -= f * M[col * W + j];
      }
    }
    for (let i = N - 1; i >= 0; i--) {
      let s = M[i * W + N];
      for (let j = i + 1; j < N; j++) s -= M[i * W + j] * this.estimate[j];
      this.estimate[i] = s / M[i * W + i];
    }
  }
}

/** The ridge for a still-moment scatter (squared, (m/s²)²): the prior's weight in still-moment units. */
function ridgeFor(stillScatterSquare: number): number {
  return Math.min(MAX_RIDGE, Math.max(MIN_RIDGE, stillScatterSquare / (PRIOR_SD * PRIOR_SD)));
}
