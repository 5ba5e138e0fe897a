package org.ccespark.math;

import java.util.Arrays;

/**
 * The entropy-smoothed dual of eq. 11, used by {@link ExactPseudoLabels} to reach the optimal
 * prices where the exact dual is not differentiable (or nearly so: many classes for few points,
 * near ties of σ) and Newton's method on it stalls.
 *
 * <p>Each point's inner problem gets an entropy term,
 * {@code φ_ε(c) = min_{y∈Δ} [−ln σᵀy − cᵀy + ε Σ_k y_k ln y_k]
 * = max_{a>0} [ln a + 1 − ε lse((c + aσ)/ε)]}, whose minimiser
 * {@code y = softmax((c + aσ)/ε)} with {@code σᵀy = 1/a} is unique and smooth in {@code c}; its
 * Jacobian is {@code J = (diag y − yyᵀ)/ε − v vᵀ / (1/a² + σᵀv)}, {@code v = (y⊙σ − y σᵀy)/ε}.
 * So {@code D_ε(c) = (1/M) Σ φ_ε,i(c) + λ Σ u_k ln(c_k/λ) + λ} is smooth and concave, Newton's method
 * converges on it, and as ε → 0 its maximiser tends to the optimal prices. Every {@code y_ε} is a
 * feasible point of eq. 11, so {@code P(y_ε) − D(c)} (exact dual) certifies how far from the
 * optimum it is.
 */
final class SmoothedDual {
  private SmoothedDual() {}

  /**
   * Maximises {@code D_ε} by damped Newton from {@code c} (updated in place) for each ε of
   * {@code epsilons} in turn; free rows' smoothed labels of the last ε are written to {@code y}.
   *
   * @return passes over the points
   */
  static int solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed, double lambda,
      double[] u, double[] c, double[] epsilons, int iterationsPerEpsilon) {
    double[] grad = new double[k];
    double[] step = new double[k];
    double[] trial = new double[k];
    double[] hess = new double[k * k];
    double[] work = new double[k * k];
    double[] sums = new double[k];
    double[] scratch = new double[3 * k];
    int passes = 0;
    for (double eps : epsilons) {
      double value = pass(sigma, y, rows, k, fixed, lambda, u, c, eps, sums, hess, scratch);
      passes++;
      for (int it = 0; it < iterationsPerEpsilon; it++) {
        double rel = 0;
        for (int j = 0; j < k; j++) {
          grad[j] = lambda * u[j] / c[j] - sums[j] / rows;
          rel = Math.max(rel, Math.abs(sums[j] / rows * c[j] / (lambda * u[j]) - 1));
        }
        if (rel <= 1e-12) {
          break;
        }
        System.arraycopy(hess, 0, work, 0, k * k);
        for (int j = 0; j < k; j++) {
          work[j * k + j] += lambda * u[j] / (c[j] * c[j]);
        }
        System.arraycopy(grad, 0, step, 0, k);
        if (!Cholesky.solveInPlace(work, k, step)) {
          break;
        }
        double slope = 0;
        double t = 1;
        for (int j = 0; j < k; j++) {
          slope += grad[j] * step[j];
          if (step[j] < 0) {
            t = Math.min(t, -0.9 * c[j] / step[j]);
          }
        }
        boolean moved = false;
        for (int b = 0; b < 40; b++, t /= 2) {
          for (int j = 0; j < k; j++) {
            trial[j] = c[j] + t * step[j];
          }
          double v = pass(sigma, y, rows, k, fixed, lambda, u, trial, eps, sums, hess, scratch);
          passes++;
          if (v >= value + 1e-4 * t * slope || t * slope <= 1e-14 * (Math.abs(value) + lambda)) {
            value = v;
            System.arraycopy(trial, 0, c, 0, k);
            moved = true;
            break;
          }
        }
        if (!moved) {
          pass(sigma, y, rows, k, fixed, lambda, u, c, eps, sums, hess, scratch);
          passes++;
          break;
        }
      }
    }
    return passes;
  }

  /**
   * One pass at prices {@code c}: {@code D_ε(c)}, with {@code Σ y} in {@code sums} and
   * {@code Σ J_i} in {@code hess} (both over all rows; fixed rows add their labels and no
   * curvature); free rows' labels into {@code y}.
   */
  private static double pass(double[] sigma, double[] y, int rows, int k, boolean[] fixed,
      double lambda, double[] u, double[] c, double eps, double[] sums, double[] hess,
      double[] scratch) {
    Arrays.fill(sums, 0);
    Arrays.fill(hess, 0);
    double inner = 0;
    for (int i = 0; i < rows; i++) {
      int o = i * k;
      if (fixed != null && fixed[i]) {
        for (int j = 0; j < k; j++) {
          sums[j] += y[o + j];
          inner -= c[j] * y[o + j];
        }
        continue;
      }
      inner += point(sigma, o, k, c, eps, y, hess, scratch);
      for (int j = 0; j < k; j++) {
        sums[j] += y[o + j];
      }
    }
    for (int j = 0; j < k * k; j++) {
      hess[j] /= rows;
    }
    double d = inner / rows + lambda;
    for (int j = 0; j < k; j++) {
      d += lambda * u[j] * Math.log(c[j] / lambda);
    }
    return d;
  }

  /**
   * One point's smoothed inner problem: a safeguarded Newton iteration on
   * {@code g(a) = 1/a − σᵀy(a)} (decreasing), bracketed by {@code 1/max σ} and
   * {@code 1/σᵀy(1/max σ)}. Writes {@code y} at {@code off}, adds {@code J} to {@code hess}.
   *
   * @return {@code φ_ε}
   */
  static double point(double[] sigma, int off, int k, double[] c, double eps, double[] y,
      double[] hess, double[] scratch) {
    double maxS = 0;
    for (int j = 0; j < k; j++) {
      maxS = Math.max(maxS, sigma[off + j]);
    }
    double lo = 1 / maxS;
    double sy = softmax(sigma, off, k, c, lo, eps, y);
    double hi = 1 / sy;
    double a = lo;
    double g = 1 / lo - sy;
    for (int it = 0; it < 100 && g != 0; it++) {
      double var = 0;
      for (int j = 0; j < k; j++) {
        double d = sigma[off + j] - sy;
        var += y[off + j] * d * d;
      }
      double slope = -1 / (a * a) - var / eps;
      double next = a - g / slope;
      if (!(next > lo && next < hi)) {
        next = 0.5 * (lo + hi);
      }
      a = next;
      sy = softmax(sigma, off, k, c, a, eps, y);
      g = 1 / a - sy;
      if (g > 0) {
        lo = a;
      } else {
        hi = a;
      }
      if (hi - lo <= 1e-15 * hi || Math.abs(g) <= 1e-15 * (1 / a)) {
        break;
      }
    }
    // φ_ε = ln a + 1 − ε lse((c + aσ)/ε)
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      max = Math.max(max, (c[j] + a * sigma[off + j]) / eps);
    }
    double s = 0;
    for (int j = 0; j < k; j++) {
      s += Math.exp((c[j] + a * sigma[off + j]) / eps - max);
    }
    double phi = Math.log(a) + 1 - eps * (max + Math.log(s));
    // J = (diag y − yyᵀ)/ε − v vᵀ / (1/a² + σᵀv)
    double[] v = scratch;
    double sv = 0;
    for (int j = 0; j < k; j++) {
      v[j] = y[off + j] * (sigma[off + j] - sy) / eps;
      sv += sigma[off + j] * v[j];
    }
    double denom = 1 / (a * a) + sv;
    for (int p = 0; p < k; p++) {
      double yp = y[off + p];
      if (yp == 0 && v[p] == 0) {
        continue;
      }
      int row = p * k;
      hess[row + p] += yp / eps;
      for (int q = 0; q < k; q++) {
        hess[row + q] -= yp * y[off + q] / eps + v[p] * v[q] / denom;
      }
    }
    return phi;
  }

  /** {@code y = softmax((c + aσ)/ε)} at {@code off}; returns {@code σᵀy}. */
  private static double softmax(double[] sigma, int off, int k, double[] c, double a, double eps,
      double[] y) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      max = Math.max(max, (c[j] + a * sigma[off + j]) / eps);
    }
    double s = 0;
    for (int j = 0; j < k; j++) {
      double e = Math.exp((c[j] + a * sigma[off + j]) / eps - max);
      y[off + j] = e;
      s += e;
    }
    double sy = 0;
    for (int j = 0; j < k; j++) {
      y[off + j] /= s;
      sy += sigma[off + j] * y[off + j];
    }
    return sy;
  }
}
