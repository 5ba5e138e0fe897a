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
 * The solve runs on {@code v = (1+W)x - σ_max}, the smallest denominator, so that every
 * denominator {@code d_k = (1+W)x - σ_k = v + (σ_max - σ_k)} is computed without cancellation. In
 * {@code v} the equation is a secular equation: {@code (1+W) f = S(v) - 1} with
 * {@code S(v) = Σ_k w_k σ_k / d_k}, a sum of poles at {@code v = σ_k - σ_max ≤ 0}.
 *
 * <p>Newton's method is applied to {@code h(v) = 1/S(v) = 1}, not to {@code f}: {@code h} is the
 * harmonic (parallel) sum of the linear functions {@code d_k / (w_k σ_k)}, hence concave and
 * increasing, and exactly linear when one class dominates, so Newton on {@code h} needs fewer steps
 * (its step is {@code S} times Newton's step on {@code f}). It starts at Lemma 1's point
 * {@code l = max_k σ_k / (1 + W - w_k)}, where {@code f(l) ≥ 0}; every tangent of a concave
 * function lies above it, so every step from the left of the root stays on the left, the iterates
 * increase monotonically to the root and no denominator ever reaches zero. Since
 * {@code |h''|/h' ≤ 2/v}, a step smaller than {@link #STOP_STEP}·{@code v} leaves an error below
 * about {@code STOP_STEP²·v}: the solve stops there, and takes {@code y} from the reciprocals of its
 * last evaluation corrected to first order ({@code 1/(d+δ) ≈ (1 - δ/d)/d}), without another pass
 * of divisions.
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
 * non-negative {@code w}; a weight below {@link #MIN_WEIGHT} (subnormal) counts as zero.
 */
public final class NewtonMStep {
  /**
   * Newton stops after a step smaller than this fraction of its variable: the error left is then
   * below the square of it (about 1e-16, rounding).
   */
  static final double STOP_STEP = 1e-8;
  /**
   * Weights below this, the smallest normal double (2.2e-308), count as zero: their term
   * {@code w_k ln y_k} is below 1.7e-305 for every representable {@code y_k}, while
   * {@code 1/d_k} near a root of that size would overflow.
   */
  static final double MIN_WEIGHT = Double.MIN_NORMAL;
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
   * otherwise one Newton step from the guess lands on the left side too (the tangent of the
   * concave {@code h} lies above it), and Newton starts there if that is inside the interval of
   * Theorem 1, else at Lemma 1's point. So every start is on the left and the iterates increase
   * monotonically to the root, as from Lemma 1's point.
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
      if (wj >= MIN_WEIGHT) {
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
    double correction = 0; // v moved by this after the last evaluation of the 1/d_k
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
        // S(v) = Σ w_k σ_k / d_k and -S'(v) = Σ w_k σ_k / d_k², in one pass
        double sv = 0;
        double sl = 0;
        if (allPositive) {
          // 1/d_k into y (a loop the JIT vectorises), then the two sums without divisions;
          // the last 1/d_k are reused for y itself
          for (int j = 0; j < k; j++) {
            y[yOff + j] = 1.0 / (v + (sigmaPos - sigma[sOff + j]));
          }
          for (int j = 0; j < k; j++) {
            double inv = y[yOff + j];
            double t = w[wOff + j] * sigma[sOff + j] * inv;
            sv += t;
            sl += t * inv;
          }
          invReady = true;
        } else {
          for (int j = 0; j < k; j++) {
            double wj = w[wOff + j];
            if (wj >= MIN_WEIGHT) {
              double sj = sigma[sOff + j];
              double inv = 1.0 / (v + (sigmaPos - sj));
              double t = wj * sj * inv;
              sv += t;
              sl += t * inv;
            }
          }
        }
        double excess = sv - 1; // = g·f(v): positive left of the root
        // Newton on h = 1/S (concave, increasing): h(v) = 1 at the root, step (S-1)·S/(-S')
        double step = sl > 0 ? excess * sv / sl : Double.NaN;
        if (sl == Double.POSITIVE_INFINITY) {
          // 1/d_k² overflowed (v below about 1e-154, a tiny weight on the largest σ): the same
          // step from the sums scaled by v, whose terms r_k = v/d_k lie in (0, 1]:
          // S = a/v, -S' = b/v², step = (S-1)·v·a/b
          double a = 0;
          double b = 0;
          for (int j = 0; j < k; j++) {
            double wj = w[wOff + j];
            if (wj >= MIN_WEIGHT) {
              double sj = sigma[sOff + j];
              double r = v / (v + (sigmaPos - sj));
              a += wj * sj * r;
              b += wj * sj * r * r;
            }
          }
          step = excess * v * (a / b);
        }
        if (probing) {
          probing = false;
          if (excess < 0) { // right of the root: one step lands on its left (concavity)
            iterations++;
            invReady = false;
            double next = v + step;
            v = next > start ? next : lemma1(sigma, sOff, w, wOff, k, g, sigmaPos, start);
            continue;
          }
        }
        if (!(excess > 0) || iterations >= MAX_NEWTON) {
          break;
        }
        iterations++;
        if (!(step > 0)) { // flat only if every σ_k with w_k > 0 is 0: impossible on the simplex
          break;
        }
        v += step;
        if (step <= STOP_STEP * (v - step)) {
          // the error left after this step is below (step/v)²·v (the curvature bound |h''|/h'
          // ≤ 2/v): rounding; the 1/d_k of the last evaluation, corrected to first order,
          // give y to the same precision
          correction = step;
          break;
        }
        invReady = false;
      }
    }
    double x = (sigmaPos + v) / g;
    double sum = 0;
    if (invReady) { // y holds 1/d_k of the last evaluation, at v - correction
      for (int j = 0; j < k; j++) {
        double inv = y[yOff + j];
        double yj = w[wOff + j] * x * (inv - correction * inv * inv);
        y[yOff + j] = yj;
        sum += yj;
      }
    } else {
      for (int j = 0; j < k; j++) {
        double wj = w[wOff + j];
        double yj = wj >= MIN_WEIGHT ? wj * x / (v + (sigmaPos - sigma[sOff + j])) : 0.0;
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
      if (wj >= MIN_WEIGHT) {
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
      if (wj >= MIN_WEIGHT) {
        s += wj * x / (v + (sigmaPos - sigma[sOff + j]));
      }
    }
    return s - 1;
  }
}
