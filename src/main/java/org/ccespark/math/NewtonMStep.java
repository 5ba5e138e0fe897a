package org.ccespark.math;

/**
 * The per-point M-step of the paper's EM algorithm (section 4, Theorem 1, Lemma 1, Algorithm 1 and
 * Appendix B): for one point with prediction {@code σ ∈ Δ_K} and non-negative fairness weights
 * {@code w_k}, find
 *
 * <pre>
 *   y* = argmin_{y ∈ Δ_K}  -ln Σ_k σ_k y_k  -  Σ_k w_k ln y_k          (eq. 15, with w_k = λ u_k S_k·M)
 * </pre>
 *
 * <p><b>Interior case (all {@code w_k > 0}).</b> With the multiplier of {@code Σ y = 1} equal to
 * {@code 1 + W}, {@code W = Σ_k w_k}, stationarity gives {@code y_k = w_k / (1 + W - σ_k / x)} where
 * {@code x = σᵀy}. The scalar {@code x} is the unique root in {@code (σ_max/(1+W), σ_max]} of
 * {@code f(x) = Σ_k w_k / (1 + W - σ_k/x) - 1}, which is convex and decreasing there (Theorem 1).
 * Newton's method is started at Lemma 1's point {@code l = max_k σ_k / (1 + W - w_k)}, where
 * {@code f(l) ≥ 0}; on a convex decreasing function every Newton step from the left of the root
 * stays on the left, so the iterates increase monotonically to the root and no denominator ever
 * reaches zero. The iteration runs on {@code v = (1+W)x - σ_max}, the smallest denominator, so that
 * every denominator {@code (1+W)x - σ_k = v + (σ_max - σ_k)} is computed without cancellation.
 *
 * <p><b>Zero weights (Appendix B).</b> Let {@code K_o = {k : w_k = 0}} and {@code c} its class of
 * largest {@code σ}. Only {@code y_c} among {@code K_o} can be positive. Solving the interior
 * problem over the other classes gives a root {@code x_r}; complementary slackness keeps
 * {@code y_c = 0} exactly when {@code σ_c ≤ (1+W) x_r}. Otherwise the closed form of Appendix B
 * holds: {@code x = σ_c / (1+W)}, {@code y_k = w_k x / ((1+W)x - σ_k)} and
 * {@code y_c = 1 - Σ_{k∉K_o} y_k > 0}. Both cases are {@code x = max(x_r, σ_c/(1+W))}, which is
 * what {@link #solve} computes: it checks {@code f(σ_c/(1+W)) ≤ 0} first and runs Newton only
 * otherwise, from {@code max(l, σ_c/(1+W))}. When every weight is zero ({@code λ = 0}) the
 * solution is the one-hot label of {@code argmax σ}.
 *
 * <p>Exact ties among the largest {@code σ} inside {@code K_o} put all of {@code y_c}'s mass on the
 * lowest index; any split among tied classes has the same loss.
 *
 * <p>The method allocates nothing and never divides by zero for {@code σ} on the simplex and finite
 * non-negative {@code w}.
 */
public final class NewtonMStep {
  /** Newton stops when a step changes its variable by less than this relative amount. */
  static final double X_TOL = 1e-15;
  /** Safety cap; from Lemma 1's start Newton needs far fewer (quadratic convergence). */
  static final int MAX_NEWTON = 100;

  private NewtonMStep() {}

  /**
   * Solves eq. 15 for one point and writes {@code y} to {@code y[yOff .. yOff+K)}.
   *
   * @param sigma prediction {@code σ} at {@code sigma[sOff .. sOff+K)}, on the simplex
   * @param w fairness weights at {@code w[wOff .. wOff+K)}, finite and non-negative
   * @return the number of Newton iterations used (0 for the closed-form cases)
   */
  public static int solve(double[] sigma, int sOff, double[] w, int wOff, int k, double[] y,
      int yOff) {
    return solve(sigma, sOff, w, wOff, k, y, yOff, Double.NaN);
  }

  /**
   * As {@link #solve(double[], int, double[], int, int, double[], int)}, with a guess of the root
   * {@code x = σᵀy*} (in EM: {@code σᵀy} of the previous iterate, which moves little between
   * iterations). The guess only changes where Newton starts, never the root it converges to: if
   * {@code f(guess) ≥ 0} the guess is on the safe (left) side of the root and Newton starts there;
   * otherwise one Newton step from the guess lands on the left side too (the tangent of a convex
   * function lies below it), and Newton starts there if that is inside the interval of Theorem 1,
   * else at Lemma 1's point. So every start is on the left and the iterates increase monotonically
   * to the root, as from Lemma 1's point.
   *
   * @param xGuess the guess of {@code σᵀy*}; NaN or non-positive for none
   * @return the number of Newton iterations used (0 for the closed-form cases)
   */
  public static int solve(double[] sigma, int sOff, double[] w, int wOff, int k, double[] y,
      int yOff, double xGuess) {
    double wSum = 0;
    double sigmaPos = -1; // σ* = max σ_k over w_k > 0
    double sigmaZero = -1; // σ_c = max σ_k over w_k = 0
    int c = -1;
    for (int j = 0; j < k; j++) {
      double wj = w[wOff + j];
      double sj = sigma[sOff + j];
      if (wj > 0) {
        wSum += wj;
        sigmaPos = Math.max(sigmaPos, sj);
      } else if (sj > sigmaZero) {
        sigmaZero = sj;
        c = j;
      }
    }
    if (wSum == 0) { // λ = 0 or no support anywhere: -ln σᵀy alone, minimised at a vertex
      for (int j = 0; j < k; j++) {
        y[yOff + j] = j == c ? 1.0 : 0.0;
      }
      return 0;
    }
    final boolean allPositive = c < 0;
    final double g = 1 + wSum;
    // Newton runs on v = g·x - σ*, the smallest denominator, so that every denominator
    // g·x - σ_k = v + (σ* - σ_k) is a sum of non-negative terms: no cancellation even when
    // λ is tiny and v is many orders of magnitude below x.
    double v;
    int iterations = 0;
    boolean invReady = false; // whether y[yOff..] holds 1/d_k at (about) the final v
    boolean closedForm = false;
    double start = 0;
    if (c >= 0 && sigmaZero > sigmaPos) {
      start = sigmaZero - sigmaPos; // x = σ_c / g, Appendix B's closed form if f ≤ 0 there
      closedForm = f(sigma, sOff, w, wOff, k, g, sigmaPos, start) <= 0;
    }
    if (closedForm) {
      v = start;
    } else {
      double guess = g * xGuess - sigmaPos;
      boolean probing = guess > start; // false for NaN
      v = probing ? guess : lemma1(sigma, sOff, w, wOff, k, g, sigmaPos, start);
      while (true) {
        // f(v) = x Σ w_k / d_k - 1 and df/dv = -(1/g) Σ w_k σ_k / d_k², in one pass
        double s = 0;
        double sl = 0;
        if (allPositive) {
          // 1/d_k into y (a loop the JIT vectorises), then the two sums without divisions;
          // the last 1/d_k are reused for y itself
          for (int j = 0; j < k; j++) {
            y[yOff + j] = 1.0 / (v + (sigmaPos - sigma[sOff + j]));
          }
          for (int j = 0; j < k; j++) {
            double inv = y[yOff + j];
            double wi = w[wOff + j] * inv;
            s += wi;
            sl += wi * sigma[sOff + j] * inv;
          }
          invReady = true;
        } else {
          for (int j = 0; j < k; j++) {
            double wj = w[wOff + j];
            if (wj > 0) {
              double sj = sigma[sOff + j];
              double inv = 1.0 / (v + (sigmaPos - sj));
              double wi = wj * inv;
              s += wi;
              sl += wi * sj * inv;
            }
          }
        }
        double fv = s * ((sigmaPos + v) / g) - 1;
        double slope = -sl / g;
        if (probing) {
          probing = false;
          if (fv < 0) { // right of the root: one Newton step lands on its left (convexity)
            iterations++;
            invReady = false;
            double next = slope < 0 ? v - fv / slope : Double.NaN;
            v = next > start ? next : lemma1(sigma, sOff, w, wOff, k, g, sigmaPos, start);
            continue;
          }
        }
        if (!(fv > 0) || iterations >= MAX_NEWTON) {
          break;
        }
        iterations++;
        if (!(slope < 0)) { // flat only if every σ_k with w_k > 0 is 0: impossible on the simplex
          break;
        }
        double step = -fv / slope;
        v += step;
        if (step <= X_TOL * v) { // 1/d_k at the previous v differ from those at v by rounding
          break;
        }
        invReady = false;
      }
    }
    double x = (sigmaPos + v) / g;
    double sum = 0;
    if (invReady) { // y holds 1/d_k of the last evaluation
      for (int j = 0; j < k; j++) {
        double yj = w[wOff + j] * x * y[yOff + j];
        y[yOff + j] = yj;
        sum += yj;
      }
    } else {
      for (int j = 0; j < k; j++) {
        double wj = w[wOff + j];
        double yj = wj > 0 ? wj * x / (v + (sigmaPos - sigma[sOff + j])) : 0.0;
        y[yOff + j] = yj;
        sum += yj;
      }
    }
    if (closedForm) {
      y[yOff + c] = Math.max(0.0, 1.0 - sum);
      sum += y[yOff + c];
    }
    double inv = 1.0 / sum; // removes the last rounding so that y is exactly on the simplex
    for (int j = 0; j < k; j++) {
      y[yOff + j] *= inv;
    }
    return iterations;
  }

  /**
   * Lemma 1's start {@code x = max_k σ_k / (g - w_k)}, i.e.
   * {@code v = max_k (w_k σ* - g (σ* - σ_k)) / (g - w_k)}, and at least {@code floor}.
   */
  private static double lemma1(double[] sigma, int sOff, double[] w, int wOff, int k, double g,
      double sigmaPos, double floor) {
    double v = floor;
    for (int j = 0; j < k; j++) {
      double wj = w[wOff + j];
      if (wj > 0) {
        v = Math.max(v, (wj * sigmaPos - g * (sigmaPos - sigma[sOff + j])) / (g - wj));
      }
    }
    return v;
  }

  /**
   * {@code f = Σ_{w_k>0} w_k x / d_k - 1} with {@code x = (σ* + v)/g} and
   * {@code d_k = g x - σ_k = v + (σ* - σ_k)}, for {@code v > 0}.
   */
  private static double f(double[] sigma, int sOff, double[] w, int wOff, int k, double g,
      double sigmaPos, double v) {
    double x = (sigmaPos + v) / g;
    double s = 0;
    for (int j = 0; j < k; j++) {
      double wj = w[wOff + j];
      if (wj > 0) {
        s += wj * x / (v + (sigmaPos - sigma[sOff + j]));
      }
    }
    return s - 1;
  }
}
