package org.ccespark.selflabel;

import java.util.Arrays;
import org.ccespark.math.Softmax;

/**
 * SeLa — Asano, Rupprecht and Vedaldi, "Self-labelling via simultaneous clustering and
 * representation learning", ICLR 2020: the loss {@code L_ce = mean_i H(y_i, σ_i)} subject to
 * one-hot {@code y_i} and equipartition {@code ȳ = u} (eq. 4 of this project's paper), with the
 * Shannon cross-entropy {@code H(y, σ) = -Σ_k y_k ln σ_k} (eq. 8).
 *
 * <ul>
 *   <li>Pseudo-labels: the relaxed problem is entropy-regularised optimal transport,
 *       {@code min_Q ⟨Q, -ln σ⟩ - (1/λ) H(Q)} over transport plans {@code Q} (points × classes)
 *       with point marginals {@code 1/M} and class marginals {@code u}; its solution is
 *       {@code Q_ik = β_i σ_ik^λ α_k}, found by Sinkhorn-Knopp scaling (Cuturi 2013), here in the
 *       log domain so that {@code σ^λ} cannot underflow. Iterations alternate the class scaling
 *       {@code α} and the point scaling {@code β} until every class marginal is within relative
 *       {@code tol} of its target (or {@code maxIter}). Each free point then takes the hard label
 *       {@code argmax_k Q_ik}, as SeLa does.</li>
 *   <li>Fixed rows (semi-supervised) keep their labels and are left out of the transport; the
 *       class marginals of the free rows are what equipartition leaves to fill:
 *       {@code r_k ∝ max(M/K - s_k, 0)} with {@code s_k} the fixed rows' mass in class k.</li>
 *   <li>Classifier: {@code Σ_i H(y_i, σ_i)}, gradient {@code σ_i - y_i}.</li>
 *   <li>λ: the inverse strength of the entropic regularisation (larger = closer to the exact
 *       transport, slower Sinkhorn); SeLa's default 25.</li>
 * </ul>
 */
public final class Sela implements SelfLabelingObjective {
  private static final long serialVersionUID = 1L;
  /** {@code ln σ} is taken at {@code max(σ, MIN_NORMAL)}, so {@code λ ln σ} stays finite. */
  private static final double LOG_FLOOR = Math.log(Double.MIN_NORMAL);

  private final double lambda;
  private final int maxIter;
  private final double tol;

  /**
   * @param lambda inverse entropic regularisation λ > 0 (SeLa: 25)
   * @param maxIter maximum Sinkhorn iterations per solve
   * @param tol stop once every class marginal is within this relative error of its target
   */
  public Sela(double lambda, int maxIter, double tol) {
    this.lambda = lambda;
    this.maxIter = maxIter;
    this.tol = tol;
  }

  /** The transport plan's scalings and how Sinkhorn ended. */
  record Transport(double[] logAlpha, double[] logBeta, int iterations, double marginalError) {}

  @Override
  public int solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed) {
    int[] free = freeRows(fixed, rows);
    if (free.length == 0) {
      return 0;
    }
    double[] target = classTargets(y, rows, k, fixed, free.length);
    double[] logP = logKernel(sigma, free, k);
    Transport t = sinkhorn(logP, free.length, k, target);
    for (int j = 0; j < free.length; j++) {
      int o = free[j] * k;
      int best = -1;
      double bestValue = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        double v = logP[j * k + c] + t.logAlpha[c];
        if (v > bestValue) {
          bestValue = v;
          best = c;
        }
      }
      Arrays.fill(y, o, o + k, 0.0);
      y[o + (best < 0 ? Softmax.argmax(sigma, o, k) : best)] = 1.0;
    }
    return t.iterations;
  }

  /** Mean {@code H(y_i, σ_i)}, the objective of eq. 4 (its constraints are met by the solver). */
  @Override
  public double loss(double[] sigma, double[] y, int rows, int k) {
    return NetworkLosses.meanShannon(sigma, y, rows, k);
  }

  @Override
  public double networkLoss(double[] z, double[] sigma, double[] y, int rows, int k,
      double[] grad) {
    return NetworkLosses.shannon(z, y, rows, k, grad);
  }

  private static int[] freeRows(boolean[] fixed, int rows) {
    int n = 0;
    for (int i = 0; i < rows; i++) {
      if (fixed == null || !fixed[i]) {
        n++;
      }
    }
    int[] free = new int[n];
    n = 0;
    for (int i = 0; i < rows; i++) {
      if (fixed == null || !fixed[i]) {
        free[n++] = i;
      }
    }
    return free;
  }

  /** Class marginals of the free rows: equipartition of all rows minus the fixed rows' mass. */
  private static double[] classTargets(double[] y, int rows, int k, boolean[] fixed, int free) {
    double[] target = new double[k];
    Arrays.fill(target, (double) rows / k);
    if (free < rows) {
      for (int i = 0; i < rows; i++) {
        if (fixed[i]) {
          for (int c = 0; c < k; c++) {
            target[c] -= y[i * k + c];
          }
        }
      }
    }
    double sum = 0;
    for (int c = 0; c < k; c++) {
      target[c] = Math.max(target[c], 0);
      sum += target[c];
    }
    for (int c = 0; c < k; c++) {
      target[c] = sum > 0 ? target[c] / sum : 1.0 / k;
    }
    return target;
  }

  /** {@code λ ln σ_ik} of the free rows, row-major. */
  private double[] logKernel(double[] sigma, int[] free, int k) {
    double[] logP = new double[free.length * k];
    for (int j = 0; j < free.length; j++) {
      int o = free[j] * k;
      for (int c = 0; c < k; c++) {
        logP[j * k + c] = lambda * Math.max(Math.log(sigma[o + c]), LOG_FLOOR);
      }
    }
    return logP;
  }

  /**
   * Log-domain Sinkhorn-Knopp for {@code Q_ik = exp(logP_ik + logAlpha_k + logBeta_i)} with row
   * sums {@code 1/n} and column sums {@code target_k} (a class with target 0 gets
   * {@code logAlpha = -∞}). After each iteration the rows are exact; the error reported is the
   * largest relative deviation of a column sum from its (positive) target.
   */
  Transport sinkhorn(double[] logP, int n, int k, double[] target) {
    double[] logAlpha = new double[k];
    double[] logBeta = new double[n];
    double[] colLse = new double[k];
    double[] colMax = new double[k];
    double logRow = -Math.log(n);
    int it = 0;
    double error = Double.POSITIVE_INFINITY;
    columnLse(logP, logBeta, n, k, colMax, colLse);
    while (it < maxIter && error > tol) {
      // class scaling: Σ_i Q_ik = target_k
      for (int c = 0; c < k; c++) {
        logAlpha[c] = target[c] > 0 ? Math.log(target[c]) - colLse[c] : Double.NEGATIVE_INFINITY;
      }
      // point scaling: Σ_k Q_ik = 1/n
      for (int i = 0; i < n; i++) {
        double m = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          m = Math.max(m, logP[i * k + c] + logAlpha[c]);
        }
        double s = 0;
        for (int c = 0; c < k; c++) {
          s += Math.exp(logP[i * k + c] + logAlpha[c] - m);
        }
        logBeta[i] = logRow - (m + Math.log(s));
      }
      it++;
      columnLse(logP, logBeta, n, k, colMax, colLse);
      error = 0;
      for (int c = 0; c < k; c++) {
        if (target[c] > 0) {
          error = Math.max(error, Math.abs(Math.exp(colLse[c] + logAlpha[c]) / target[c] - 1));
        }
      }
    }
    return new Transport(logAlpha, logBeta, it, error);
  }

  /** {@code colLse_k = ln Σ_i exp(logP_ik + logBeta_i)}. */
  private static void columnLse(double[] logP, double[] logBeta, int n, int k, double[] max,
      double[] out) {
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        max[c] = Math.max(max[c], logP[i * k + c] + logBeta[i]);
      }
    }
    Arrays.fill(out, 0);
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        out[c] += Math.exp(logP[i * k + c] + logBeta[i] - max[c]);
      }
    }
    for (int c = 0; c < k; c++) {
      out[c] = max[c] + Math.log(out[c]);
    }
  }
}
