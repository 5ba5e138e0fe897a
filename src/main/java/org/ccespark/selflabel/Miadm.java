package org.ccespark.selflabel;

import org.ccespark.math.SelfLabelingLoss;

/**
 * MIADM — Jabi, Pedersoli, Mitiche and Ben Ayed, "Deep clustering: On the link between
 * discriminative models and K-means", IEEE TPAMI 2021: the self-labeling loss
 * {@code L_ce+kl = mean_i H(y_i, σ_i) + λ KL(ȳ‖u)} (eq. 5 of this project's paper, λ = 1 there)
 * with the Shannon cross-entropy {@code H(y, σ) = -Σ_k y_k ln σ_k} (eq. 8) and soft pseudo-labels
 * {@code y_i ∈ Δ_K}, optimised alternately over y and the classifier.
 *
 * <ul>
 *   <li>Pseudo-labels: eq. 5 is convex in y (linear plus a convex function of ȳ) with no closed-form
 *       minimiser. Jabi et al. give an approximate alternating update; this implementation does not
 *       reproduce its details and instead minimises eq. 5 over y by Frank–Wolfe from the start
 *       given ({@code y = σ}): each iteration moves every free point towards the one-hot
 *       {@code argmin_k (-ln σ_ik + λ ln ȳ_k)} (the linear minimiser of the gradient) with the
 *       exact line search, so the loss never increases, and stops once the Frank–Wolfe duality gap
 *       — an upper bound on the distance to the optimum of eq. 5 — is at most {@code tol}, or
 *       after {@code maxIter} iterations. Labels are soft: convex combinations of one-hots.</li>
 *   <li>Fixed rows keep their labels and count in {@code ȳ}.</li>
 *   <li>Classifier: {@code Σ_i H(y_i, σ_i)}, gradient {@code σ_i - y_i}.</li>
 *   <li>λ: weight of the fairness term {@code KL(ȳ‖u)}; default 1 as in eq. 5.</li>
 * </ul>
 */
public final class Miadm implements SelfLabelingObjective {
  private static final long serialVersionUID = 1L;
  private static final double LOG_FLOOR = Math.log(Double.MIN_NORMAL);
  private static final int LINE_SEARCH_STEPS = 50;

  private final double lambda;
  private final int maxIter;
  private final double tol;

  /**
   * @param lambda weight λ ≥ 0 of {@code KL(ȳ‖u)}
   * @param maxIter maximum Frank–Wolfe iterations per solve
   * @param tol stop once the Frank–Wolfe gap of eq. 5 is at most this
   */
  public Miadm(double lambda, int maxIter, double tol) {
    this.lambda = lambda;
    this.maxIter = maxIter;
    this.tol = tol;
  }

  /** How the last {@link #solve} ended, for tests. */
  record Solve(int iterations, double gap) {}

  @Override
  public int solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed) {
    return solveWithGap(sigma, y, rows, k, fixed).iterations();
  }

  Solve solveWithGap(double[] sigma, double[] y, int rows, int k, boolean[] fixed) {
    if (NetworkLosses.allFixed(fixed, rows)) {
      return new Solve(0, 0);
    }
    int[] target = new int[rows];
    double[] mean = new double[k];
    double[] dMean = new double[k];
    int it = 0;
    double gap = Double.POSITIVE_INFINITY;
    while (it < maxIter) {
      meanOf(y, rows, k, mean);
      // the linear minimiser: per free point, argmin_k of M·∂F/∂y_ik = -ln σ_ik + λ(ln Kȳ_k + 1)
      double linear = 0; // Σ_ik d_ik (-ln σ_ik) / M with d = s - y
      java.util.Arrays.fill(dMean, 0);
      for (int i = 0; i < rows; i++) {
        if (fixed != null && fixed[i]) {
          target[i] = -1;
          continue;
        }
        int o = i * k;
        int best = 0;
        double bestValue = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double v = -logSigma(sigma[o + c]) + lambda * Math.max(Math.log(k * mean[c]), LOG_FLOOR);
          if (v < bestValue) {
            bestValue = v;
            best = c;
          }
        }
        target[i] = best;
        for (int c = 0; c < k; c++) {
          double d = (c == best ? 1 : 0) - y[o + c];
          linear -= d * logSigma(sigma[o + c]);
          dMean[c] += d;
        }
      }
      linear /= rows;
      for (int c = 0; c < k; c++) {
        dMean[c] /= rows;
      }
      gap = -slope(linear, mean, dMean, 0, k);
      if (gap <= tol) {
        break;
      }
      double step = lineSearch(linear, mean, dMean, k);
      for (int i = 0; i < rows; i++) {
        if (target[i] < 0) {
          continue;
        }
        int o = i * k;
        for (int c = 0; c < k; c++) {
          y[o + c] = (1 - step) * y[o + c] + (c == target[i] ? step : 0);
        }
      }
      it++;
    }
    return new Solve(it, gap);
  }

  /** {@code φ'(γ)} for {@code φ(γ) = F(y + γd)}: the linear part plus λ Σ_k d̄_k (ln K(ȳ+γd̄)_k + 1). */
  private double slope(double linear, double[] mean, double[] dMean, double gamma, int k) {
    double s = linear;
    for (int c = 0; c < k; c++) {
      if (dMean[c] != 0) {
        double m = mean[c] + gamma * dMean[c];
        s += lambda * dMean[c] * (Math.max(Math.log(k * m), LOG_FLOOR) + 1);
      }
    }
    return s;
  }

  /** The exact step in [0, 1] (φ is convex): bisection on φ'. */
  private double lineSearch(double linear, double[] mean, double[] dMean, int k) {
    if (slope(linear, mean, dMean, 1, k) <= 0) {
      return 1;
    }
    double lo = 0;
    double hi = 1;
    for (int s = 0; s < LINE_SEARCH_STEPS; s++) {
      double mid = (lo + hi) / 2;
      if (slope(linear, mean, dMean, mid, k) > 0) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return lo;
  }

  private static double logSigma(double s) {
    return Math.max(Math.log(s), LOG_FLOOR);
  }

  private static void meanOf(double[] y, int rows, int k, double[] mean) {
    java.util.Arrays.fill(mean, 0);
    org.ccespark.math.PseudoLabelEm.addColumnSums(y, rows, k, mean);
    for (int c = 0; c < k; c++) {
      mean[c] /= rows;
    }
  }

  /** {@code L_ce+kl = mean_i H(y_i, σ_i) + λ KL(ȳ‖u)}, eq. 5 (with weight λ). */
  @Override
  public double loss(double[] sigma, double[] y, int rows, int k) {
    return NetworkLosses.meanShannon(sigma, y, rows, k)
        + lambda * SelfLabelingLoss.klToUniform(SelfLabelingLoss.meanLabel(y, rows, k));
  }

  @Override
  public double networkLoss(double[] z, double[] sigma, double[] y, int rows, int k,
      double[] grad) {
    return NetworkLosses.shannon(z, y, rows, k, grad);
  }
}
