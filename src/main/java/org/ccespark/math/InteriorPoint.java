package org.ccespark.math;

import java.util.Arrays;

/**
 * A primal–dual interior-point method for eq. 11, used by {@link ExactPseudoLabels} where the
 * dual's Newton iteration stalls: when many classes compete for few points the optimum has points
 * with three or more active classes, the dual is not differentiable there, but the primal problem
 * stays smooth and the interior-point iteration does not care.
 *
 * <h2>The problem and its optimality conditions</h2>
 *
 * With {@code Φ(y) = M·P(y) = Σ_i −ln t_i − λM Σ_k u_k ln ȳ_k} (constants left out),
 * {@code t_i = σ_iᵀy_i}, the gradient is {@code ∂Φ/∂y_ik = −h_ik − c_k} with {@code h_i = σ_i/t_i}
 * and the prices {@code c_k = λ u_k / ȳ_k}. The conditions for the free rows, with multipliers
 * {@code z_i ≥ 0} for {@code y_i ≥ 0} and {@code ν_i} for {@code 1ᵀy_i = 1}, are
 *
 * <pre>
 *   −h_i − c − z_i + ν_i 1 = 0,   1ᵀy_i = 1,   y_i ∘ z_i = μ 1  (μ → 0).
 * </pre>
 *
 * <h2>One Newton step in O(MK²)</h2>
 *
 * The Hessian of {@code Φ} is {@code h_i h_iᵀ} per point plus the coupling
 * {@code (1/M) G} through {@code ȳ}, {@code G = diag(λu/ȳ²)}. Eliminating {@code Δz} leaves per point
 * {@code A_i Δy_i + Δν_i 1 = g_i − v}, {@code 1ᵀΔy_i = r_i}, with {@code A_i = diag(z_i/y_i) +
 * h_i h_iᵀ} and {@code v = G Δȳ}. Its solution {@code Δy_i = B_i(g_i − v) + e_i r_i/γ_i}
 * ({@code e_i = A_i⁻¹1}, {@code γ_i = 1ᵀe_i}, {@code B_i = A_i⁻¹ − e_i e_iᵀ/γ_i}, by
 * Sherman–Morrison in O(K)) makes {@code Δȳ = (1/M) Σ_i Δy_i} linear in {@code v}, so {@code v}
 * solves the K×K system
 *
 * <pre>
 *   (G⁻¹ + (1/M) Σ_i B_i) v = (1/M) Σ_i (B_i g_i + e_i r_i/γ_i),
 * </pre>
 *
 * symmetric positive definite, whose matrix is a sum over points (each a diagonal plus two
 * rank-one terms; entries of classes a point has left are dropped once they are below rounding,
 * so late iterations cost about O(M + K³)). Steps follow Mehrotra's predictor–corrector (one
 * factorisation, two right-hand sides) with a fraction-to-the-boundary rule.
 *
 * <h2>A proximal term for degenerate optima</h2>
 *
 * Where points have three or more active classes the optimal labels are not unique: along the
 * optimal face {@code Φ} is flat, {@code A_i} restricted to a point's active classes is the
 * rank-one {@code h hᵀ}, and as μ → 0 the Newton systems become singular in those directions (the
 * iteration used to stall with a certificate near 1e-7 at K = 200). Each system therefore uses
 * {@code A_i = diag(z_i/y_i + ρ) + h_i h_iᵀ}: a Newton step on {@code Φ(y) + (ρ/2)‖y − y_k‖²}, the
 * proximal-point regularisation of primal–dual regularised interior-point methods, which changes
 * the direction but not the optimum or the certificate. {@code ρ = 1e-6·∛(1 + λ)}, measured on
 * random blocks of M = 250 points with K = 2 to 200 and λ from 1e-6 to 1e6: 1e-7 left K = 200 at
 * λ = 100 near 1e-9, 1e-4 at λ = 100 near 1e-8, and λ = 1e6 needed 1e-4.
 *
 * <h2>A certificate</h2>
 *
 * By convexity, for every feasible {@code y'},
 * {@code Φ(y') ≥ Φ(y) + Σ_i (ν_i 1 − z_i − rd_i)ᵀ(y'_i − y_i) ≥ Φ(y) − Σ_i z_iᵀy_i −
 * 2 Σ_i ‖rd_i‖_∞} where {@code rd_i} is the residual of the first condition (and
 * {@code 1ᵀ(y'_i − y_i) = 0}). So {@code P(y) − P* ≤ (1/M) Σ_i (z_iᵀy_i + 2‖rd_i‖_∞)}: the
 * iteration stops once that bound is below the tolerance, whatever the degeneracy of the optimum.
 */
final class InteriorPoint {
  private InteriorPoint() {}

  /** Classes with {@code (y_j/z_j) h_j²} above this are kept out of the Sherman–Morrison part. */
  private static final double KEEP = 1e4;
  /** Most doubles of stored per-point T⁻¹ (32 MiB); points beyond are factorised again. */
  private static final int MAX_STORED = 1 << 22;
  /** ρ / ∛(1 + λ) (see the class comment). */
  private static final double RHO_SCALE = 1e-6;


  /**
   * How a solve ended.
   *
   * @param iterations predictor–corrector iterations
   * @param passes passes over the points (two per iteration, one to start, one per
   *     {@link Certifier} call)
   * @param primal {@code P(y)} of the labels written
   * @param bound the certified bound on {@code P(y) − P*}: the smaller of the iteration's own
   *     bound and the {@link Certifier}'s gap where that was computed for these labels
   * @param prices {@code c = λu/ȳ} of the labels written
   * @param dualGap the {@link Certifier}'s gap for the labels written, NaN if not computed
   */
  record Outcome(int iterations, int passes, double primal, double bound, double[] prices,
      double dualGap) {}

  /**
   * A second certificate: {@code P(y) − D(c)} with {@code D} the exact dual of eq. 11 at the
   * prices {@code c} of the current labels (one pass over the points). Near the end the
   * iteration's own bound can stall on the rounding of its residual while the labels are already
   * optimal within the tolerance (measured: a K = 200 block whose bound stayed at 3e-10 for seven
   * iterations while μ fell from 1e-10 to 1e-23; the dual gap was 4e-11).
   */
  @FunctionalInterface
  interface Certifier {
    double gap(double[] prices, double primal);
  }

  /**
   * Solves eq. 11 with class weights {@code u}.
   *
   * @param y receives the free rows' labels (strictly positive); fixed rows hold their labels on
   *     entry and are not changed
   * @param tol stop once the certified bound on {@code P(y) − P*} is below
   *     {@code tol · (1 + |P(y)|)}
   */
  static Outcome solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed,
      double lambda, double[] u, int maxIter, double tol) {
    return solve(sigma, y, rows, k, fixed, lambda, u, maxIter, tol, null);
  }

  /**
   * As {@link #solve(double[], double[], int, int, boolean[], double, double[], int, double)},
   * and once the complementarity {@code (1/M) Σ y_iᵀz_i} alone is within the tolerance but the
   * bound is not, asks {@code certifier} (if not null) for the dual gap, and stops if that is.
   */
  static Outcome solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed,
      double lambda, double[] u, int maxIter, double tol, Certifier certifier) {
    return new InteriorPoint.Run(sigma, y, rows, k, fixed, lambda, u).run(maxIter, tol, certifier);
  }

  /** The state of one solve. */
  static final class Run {
    final double[] sigma;
    final double[] y;
    final int rows;
    final int k;
    final boolean[] fixed;
    final double lambda;
    final double[] u;
    final int free;
    final double[] z;
    final double[] dInv;
    final double[] hv;
    final double[] nu;
    final double[] t;
    final double[] fixedMean;
    final double[] mean;
    final double[] c;
    final double[] dy;
    final double[] dz;
    final double[] dnu;
    final double[] dyAff;
    final double[] dzAff;
    final double[] s;
    final double[] factor;
    final double[] v;
    final double[] rhs;
    final double[] q;
    final double[] v2;
    final double[] g;
    final boolean[] inner;
    final int[] keptIndex;
    final int[] active;
    final double[] reduced;
    final double[] rho1;
    final double[] rho2;
    final double[] rowSum;
    final double[] gAll;
    final double[] rAll;
    double[] tMatrix;
    double[] tInverse;
    double beta;
    // Each point's factorisation, made once per iteration by assemble() and reused by the four
    // passes of the two directions (the iterate does not change in between): q, v2, the inner
    // flags, the kept classes and their count (−1: not stored, factorised again), β and T⁻¹ (at
    // tAt[i] in tAll, grown up to MAX_STORED doubles).
    final double[] qAll;
    final double[] v2All;
    final boolean[] innerAll;
    final int[] keptAll;
    final int[] keptCount;
    final double[] betaAll;
    final int[] tAt;
    double[] tAll;
    int tUsed;
    double fixedCollision;
    double minInverseCoupling;
    /** The proximal weight ρ of the Newton systems (see the class comment). */
    final double rho;

    Run(double[] sigma, double[] y, int rows, int k, boolean[] fixed, double lambda,
        double[] u) {
      this.sigma = sigma;
      this.y = y;
      this.rows = rows;
      this.k = k;
      this.fixed = fixed;
      this.lambda = lambda;
      this.u = u;
      this.rho = RHO_SCALE * Math.cbrt(1 + lambda);
      int f = 0;
      fixedMean = new double[k];
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          double ty = 0;
          for (int j = 0; j < k; j++) {
            fixedMean[j] += y[i * k + j] / rows;
            ty += sigma[i * k + j] * y[i * k + j];
          }
          fixedCollision -= Math.log(ty);
        } else {
          f++;
        }
      }
      free = f;
      z = new double[rows * k];
      dInv = new double[rows * k];
      hv = new double[rows * k];
      nu = new double[rows];
      t = new double[rows];
      mean = new double[k];
      c = new double[k];
      dy = new double[rows * k];
      dz = new double[rows * k];
      dnu = new double[rows];
      dyAff = new double[rows * k];
      dzAff = new double[rows * k];
      s = new double[k * k];
      factor = new double[k * k];
      v = new double[k];
      rhs = new double[k];
      q = new double[k];
      v2 = new double[k];
      g = new double[k];
      inner = new boolean[k];
      keptIndex = new int[k];
      active = new int[k];
      reduced = new double[k + 1];
      rho1 = new double[k + 1];
      rho2 = new double[k + 1];
      rowSum = new double[k];
      gAll = new double[rows * k];
      rAll = new double[rows];
      tMatrix = new double[(k + 1) * (k + 1)];
      tInverse = new double[(k + 1) * (k + 1)];
      qAll = new double[rows * k];
      v2All = new double[rows * k];
      innerAll = new boolean[rows * k];
      keptAll = new int[rows * k];
      keptCount = new int[rows];
      betaAll = new double[rows];
      tAt = new int[rows];
      tAll = new double[Math.min(MAX_STORED, 4 * rows)];
    }

    boolean isFixed(int i) {
      return fixed != null && fixed[i];
    }

    Outcome run(int maxIter, double tol, Certifier certifier) {
      start();
      int it = 0;
      int passes = 1;
      double primal = primal();
      double bound = bound();
      double[] best = y.clone();
      double bestBound = bound;
      double bestPrimal = primal;
      double bestDualGap = Double.NaN;
      int sinceBest = 0;
      // Rounding limits the last digits: the Newton matrix holds terms of size 1/μ whose
      // differences matter, so once μ is near 1e-11 the directions degrade and the bound grows;
      // the best iterate is kept.
      while (bestBound > tol * (1 + Math.abs(bestPrimal)) && it < maxIter && sinceBest < 4) {
        double mu = complementarity() / ((double) free * k);
        cache();
        assemble();
        if (!factorise()) {
          break;
        }
        // predictor: the affine-scaling direction (target μ = 0)
        direction(0, 0, false, dyAff, dzAff);
        double aAff = maxStep(dyAff, dzAff, 1);
        double muAff = 0;
        for (int i = 0; i < rows; i++) {
          if (isFixed(i)) {
            continue;
          }
          for (int j = i * k; j < i * k + k; j++) {
            muAff += (y[j] + aAff * dyAff[j]) * (z[j] + aAff * dzAff[j]);
          }
        }
        muAff /= (double) free * k;
        double centering = Math.min(1, Math.pow(muAff / mu, 3));
        // corrector: centred, with the second-order term of the predictor
        direction(centering * mu, 1, true, dy, dz);
        double alpha = maxStep(dy, dz, Math.max(0.99, 1 - mu));
        passes += 2;
        it++;
        for (int i = 0; i < rows; i++) {
          if (isFixed(i)) {
            continue;
          }
          nu[i] += alpha * dnu[i];
          for (int j = i * k; j < i * k + k; j++) {
            y[j] += alpha * dy[j];
            z[j] += alpha * dz[j];
          }
        }
        refresh();
        primal = primal();
        bound = bound();
        double target = tol * (1 + Math.abs(primal));
        double dualGap = Double.NaN;
        if (certifier != null && bound > target && complementarity() / rows <= target) {
          dualGap = certifier.gap(c, primal);
          passes++;
          bound = Math.min(bound, dualGap);
        }
        if (bound < bestBound) {
          bestBound = bound;
          bestPrimal = primal;
          bestDualGap = dualGap;
          System.arraycopy(y, 0, best, 0, y.length);
          sinceBest = 0;
        } else {
          sinceBest++;
        }
      }
      System.arraycopy(best, 0, y, 0, y.length);
      refresh();
      return new Outcome(it, passes, bestPrimal, bestBound, c.clone(), bestDualGap);
    }

    /** The centre of the simplex, with multipliers that make the first condition hold exactly. */
    void start() {
      for (int i = 0; i < rows; i++) {
        if (!isFixed(i)) {
          Arrays.fill(y, i * k, i * k + k, 1.0 / k);
        }
      }
      refresh();
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          continue;
        }
        int o = i * k;
        double top = Double.NEGATIVE_INFINITY;
        double bottom = Double.POSITIVE_INFINITY;
        for (int j = 0; j < k; j++) {
          double gj = sigma[o + j] / t[i] + c[j];
          top = Math.max(top, gj);
          bottom = Math.min(bottom, gj);
        }
        nu[i] = top + Math.max(1, top - bottom);
        for (int j = 0; j < k; j++) {
          z[o + j] = nu[i] - sigma[o + j] / t[i] - c[j];
        }

      }
    }

    /** {@code y/z} and {@code h = σ/t} of the current iterate, used by every pass. */
    void cache() {
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          continue;
        }
        double inverse = 1 / t[i];
        for (int j = i * k; j < i * k + k; j++) {
          dInv[j] = y[j] / (z[j] + rho * y[j]);
          hv[j] = sigma[j] * inverse;
        }
      }
    }

    /** {@code t}, {@code ȳ} and {@code c} from {@code y}. */
    void refresh() {
      System.arraycopy(fixedMean, 0, mean, 0, k);
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          continue;
        }
        int o = i * k;
        double ty = 0;
        for (int j = 0; j < k; j++) {
          ty += sigma[o + j] * y[o + j];
          mean[j] += y[o + j] / rows;
        }
        t[i] = ty;
      }
      for (int j = 0; j < k; j++) {
        c[j] = lambda * u[j] / mean[j];
      }
    }

    double complementarity() {
      double sum = 0;
      for (int i = 0; i < rows; i++) {
        if (!isFixed(i)) {
          for (int j = i * k; j < i * k + k; j++) {
            sum += y[j] * z[j];
          }
        }
      }
      return sum;
    }

    /** The certified bound {@code (1/M) Σ_i (z_iᵀy_i + 2‖rd_i‖_∞ + |r_i|·max|∂Φ|)}. */
    double bound() {
      double sum = 0;
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          continue;
        }
        int o = i * k;
        double worst = 0;
        double gradMax = 0;
        double total = 0;
        for (int j = 0; j < k; j++) {
          double grad = sigma[o + j] / t[i] + c[j];
          worst = Math.max(worst, Math.abs(nu[i] - grad - z[o + j]));
          gradMax = Math.max(gradMax, grad);
          sum += y[o + j] * z[o + j];
          total += y[o + j];
        }
        sum += 2 * worst + Math.abs(1 - total) * gradMax;
      }
      return sum / rows;
    }

    double primal() {
      double sum = fixedCollision;
      for (int i = 0; i < rows; i++) {
        if (!isFixed(i)) {
          sum -= Math.log(t[i]);
        }
      }
      double kl = 0;
      for (int j = 0; j < k; j++) {
        kl += u[j] * Math.log(u[j] / mean[j]);
      }
      return sum / rows + lambda * kl;
    }

    /**
     * Factors one point's KKT matrix {@code [[A, 1], [1ᵀ, 0]]}, {@code A = diag(z/y) + hhᵀ},
     * without the cancellation of the textbook Sherman–Morrison form (whose terms grow like 1/μ
     * on the classes the point keeps): classes with {@code w_j = (y_j/z_j) h_j² ≤ 1e4} ("inner")
     * are eliminated by Sherman–Morrison, which is exact there to rounding; the few others
     * ("kept", with ν) form a small dense system {@code T} inverted by Gauss–Jordan. Writes
     * {@link #inner}, {@link #keptIndex}, {@link #q}, {@link #v2}, {@link #tInverse}; returns the
     * number of kept classes.
     */
    int factorPoint(int i) {
      int o = i * k;
      int a = 0;
      double hq = 0;
      double sumQ = 0;
      double sumD = 0;
      for (int j = 0; j < k; j++) {
        double d = dInv[o + j];
        double h = hv[o + j];
        if (d * h * h > KEEP) {
          inner[j] = false;
          keptIndex[a++] = j;
          q[j] = 0;
        } else {
          inner[j] = true;
          q[j] = d * h;
          hq += h * q[j];
          sumQ += q[j];
          sumD += d;
        }
      }
      beta = 1 + hq;
      double sb = sumQ / beta;
      for (int j = 0; j < k; j++) {
        v2[j] = inner[j] ? dInv[o + j] - q[j] * sb : 0;
      }
      int n = a + 1;
      for (int p = 0; p < a; p++) {
        int jp = keptIndex[p];
        double hp = hv[o + jp];
        for (int r = 0; r < a; r++) {
          int jr = keptIndex[r];
          tMatrix[p * n + r] = hp * (hv[o + jr]) / beta
              + (p == r ? z[o + jp] / y[o + jp] + rho : 0);
        }
        tMatrix[p * n + a] = 1 - hp * sb;
        tMatrix[a * n + p] = 1 - hp * sb;
      }
      tMatrix[a * n + a] = -(sumD - sumQ * sb);
      invert(tMatrix, tInverse, n);
      return a;
    }

    /** Stores the factorisation {@link #factorPoint} just made for point {@code i}. */
    void storePoint(int i, int a) {
      int size = (a + 1) * (a + 1);
      if (tUsed + size > tAll.length) {
        if (tUsed + size > MAX_STORED) {
          keptCount[i] = -1;
          return;
        }
        tAll = Arrays.copyOf(tAll, Math.min(MAX_STORED, Math.max(2 * tAll.length, tUsed + size)));
      }
      int o = i * k;
      System.arraycopy(q, 0, qAll, o, k);
      System.arraycopy(v2, 0, v2All, o, k);
      System.arraycopy(inner, 0, innerAll, o, k);
      System.arraycopy(keptIndex, 0, keptAll, o, a);
      System.arraycopy(tInverse, 0, tAll, tUsed, size);
      betaAll[i] = beta;
      tAt[i] = tUsed;
      tUsed += size;
      keptCount[i] = a;
    }

    /**
     * Point {@code i}'s factorisation of this iteration into the scratch fields, as
     * {@link #factorPoint} would compute it; returns the number of kept classes.
     */
    int loadPoint(int i) {
      int a = keptCount[i];
      if (a < 0) {
        return factorPoint(i);
      }
      int o = i * k;
      System.arraycopy(qAll, o, q, 0, k);
      System.arraycopy(v2All, o, v2, 0, k);
      System.arraycopy(innerAll, o, inner, 0, k);
      System.arraycopy(keptAll, o, keptIndex, 0, a);
      System.arraycopy(tAll, tAt[i], tInverse, 0, (a + 1) * (a + 1));
      beta = betaAll[i];
      return a;
    }

    /**
     * Solves the point's KKT system {@code A Δ + Δν 1 = x}, {@code 1ᵀΔ = r} (after
     * {@link #factorPoint} returned {@code a}); writes Δ to {@code out} at the point's offset and
     * returns Δν.
     */
    double solvePoint(int i, int a, double[] x, double r, double[] out) {
      int o = i * k;
      int n = a + 1;
      // s = A_II⁻¹ x_I
      double qx = 0;
      for (int j = 0; j < k; j++) {
        if (inner[j]) {
          qx += q[j] * x[j];
        }
      }
      double hs = 0;
      double ones = 0;
      for (int j = 0; j < k; j++) {
        if (inner[j]) {
          double sj = dInv[o + j] * x[j] - q[j] * qx / beta;
          out[o + j] = sj;
          hs += hv[o + j] * sj;
          ones += sj;
        }
      }
      // kept part: T [Δ_K; Δν] = [x_K − h_K (h_Iᵀs); r − 1ᵀs]
      for (int p = 0; p < a; p++) {
        int jp = keptIndex[p];
        reduced[p] = x[jp] - hv[o + jp] * hs;
      }
      reduced[a] = r - ones;
      double hk = 0;
      double dn = 0;
      for (int p = 0; p < n; p++) {
        double sum = 0;
        for (int col = 0; col < n; col++) {
          sum += tInverse[p * n + col] * reduced[col];
        }
        if (p < a) {
          out[o + keptIndex[p]] = sum;
          hk += hv[o + keptIndex[p]] * sum;
        } else {
          dn = sum;
        }
      }
      // Δ_I = s − (q/β)(h_Kᵀ Δ_K) − v2 Δν
      double sum = 0;
      for (int j = 0; j < k; j++) {
        if (inner[j]) {
          out[o + j] -= q[j] / beta * hk + v2[j] * dn;
        }
        sum += out[o + j];
      }
      // 1ᵀΔ = r holds exactly in exact arithmetic; rounding of T⁻¹'s large entries (a point
      // on a face of three or more classes) can break it: put the difference back, spread in
      // proportion to y, so the iterates stay on the simplex
      double fix = r - sum;
      for (int j = 0; j < k; j++) {
        out[o + j] += fix * y[o + j];
      }
      return dn;
    }

    /** Adds the point's {@code B_i/M} (Δ block of its KKT inverse) to {@code S}'s lower triangle. */
    void addPoint(int i, int a) {
      int o = i * k;
      int n = a + 1;
      // P = R T⁻¹ Rᵀ with R = [[h_Kᵀ, 0], [0, 1]]; ρ1_l = (h_Kᵀ T⁻¹)_l, ρ2_l = (T⁻¹)_{ν,l}
      for (int col = 0; col < n; col++) {
        double sum = 0;
        for (int p = 0; p < a; p++) {
          sum += hv[o + keptIndex[p]] * tInverse[p * n + col];
        }
        rho1[col] = sum;
        rho2[col] = tInverse[a * n + col];
      }
      double p11 = 0;
      for (int p = 0; p < a; p++) {
        p11 += rho1[p] * hv[o + keptIndex[p]];
      }
      double p12 = rho1[a];
      double p22 = rho2[a];
      double inv = 1.0 / rows;
      double c11 = (-1 / beta + p11 / (beta * beta)) * inv;
      double c12 = p12 / beta * inv;
      double c22 = p22 * inv;
      double big = 0;
      for (int j = 0; j < k; j++) {
        if (inner[j]) {
          s[j * k + j] += dInv[o + j] * inv;
          big = Math.max(big, Math.max(Math.abs(q[j]), Math.abs(v2[j])));
        }
      }
      int m = 0;
      // the rank-two part is skipped where all of it is below rounding of S's smallest
      // eigenvalue (at least min G⁻¹): late in the iteration, for points whose inner classes
      // all have y of order μ, so such a pass costs O(K) per point
      boolean negligible = (Math.abs(c11) + 2 * Math.abs(c12) + Math.abs(c22)) * big * big
          <= 1e-17 * minInverseCoupling;
      for (int j = 0; j < k && !negligible; j++) {
        if (inner[j] && (Math.abs(q[j]) > 1e-17 * big || Math.abs(v2[j]) > 1e-17 * big)) {
          active[m++] = j;
        }
      }
      // inner × inner: c11 q qᵀ + c12 (q v2ᵀ + v2 qᵀ) + c22 v2 v2ᵀ
      for (int p = 0; p < m; p++) {
        int jp = active[p];
        double qp = q[jp];
        double vp = v2[jp];
        double x1 = c11 * qp + c12 * vp;
        double x2 = c12 * qp + c22 * vp;
        int row = jp * k;
        for (int r = 0; r <= p; r++) {
          int jr = active[r];
          s[row + jr] += x1 * q[jr] + x2 * v2[jr];
        }
      }
      // inner × kept: −(q/β) ρ1_l − v2 ρ2_l;   kept × kept: (T⁻¹)
      for (int l = 0; l < a; l++) {
        int jl = keptIndex[l];
        double w1 = -rho1[l] / beta * inv;
        double w2 = -rho2[l] * inv;
        for (int p = 0; p < m; p++) {
          int jp = active[p];
          double val = w1 * q[jp] + w2 * v2[jp];
          if (jp > jl) {
            s[jp * k + jl] += val;
          } else {
            s[jl * k + jp] += val;
          }
        }
        for (int r = 0; r < a; r++) {
          int jr = keptIndex[r];
          if (jr <= jl) {
            s[jl * k + jr] += tInverse[l * n + r] * inv;
          }
        }
      }
    }

    /** {@code S = G⁻¹ + (1/M) Σ_i B_i}, lower triangle. */
    void assemble() {
      Arrays.fill(s, 0);
      minInverseCoupling = Double.POSITIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        minInverseCoupling = Math.min(minInverseCoupling, mean[j] * mean[j] / (lambda * u[j]));
      }
      tUsed = 0;
      for (int i = 0; i < rows; i++) {
        if (!isFixed(i)) {
          int a = factorPoint(i);
          storePoint(i, a);
          addPoint(i, a);
        }
      }
      // Each B_i annihilates 1 exactly; enforce it on the sum (rounding of its large entries
      // would otherwise swamp G⁻¹, which alone holds S in that direction when λ is large).
      double total = 0;
      for (int a = 0; a < k; a++) {
        double row = 0;
        for (int b = 0; b < k; b++) {
          row += a >= b ? s[a * k + b] : s[b * k + a];
        }
        rowSum[a] = row / k;
        total += row / k;
      }
      total /= k;
      for (int a = 0; a < k; a++) {
        for (int b = 0; b <= a; b++) {
          s[a * k + b] -= rowSum[a] + rowSum[b] - total;
        }
      }
      for (int j = 0; j < k; j++) {
        s[j * k + j] += mean[j] * mean[j] / (lambda * u[j]);
      }
    }

    /** Cholesky of {@code S} (symmetrised from its lower triangle), with jitter if needed. */
    boolean factorise() {
      for (int attempt = 0; attempt < 8; attempt++) {
        for (int a = 0; a < k; a++) {
          for (int b = 0; b < a; b++) {
            factor[a * k + b] = s[a * k + b];
            factor[b * k + a] = s[a * k + b];
          }
          factor[a * k + a] = s[a * k + a] * (1 + (attempt == 0 ? 0 : Math.pow(10, attempt - 14)));
        }
        if (Cholesky.factorInPlace(factor, k)) {
          return true;
        }
      }
      return false;
    }

    /**
     * The Newton direction for complementarity target {@code target}, with
     * {@code second}·(the predictor's Δy∘Δz) subtracted when {@code corrector}; writes
     * {@code outY}, {@code outZ} and {@link #dnu}.
     */
    void direction(double target, double second, boolean corrector, double[] outY,
        double[] outZ) {
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          continue;
        }
        pointRhs(i, target, second, corrector);
        System.arraycopy(g, 0, gAll, i * k, k);
        rAll[i] = residualSum(i);
      }
      solveSystem(gAll, rAll, outY, dnu);
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          continue;
        }
        int o = i * k;
        for (int j = 0; j < k; j++) {
          double rc = target - y[o + j] * z[o + j]
              - (corrector ? second * dyAff[o + j] * dzAff[o + j] : 0);
          outZ[o + j] = (rc - z[o + j] * outY[o + j]) / y[o + j];
        }
      }
    }

    /**
     * Solves the linearised system {@code A_i Δy_i + Δν_i 1 + G Δȳ = g_i}, {@code 1ᵀΔy_i = r_i}
     * for all points ({@code g} and {@code r} per point) with the factorised {@code S}: one pass
     * for the right-hand side {@code (1/M) Σ (B_i g_i + e_i r_i/γ_i)}, one for the points.
     */
    void solveSystem(double[] gIn, double[] rIn, double[] outY, double[] outNu) {
      Arrays.fill(rhs, 0);
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          continue;
        }
        int a = loadPoint(i);
        System.arraycopy(gIn, i * k, g, 0, k);
        solvePoint(i, a, g, rIn[i], outY);
        for (int j = 0; j < k; j++) {
          rhs[j] += outY[i * k + j] / rows;
        }
      }
      System.arraycopy(rhs, 0, v, 0, k);
      Cholesky.solveFactored(factor, k, v);
      // v matters only up to a multiple of 1 (absorbed by Δν), and its common part can be large
      // (of size λK·Δȳ): take it out before the points see v, and give it back to Δν
      double shift = 0;
      for (int j = 0; j < k; j++) {
        shift += v[j] / k;
      }
      for (int j = 0; j < k; j++) {
        v[j] -= shift;
      }
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          continue;
        }
        int a = loadPoint(i);
        for (int j = 0; j < k; j++) {
          g[j] = gIn[i * k + j] - v[j];
        }
        outNu[i] = solvePoint(i, a, g, rIn[i], outY) - shift;
      }
    }

    /** {@code g = −rd + rc/y} for point {@code i} into the scratch {@link #g}. */
    void pointRhs(int i, double target, double second, boolean corrector) {
      int o = i * k;
      for (int j = 0; j < k; j++) {
        double rd = nu[i] - hv[o + j] - c[j] - z[o + j];
        double rc = target - y[o + j] * z[o + j]
            - (corrector ? second * dyAff[o + j] * dzAff[o + j] : 0);
        g[j] = -rd + rc / y[o + j];
      }
    }

    /** {@code 1 − 1ᵀy_i}. */
    double residualSum(int i) {
      double sum = 0;
      for (int j = i * k; j < i * k + k; j++) {
        sum += y[j];
      }
      return 1 - sum;
    }

    /** Largest step in (0, 1] keeping {@code y, z > 0}, times {@code eta}. */
    double maxStep(double[] sy, double[] sz, double eta) {
      double a = 1;
      for (int i = 0; i < rows; i++) {
        if (isFixed(i)) {
          continue;
        }
        for (int j = i * k; j < i * k + k; j++) {
          if (sy[j] < 0) {
            a = Math.min(a, -eta * y[j] / sy[j]);
          }
          if (sz[j] < 0) {
            a = Math.min(a, -eta * z[j] / sz[j]);
          }
        }
      }
      return a;
    }
  }

  /**
   * Inverts the {@code n × n} matrix {@code a} (symmetric, possibly indefinite) into {@code out} by
   * Gauss–Jordan elimination with partial pivoting; {@code a} is overwritten. A singular matrix
   * gets a zero pivot replaced by a tiny one (its inverse is then huge in that direction, as the
   * KKT system of a point on a face of the simplex legitimately is).
   */
  static void invert(double[] a, double[] out, int n) {
    Arrays.fill(out, 0, n * n, 0);
    for (int j = 0; j < n; j++) {
      out[j * n + j] = 1;
    }
    double scale = 0;
    for (int j = 0; j < n * n; j++) {
      scale = Math.max(scale, Math.abs(a[j]));
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) {
          pivot = r;
        }
      }
      if (pivot != col) {
        for (int j = 0; j < n; j++) {
          double tmp = a[col * n + j];
          a[col * n + j] = a[pivot * n + j];
          a[pivot * n + j] = tmp;
          tmp = out[col * n + j];
          out[col * n + j] = out[pivot * n + j];
          out[pivot * n + j] = tmp;
        }
      }
      double d = a[col * n + col];
      if (Math.abs(d) < 1e-300 + 1e-30 * scale) {
        d = 1e-30 * scale + 1e-300;
      }
      double invD = 1 / d;
      for (int j = 0; j < n; j++) {
        a[col * n + j] *= invD;
        out[col * n + j] *= invD;
      }
      for (int r = 0; r < n; r++) {
        double f = a[r * n + col];
        if (r == col || f == 0) {
          continue;
        }
        for (int j = 0; j < n; j++) {
          a[r * n + j] -= f * a[col * n + j];
          out[r * n + j] -= f * out[col * n + j];
        }
      }
    }
  }
}
