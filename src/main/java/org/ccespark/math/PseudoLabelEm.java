package org.ccespark.math;

import java.util.Arrays;

/**
 * The paper's EM algorithm for the pseudo-labels of the self-labeling loss {@code L_CCE+} (eq. 11),
 * over a block of {@code M} points with fixed predictions {@code σ_i} (row-major {@code M × K}).
 *
 * <h2>Per-point weights from the mean loss</h2>
 *
 * The loss is a mean over the {@code M} points in scope plus the fairness term:
 *
 * <pre>
 *   L = (1/M) Σ_i H2(y_i, σ_i) + λ KL(u‖ȳ),   ȳ = (1/M) Σ_i y_i,
 *   λ KL(u‖ȳ) = -λ Σ_k u_k ln ȳ_k + const = -λ Σ_k u_k ln Σ_i S_ik · y_ik / (S_ik M) + const
 *             ≤ -λ Σ_k u_k Σ_i S_ik ln (y_ik / (S_ik M)) + const          (Jensen, eq. 13)
 * </pre>
 *
 * for any {@code S^k ∈ Δ_M}; the bound is tight at {@code S_ik = y_ik / Σ_j y_jk} (E-step, eq. 14).
 * With {@code S} fixed the bound separates over points; multiplying point {@code i}'s part by
 * {@code M} gives eq. 15 with weights
 *
 * <pre>
 *   w_ik = λ · u_k · M · S_ik = λ · u_k · y_ik / ȳ_k      (M-step, solved by {@link NewtonMStep}).
 * </pre>
 *
 * So the factor {@code M} appears in the per-point weight, {@code M·S_ik = y_ik/ȳ_k} is of order one
 * whatever the number of points, and {@code λ} keeps the paper's meaning (default 100) for a block
 * of 250 points or for a whole data set. Here {@code u} is uniform, {@code u_k = 1/K}.
 *
 * <p>Each EM iteration lowers the bound (13) and therefore {@code L_CCE+}; points are independent in
 * the M-step, so a distributed caller can compute the column sums {@code Σ_i y_ik} of all blocks,
 * reduce them, and then run {@link #mStep} on every block with the global sums and {@code M}.
 */
public final class PseudoLabelEm {
  private PseudoLabelEm() {}

  /** How an EM solve ended. */
  public record Result(int iterations, boolean converged, double maxChange, long newtonIterations) {}

  /** Adds the column sums {@code Σ_i y_ik} of the block to {@code sums} (length K). */
  public static void addColumnSums(double[] y, int rows, int k, double[] sums) {
    for (int i = 0; i < rows; i++) {
      int o = i * k;
      for (int c = 0; c < k; c++) {
        sums[c] += y[o + c];
      }
    }
  }

  /**
   * One E-step plus M-step on a block, in place: with {@code S_ik = y_ik / colSums_k} (eq. 14) over
   * {@code m} points in scope, every row's {@code y_i} is replaced by the solution of eq. 15.
   * Newton starts from {@code σ_iᵀy_i} of the current iterate where that is on the safe side of
   * the root (see {@link NewtonMStep#solve(double[], int, double[], int, int, double[], int,
   * double)}): the same solution, in fewer Newton steps.
   *
   * @param colSums {@code Σ_i y_ik} over all {@code m} points in scope (this block or every block)
   * @param scratch work space of length at least {@code 3K}
   * @param stats if not null, {@code stats[0]} becomes the maximum of itself and the largest
   *     absolute change of any entry of {@code y}, and {@code stats[1]} is incremented by the number
   *     of Newton steps taken
   */
  public static void mStep(double[] sigma, double[] y, int rows, int k, double lambda, long m,
      double[] colSums, double[] scratch, double[] stats) {
    // w_ik = (λ u_k M) · S_ik with S_ik = y_ik / Σ_j y_jk (u_k = 1/K) in [0, 1], so w never
    // overflows; a class nobody supports gets 0. 1/Σ_j y_jk is precomputed, and overflows only
    // for a column sum below 5.6e-309, whose S_ik is then computed by division.
    final int aOff = 0;
    final int wOff = k;
    final int nOff = 2 * k;
    final double scale = lambda * m / k;
    for (int c = 0; c < k; c++) {
      scratch[aOff + c] = colSums[c] > 0 ? 1.0 / colSums[c] : 0.0;
    }
    double maxChange = 0;
    long newton = 0;
    for (int i = 0; i < rows; i++) {
      int o = i * k;
      double xPrev = 0; // σ_iᵀy_i of the previous iterate: Newton's warm start
      for (int c = 0; c < k; c++) {
        double yc = y[o + c];
        double inv = scratch[aOff + c];
        scratch[wOff + c] = scale * (inv < Double.POSITIVE_INFINITY ? yc * inv : yc / colSums[c]);
        xPrev += sigma[o + c] * yc;
      }
      newton += NewtonMStep.solve(sigma, o, scratch, wOff, k, scratch, nOff, xPrev);
      for (int c = 0; c < k; c++) {
        double v = scratch[nOff + c];
        maxChange = Math.max(maxChange, Math.abs(v - y[o + c]));
        y[o + c] = v;
      }
    }
    if (stats != null) {
      stats[0] = Math.max(stats[0], maxChange);
      stats[1] += newton;
    }
  }

  /**
   * Runs EM on one block whose {@code M = rows} points are the whole scope, starting from the
   * {@code y} given (the paper starts from {@code σ}: Algorithm 2's warm start), until no entry of
   * {@code y} moves by more than {@code tol} in an iteration or {@code maxIter} iterations ran.
   */
  public static Result solve(double[] sigma, double[] y, int rows, int k, double lambda, int maxIter,
      double tol) {
    double[] sums = new double[k];
    double[] scratch = new double[3 * k];
    double[] stats = new double[2];
    int it = 0;
    boolean converged = false;
    while (it < maxIter && !converged) {
      Arrays.fill(sums, 0);
      addColumnSums(y, rows, k, sums);
      stats[0] = 0;
      mStep(sigma, y, rows, k, lambda, rows, sums, scratch, stats);
      it++;
      converged = stats[0] <= tol;
    }
    return new Result(it, converged, stats[0], (long) stats[1]);
  }

  /**
   * EM accelerated by squared extrapolation (SQUAREM, Varadhan and Roland 2008, scheme S3), with
   * the same E- and M-steps. With the fairness weight at λ = 100, plain EM moves {@code y} by
   * about {@code 1/λ} per iteration and converges linearly and slowly; SQUAREM takes two EM steps
   * {@code y1 = F(y0)}, {@code y2 = F(y1)}, extrapolates along {@code r = y1 - y0},
   * {@code v = y2 - 2y1 + y0} to {@code y' = y0 - 2αr + α²v} with
   * {@code α = -max(1, ‖r‖/‖v‖)} (halving the step towards {@code α = -1}, i.e. {@code y2}, until
   * {@code y'} is non-negative), and takes one more EM step from {@code y'}. The result is kept only
   * if it does not increase {@code L_CCE+}; otherwise the cycle ends at {@code y2}, a plain EM
   * iterate. So {@code L_CCE+} never increases, and every point stays on the simplex (the rows of
   * {@code r} and {@code v} sum to zero).
   *
   * <p>{@code maxIter} and the reported iterations count M-steps (three per cycle), so the budget
   * compares directly with {@link #solve}. Convergence is tested, as there, on the change between
   * two consecutive EM iterates.
   */
  public static Result solveAccelerated(double[] sigma, double[] y, int rows, int k, double lambda,
      int maxIter, double tol) {
    int n = rows * k;
    double[] sums = new double[k];
    double[] scratch = new double[3 * k];
    double[] stats = new double[2];
    double[] y1 = new double[n];
    double[] y2 = new double[n];
    double[] yp = new double[n];
    int it = 0;
    double change = Double.POSITIVE_INFINITY;
    while (it < maxIter) {
      System.arraycopy(y, 0, y1, 0, n);
      change = emStep(sigma, y1, rows, k, lambda, sums, scratch, stats);
      it++;
      if (change <= tol || it >= maxIter) {
        System.arraycopy(y1, 0, y, 0, n);
        break;
      }
      System.arraycopy(y1, 0, y2, 0, n);
      change = emStep(sigma, y2, rows, k, lambda, sums, scratch, stats);
      it++;
      if (change <= tol || it >= maxIter) {
        System.arraycopy(y2, 0, y, 0, n);
        break;
      }
      double rr = 0;
      double vv = 0;
      for (int j = 0; j < n; j++) {
        double r = y1[j] - y[j];
        double v = y2[j] - 2 * y1[j] + y[j];
        rr += r * r;
        vv += v * v;
      }
      double alpha = vv > 0 ? -Math.max(1, Math.sqrt(rr / vv)) : -1;
      boolean feasible = extrapolate(y, y1, y2, yp, alpha);
      while (!feasible && alpha < -1) {
        alpha = (alpha - 1) / 2; // halves the distance to -1, where y' = y2
        if (alpha > -1 - 1e-6) {
          alpha = -1;
        }
        feasible = extrapolate(y, y1, y2, yp, alpha);
      }
      if (!feasible) { // rounding at α = -1: y' is y2
        System.arraycopy(y2, 0, yp, 0, n);
      }
      double before = SelfLabelingLoss.ccePlus(sigma, y2, rows, k, lambda);
      change = emStep(sigma, yp, rows, k, lambda, sums, scratch, stats);
      it++;
      double after = SelfLabelingLoss.ccePlus(sigma, yp, rows, k, lambda);
      System.arraycopy(after <= before ? yp : y2, 0, y, 0, n);
    }
    return new Result(it, change <= tol, change, (long) stats[1]);
  }

  /** One E-step plus M-step on the whole block, in place; returns the largest change. */
  private static double emStep(double[] sigma, double[] y, int rows, int k, double lambda,
      double[] sums, double[] scratch, double[] stats) {
    Arrays.fill(sums, 0);
    addColumnSums(y, rows, k, sums);
    stats[0] = 0;
    mStep(sigma, y, rows, k, lambda, rows, sums, scratch, stats);
    return stats[0];
  }

  /**
   * {@code y' = y0 - 2αr + α²v}; false if an entry is negative, or zero where {@code y2} is
   * positive (the log barrier of eq. 15 keeps positive entries positive).
   */
  private static boolean extrapolate(double[] y0, double[] y1, double[] y2, double[] out,
      double alpha) {
    for (int j = 0; j < out.length; j++) {
      double r = y1[j] - y0[j];
      double v = y2[j] - 2 * y1[j] + y0[j];
      double e = y0[j] - 2 * alpha * r + alpha * alpha * v;
      if (e < 0 || (e == 0 && y2[j] > 0)) {
        return false;
      }
      out[j] = e;
    }
    return true;
  }
}
