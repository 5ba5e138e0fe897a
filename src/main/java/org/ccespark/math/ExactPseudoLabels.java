package org.ccespark.math;

import java.io.Serializable;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The pseudo-labels of eq. 11 solved to a certified optimum: the exact solver that replaces EM
 * (the paper's section 4) as the default. Locally it runs the primal–dual interior-point method
 * ({@link InteriorPoint}) and certifies its labels by the Lagrange dual below; Newton's method on
 * that dual is the distributed solver ({@link #solveDual}: a pass is a sum over points) and the
 * local one where K is too large for the interior-point method.
 *
 * <h2>The dual</h2>
 *
 * For {@code M} points with fixed predictions {@code σ_i} and uniform {@code u},
 *
 * <pre>
 *   P(y) = (1/M) Σ_i −ln σ_iᵀy_i + λ KL(u‖ȳ),   ȳ = (1/M) Σ_i y_i,   y_i ∈ Δ_K.
 * </pre>
 *
 * Writing {@code p = ȳ} as a constraint with multipliers ("prices") {@code c ∈ R^K} and minimising
 * the Lagrangian over {@code p} ({@code p_k = λ u_k / c_k}) and over each {@code y_i} gives the
 * concave dual
 *
 * <pre>
 *   D(c) = (1/M) Σ_i φ_i(c) + λ Σ_k u_k ln(c_k / λ) + λ,   φ_i(c) = min_{y ∈ Δ} [−ln σ_iᵀy − cᵀy],
 *   ∂D/∂c_k = λ u_k / c_k − ȳ_k(c),
 * </pre>
 *
 * where {@code ȳ(c)} is the mean of the inner minimisers. At the maximiser {@code c*} the inner
 * minimisers are the optimal pseudo-labels and {@code c*_k = λ u_k / ȳ_k}. For any {@code c > 0}
 * the duality gap of {@code y(c)} has the closed form
 *
 * <pre>
 *   P(y(c)) − D(c) = λ Σ_k u_k (r_k − 1 − ln r_k),   r_k = ȳ_k(c) c_k / (λ u_k)  (≥ 0),
 * </pre>
 *
 * which bounds {@code P(y(c)) − P*} and is computed without cancellation even for λ = 1e6.
 *
 * <h2>One point: a walk along an upper envelope of lines</h2>
 *
 * Since {@code −ln s = max_{a>0} [ln a + 1 − a s]}, minimax gives
 * {@code φ(c) = max_{a>0} [ln a + 1 − max_k (c_k + a σ_k)]}: a one-dimensional concave problem
 * on the upper envelope of the K lines {@code ℓ_k(a) = c_k + a σ_k}. Its maximiser {@code a*}
 * satisfies {@code 1/a* ∈ [σ of the active lines]}, and {@code y} is supported on the lines active
 * at {@code a*} with {@code σᵀy = 1/a*}. Walking the envelope from {@code a = 0} (the line of
 * largest price) towards lines of larger {@code σ}, the walk stops either inside a line's piece
 * ({@code y = e_j}, {@code a* = 1/σ_j}) or at a breakpoint between lines {@code j} and {@code k}
 * ({@code σ_j < σ_k}, {@code c_j > c_k}): {@code y} mixes the two with
 * {@code y_k = θ = 1/(c_j − c_k) − σ_j/(σ_k − σ_j)}. So every point is one class or a mix of two
 * neighbours on the envelope (the upper concave hull of the points {@code (σ_ik, c_k)}); lines
 * that are exactly equal (same σ and price) share the mass equally.
 *
 * <h2>Newton's method on the prices</h2>
 *
 * A vertex point's {@code y} is locally constant in {@code c}; a mixed point's has the Jacobian
 * {@code (1/(c_j − c_k)²) v vᵀ}, {@code v = e_k − e_j}. The Hessian of {@code D} is therefore
 * {@code −[diag(λ u_k / c_k²) + (1/M) Σ_mixed (c_j − c_k)^{−2} v vᵀ]}: negative definite, assembled
 * from each point's 1×1 or 2×2 contribution and factorised by Cholesky ({@code O(K³)} per
 * iteration). Steps are damped Levenberg–Marquardt style ({@code (A + μI)Δ = ∇D}, μ adapted to
 * the ratio of actual to predicted increase of {@code D}, steps keeping {@code c > 0}), and stop
 * once {@code max_k |ȳ_k c_k/(λ u_k) − 1|} is at most the tolerance (the KKT conditions to that
 * relative precision; the gap is then of its square). Each iteration costs one pass over the points
 * ({@code O(MK)} for the walks) plus the factorisation; {@link #solveDual} takes the pass as a
 * function, so a distributed caller runs it as a Spark job returning {@link Partial} sums.
 *
 * <h2>Degenerate optima, and the interior-point method</h2>
 *
 * The dual is differentiable where each point's optimum is unique. When many classes compete for
 * few points, or λ is large, or σ is confident (as in training, where most mini-batches are so),
 * the optimum has points with three or more active classes, {@code D} is not differentiable
 * there, and the Newton iteration stalls. The primal–dual interior-point method on eq. 11 itself
 * does not care about degeneracy; {@link #solve} runs it at once for K &gt; 2 and, for K = 2, after
 * {@value #QUICK_DUAL_PASSES} cheap passes of Newton on the dual have not converged (while
 * {@code K²(K + M)} ≤ 1.5·10⁹, as each of its iterations assembles a K×K system from the points), to
 * the caller's tolerance, and certifies its labels by the smaller of its own bound and
 * {@code P(y) − D(c)} at its prices (computed, one pass each, once the complementarity alone is
 * within the tolerance, so that a bound stalled on rounding does not keep it iterating;
 * {@link Result#gap()}; {@link Result#converged()} when that is within the tolerance relative to
 * {@code P}, or within the rounding floor {@code 4e-16·K·(1 + λ)} of prices of size λ). Where it
 * is not certified, Newton on the dual continues from its prices and the closer labels are kept;
 * callers fall back to EM when the bound is not small ({@code selflabel.CollisionEm}). Classes
 * with identical σ columns (for example σ underflowed to 0 for every point) are merged before
 * solving. Measured on random blocks of M = 250 points ({@code ExactPseudoLabelsTest}): K = 2, 10
 * and 20 with λ from 1e-6 to 1e6 all certified within 1e-9 (most within 1e-12) in 8–80 passes;
 * K = 200 with λ from 1 to 1e4 within 1e-9 in about 60 passes (λ = 100, five blocks of
 * σ = softmax(3z): 54–58 passes, 26–28 iterations, at most 1e-10 relative).
 *
 * <p>Rows with fixed labels enter {@code ȳ} (and {@code D}) with their labels and are not
 * changed. With λ = 0 the fairness term vanishes and each free point takes its most likely class.
 * Nothing here knows about Spark.
 */
public final class ExactPseudoLabels {
  /** Default largest number of Newton iterations of one solve. */
  public static final int DEFAULT_MAX_ITER = 100;
  /**
   * Default tolerance on the relative residual {@code max_k |ȳ_k c_k / (λ u_k) − 1|} (the gap is
   * then below {@code λ·1e-20}).
   */
  public static final double DEFAULT_TOL = 1e-10;


  private ExactPseudoLabels() {}

  /**
   * How a solve ended.
   *
   * @param iterations Newton iterations taken
   * @param passes passes over the points (evaluations of {@code ȳ(c)}), line searches included
   * @param converged whether the residual reached the tolerance
   * @param primal {@code L_CCE+} of the returned pseudo-labels (eq. 11)
   * @param gap the duality gap {@code P(y) − D(c)} of the returned labels and prices
   * @param prices the dual prices {@code c} (a fresh array)
   */
  public record Result(int iterations, int passes, boolean converged, double primal, double gap,
      double[] prices) {}

  /**
   * A block's part of one evaluation of the dual at given prices: sums over its rows, to be merged
   * across blocks (in any grouping; the sums are exact up to rounding) and then turned into the
   * gradient and Hessian of {@code D} by {@link #solveDual}.
   */
  public static final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Number of classes. */
    public final int k;
    /** {@code Σ_i y_i(c)} over the block's rows (fixed rows: their labels). */
    public final double[] labelSums;
    /** Rows evaluated. */
    public long rows;
    /** {@code Σ_i −ln σ_iᵀy_i} over the rows (the primal's data term, fixed rows included). */
    public double collisionSum;
    /** {@code Σ_i [φ_i(c)]} over free rows plus {@code Σ −cᵀy_i} over fixed rows. */
    public double innerSum;
    private int pairs;
    private int[] pairLo = new int[0];
    private int[] pairHi = new int[0];
    private double[] pairWeight = new double[0];

    /** An empty sum over {@code k} classes. */
    public Partial(int k) {
      this.k = k;
      this.labelSums = new double[k];
    }

    /** Adds {@code other} into this one; returns this. */
    public Partial merge(Partial other) {
      for (int c = 0; c < k; c++) {
        labelSums[c] += other.labelSums[c];
      }
      rows += other.rows;
      collisionSum += other.collisionSum;
      innerSum += other.innerSum;
      for (int p = 0; p < other.pairs; p++) {
        addPair(other.pairLo[p], other.pairHi[p], other.pairWeight[p]);
      }
      return this;
    }

    /** Number of mixed points (each contributes a 2×2 block to the Hessian). */
    public int mixedPoints() {
      return pairs;
    }

    void addPair(int lo, int hi, double weight) {
      if (pairs == pairLo.length) {
        int n = Math.max(16, 2 * pairs);
        pairLo = Arrays.copyOf(pairLo, n);
        pairHi = Arrays.copyOf(pairHi, n);
        pairWeight = Arrays.copyOf(pairWeight, n);
      }
      pairLo[pairs] = lo;
      pairHi[pairs] = hi;
      pairWeight[pairs] = weight;
      pairs++;
    }

    void clear() {
      Arrays.fill(labelSums, 0);
      rows = 0;
      collisionSum = 0;
      innerSum = 0;
      pairs = 0;
    }
  }

  /**
   * Solves eq. 11 for one block in place.
   *
   * @param sigma predictions, {@code rows × K}
   * @param y receives the optimal pseudo-labels; rows in {@code fixed} must hold their labels on
   *     entry and are not changed
   * @param fixed rows with fixed labels, or null
   * @param lambda λ ≥ 0
   * @param prices start prices (length K, all positive), or null for {@code c = λ·1} (the prices
   *     of a balanced {@code ȳ})
   * @param maxIter largest number of Newton iterations
   * @param tol tolerance on the relative residual {@code max_k |ȳ_k c_k/(λu_k) − 1|}
   */
  public static Result solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed,
      double lambda, double[] prices, int maxIter, double tol) {
    if (lambda == 0) {
      Partial p = evaluate(sigma, 0, rows, k, new double[k], y, fixed, y, new Partial(k));
      return new Result(0, 1, true, p.collisionSum / rows, 0, new double[k]);
    }
    // Classes whose σ columns are identical (e.g. underflowed to 0 for every point) have equal
    // optimal prices and labels: solve with each group as one class of weight u = size/K, whose
    // mass is then shared equally (without merging, the dual is not differentiable there).
    int[] group = ClassGroups.groups(sigma, rows, k);
    int g = ClassGroups.count(group);
    if (g == k) {
      return solveDistinct(sigma, y, rows, k, fixed, lambda, uniform(k), prices, maxIter, tol);
    }
    double[] weights = new double[g];
    int[] size = new int[g];
    for (int q = 0; q < k; q++) {
      size[group[q]]++;
    }
    for (int q = 0; q < g; q++) {
      weights[q] = size[q] / (double) k;
    }
    double[] s = new double[rows * g];
    double[] yg = new double[rows * g];
    for (int i = 0; i < rows; i++) {
      for (int q = 0; q < k; q++) {
        s[i * g + group[q]] = sigma[i * k + q]; // same value for every member
        yg[i * g + group[q]] += y[i * k + q];    // fixed rows' labels, summed per group
      }
    }
    double[] start = null;
    if (prices != null) {
      start = new double[g];
      for (int q = 0; q < k; q++) {
        start[group[q]] = prices[q];
      }
    }
    Result r = solveDistinct(s, yg, rows, g, fixed, lambda, weights, start, maxIter, tol);
    double[] c = new double[k];
    for (int i = 0; i < rows; i++) {
      if (fixed != null && fixed[i]) {
        continue;
      }
      for (int q = 0; q < k; q++) {
        y[i * k + q] = yg[i * g + group[q]] / size[group[q]];
      }
    }
    for (int q = 0; q < k; q++) {
      c[q] = r.prices()[group[q]];
    }
    double primal = SelfLabelingLoss.ccePlus(sigma, y, rows, k, lambda);
    // Labels with an infinite loss (a class with no mass: the dual's per-point labels cover at
    // most two classes per row, so with K > 2M they cannot balance every class) are never
    // reported as optimal, whatever the dual's residual said.
    boolean finite = Double.isFinite(primal);
    return new Result(r.iterations(), r.passes(), r.converged() && finite, primal,
        finite ? r.gap() : Double.POSITIVE_INFINITY, c);
  }

  /** {@link #solve} for classes with distinct σ columns and class weights {@code u}. */
  private static Result solveDistinct(double[] sigma, double[] y, int rows, int k,
      boolean[] fixed, double lambda, double[] u, double[] prices, int maxIter, double tol) {
    Partial scratch = new Partial(k);
    Function<double[], Partial> pass = c -> {
      scratch.clear();
      return evaluate(sigma, 0, rows, k, c, y, fixed, null, scratch);
    };
    double[] start = prices != null ? prices.clone() : filled(k, lambda);
    if ((long) k * k * (k + rows) > INTERIOR_WORK) {
      // an interior-point iteration (K²M + K³) would cost more than EM: the dual alone
      Result r = solveDual(k, lambda, u, rows, pass, start, maxIter, tol, 20 * maxIter);
      scratch.clear();
      evaluate(sigma, 0, rows, k, r.prices(), y, fixed, y, scratch);
      return r;
    }
    // With two classes the optimum is rarely degenerate and a few cheap Newton steps on the dual
    // (O(MK) a pass) finish; with more, they rarely do ...
    Result quick = new Result(0, 0, false, Double.NaN, Double.POSITIVE_INFINITY, start);
    if (k <= QUICK_DUAL_MAX_K) {
      quick = solveDual(k, lambda, u, rows, pass, start, maxIter, tol, QUICK_DUAL_PASSES);
      if (quick.converged()) {
        scratch.clear();
        evaluate(sigma, 0, rows, k, quick.prices(), y, fixed, y, scratch);
        return quick;
      }
    }
    // ... otherwise the interior-point method, certified by the better of its own bound and the
    // exact dual at its prices (down to the rounding floor of prices of size λ).
    double floor = 4e-16 * k * (1 + lambda);
    InteriorPoint.Certifier dualGap = (c, primal) -> {
      scratch.clear();
      evaluate(sigma, 0, rows, k, c, y, fixed, null, scratch);
      double dual = dualValue(scratch, c, lambda, u, rows)
          - fixedCollision(sigma, y, rows, k, fixed) / rows;
      return Math.max(floor, primal - dual);
    };
    InteriorPoint.Outcome ip = InteriorPoint.solve(sigma, y, rows, k, fixed, lambda, u,
        INTERIOR_ITERATIONS, tol, dualGap);
    int passes = quick.passes() + ip.passes();
    double gap = ip.bound();
    if (Double.isNaN(ip.dualGap())) {
      gap = Math.min(gap, dualGap.gap(ip.prices(), ip.primal()));
      passes++;
    }
    if (gap <= Math.max(tol * (1 + Math.abs(ip.primal())), floor)) {
      return new Result(quick.iterations() + ip.iterations(), passes, true, ip.primal(), gap,
          ip.prices());
    }
    // Not certified (measured: tiny λ with classes no point prefers; K in the hundreds): Newton
    // on the dual from the interior-point prices, keeping whichever labels are certified closer.
    double[] interior = y.clone();
    Result r = solveDual(k, lambda, u, rows, pass, ip.prices(), maxIter, tol, DUAL_PASSES);
    passes += r.passes();
    if (r.converged() || r.gap() < gap) {
      scratch.clear();
      evaluate(sigma, 0, rows, k, r.prices(), y, fixed, y, scratch);
      return new Result(quick.iterations() + ip.iterations() + r.iterations(), passes + 1,
          r.converged(), r.primal(), r.gap(), r.prices());
    }
    System.arraycopy(interior, 0, y, 0, y.length);
    return new Result(quick.iterations() + ip.iterations() + r.iterations(), passes, false,
        ip.primal(), gap, ip.prices());
  }

  /**
   * Whether {@link #solve} can reach finite labels for a block of {@code rows} points and
   * {@code k} classes: the interior-point method runs (K²(K + M) within its work limit), or the
   * dual's labels, one class or two neighbours per row, can give every class mass (K ≤ 2M).
   * Otherwise (K above about 1100 for M = 250) its labels always leave classes empty, with an
   * infinite loss, and EM is the solver to use.
   */
  public static boolean canReachFiniteLabels(int rows, int k) {
    return (long) k * k * (k + rows) <= INTERIOR_WORK || k <= 2L * rows;
  }

  /** Largest number of passes of a dual solve before it counts as stalled. */
  private static final int DUAL_PASSES = 100;

  /**
   * Passes of the first, cheap dual attempt (measured on random blocks of 250 points: K = 2
   * converges in 8–38, K = 10 and 20 at λ ≤ 1 in 9–41; in training on strong features almost
   * every batch is degenerate and stalls).
   */
  private static final int QUICK_DUAL_PASSES = 30;

  /**
   * Largest K for which the cheap dual attempt runs before the interior-point method. Measured on
   * 40 random blocks of M = 250 points each, λ = 100, σ = softmax(3z) (and 6z for K = 10): with
   * the attempt, K = 2 took 15 passes (1.4 ms) against 22 (3.8 ms) without; K = 10 took 51 and 68
   * passes against 33 and 43, K = 20 67 against 38, K = 200 (4 blocks) 90 against 62, all
   * certified either way.
   */
  private static final int QUICK_DUAL_MAX_K = 2;

  /**
   * Largest {@code K²(K + M)} for which the interior-point method is tried: K = 1000 with M up to
   * 500. Measured (shared machine): K = 200, M = 250 about 0.3 s, certified within 1e-13;
   * K = 1000, M = 250 about 14 s, certified within 3e-14 (the dual alone leaves classes empty
   * there). Beyond the limit the dual runs alone and {@code selflabel.CollisionEm} falls back to
   * SQUAREM EM.
   */
  private static final long INTERIOR_WORK = 1_500_000_000L;

  /** Iterations of the interior-point method. */
  private static final int INTERIOR_ITERATIONS = 80;

  /** {@code Σ −ln σᵀy} over the fixed rows (the constant left out of {@link #dualValue}). */
  private static double fixedCollision(double[] sigma, double[] y, int rows, int k,
      boolean[] fixed) {
    double s = 0;
    for (int i = 0; fixed != null && i < rows; i++) {
      if (fixed[i]) {
        s += CrossEntropy.collision(y, i * k, sigma, i * k, k);
      }
    }
    return s;
  }

  /**
   * Newton's method on the dual prices, with the pass over the points supplied by the caller.
   *
   * @param k number of classes
   * @param lambda λ &gt; 0
   * @param m number of points in scope ({@code M})
   * @param pass evaluates all {@code M} points at the given prices (which it must not change) and
   *     returns their merged {@link Partial}
   * @param start start prices, positive; not changed
   */
  public static Result solveDual(int k, double lambda, long m, Function<double[], Partial> pass,
      double[] start, int maxIter, double tol) {
    return solveDual(k, lambda, uniform(k), m, pass, start, maxIter, tol, 20 * maxIter);
  }

  /**
   * As {@link #solveDual(int, double, long, Function, double[], int, double)} with class weights
   * {@code u} (summing to 1) in the fairness term {@code λ KL(u‖ȳ)}.
   */
  static Result solveDual(int k, double lambda, double[] u, long m,
      Function<double[], Partial> pass, double[] start, int maxIter, double tol, int maxPasses) {
    double[] c = start.clone();
    for (int j = 0; j < k; j++) {
      if (!(c[j] > 0) || !Double.isFinite(c[j])) {
        c[j] = lambda;
      }
    }
    double[] grad = new double[k];
    double[] step = new double[k];
    double[] trial = new double[k];
    double[] hessian = new double[k * k];
    Partial at = pass.apply(c);
    int passes = 1;
    double dual = dualValue(at, c, lambda, u, m);
    double residual = residual(at, c, lambda, u, m);
    // prices are of size λ while what matters are their differences, of size 1: the residual
    // cannot go below rounding of about K·ε·λ
    tol = Math.max(tol, 4e-16 * k * (1 + lambda));
    int it = 0;
    double mu = -1; // Levenberg–Marquardt damping, set from the first Hessian
    while (residual > tol && it < maxIter && passes < maxPasses) {
      for (int j = 0; j < k; j++) {
        grad[j] = lambda * u[j] / c[j] - at.labelSums[j] / m;
      }
      if (mu < 0) {
        assemble(at, c, lambda, u, m, hessian);
        double trace = 0;
        for (int j = 0; j < k; j++) {
          trace += hessian[j * k + j];
        }
        mu = trace / k;
      }
      Partial next = null;
      double nextDual = 0;
      double nextResidual = 0;
      while (next == null && mu < Double.MAX_VALUE / 16) {
        assemble(at, c, lambda, u, m, hessian);
        for (int j = 0; j < k; j++) {
          hessian[j * k + j] += mu;
        }
        System.arraycopy(grad, 0, step, 0, k);
        if (!Cholesky.solveInPlace(hessian, k, step)) {
          mu *= 4;
          continue;
        }
        // model increase gᵀΔ − ½ΔᵀAΔ with A the undamped −Hessian: A Δ = g − μΔ
        double gd = 0;
        double dd = 0;
        double tMax = Double.POSITIVE_INFINITY;
        for (int j = 0; j < k; j++) {
          gd += grad[j] * step[j];
          dd += step[j] * step[j];
          if (step[j] < 0) {
            tMax = Math.min(tMax, -c[j] / step[j]);
          }
        }
        if (tMax <= 1) { // would leave c > 0: damp more
          mu *= 4;
          continue;
        }
        double predicted = gd - 0.5 * (gd - mu * dd);
        for (int j = 0; j < k; j++) {
          trial[j] = c[j] + step[j];
        }
        Partial p = pass.apply(trial);
        passes++;
        double d = dualValue(p, trial, lambda, u, m);
        double r = residual(p, trial, lambda, u, m);
        double ratio = (d - dual) / predicted;
        boolean belowRounding = predicted <= 1e-13 * (Math.abs(dual) + lambda);
        if (ratio > 0.25 || r <= tol || (belowRounding && r < residual)) {
          next = p;
          nextDual = d;
          nextResidual = r;
          if (ratio > 0.75) {
            mu /= 3;
          }
        } else {
          mu *= 4;
        }
        if (passes >= maxPasses) {
          break;
        }
      }
      it++;
      if (next == null) {
        break; // no ascent left at this precision, or out of passes
      }
      System.arraycopy(trial, 0, c, 0, k);
      at = copyOf(next);
      dual = nextDual;
      residual = nextResidual;
    }
    double[] mean = mean(at, m);
    double kl = 0;
    for (int j = 0; j < k; j++) {
      kl += u[j] * Math.log(u[j] / mean[j]);
    }
    double primal = at.collisionSum / m + lambda * kl;
    return new Result(it, passes, residual <= tol, primal, gap(at, c, lambda, u, m), c);
  }

  /**
   * Evaluates rows {@code [from, from + rows)} of a block at prices {@code c}, adding their sums
   * to {@code into}.
   *
   * @param given labels of fixed rows (read where {@code fixed}), or null
   * @param fixed rows with fixed labels, or null
   * @param yOut receives the free rows' {@code y(c)} (and is where fixed rows' labels are read if
   *     {@code given} is the same array), or null not to write them
   * @return {@code into}
   */
  public static Partial evaluate(double[] sigma, int from, int rows, int k, double[] c,
      double[] given, boolean[] fixed, double[] yOut, Partial into) {
    for (int i = from; i < from + rows; i++) {
      int o = i * k;
      if (fixed != null && fixed[i]) {
        double s = 0;
        double cy = 0;
        for (int j = 0; j < k; j++) {
          double v = given[o + j];
          s += sigma[o + j] * v;
          cy += c[j] * v;
          into.labelSums[j] += v;
        }
        into.collisionSum += -Math.log(s);
        into.innerSum -= cy;
      } else {
        point(sigma, o, k, c, yOut, into);
      }
      into.rows++;
    }
    return into;
  }

  /**
   * One free point: the walk along the upper envelope of {@code c_j + a σ_j}. Adds its label,
   * its {@code −ln σᵀy}, its {@code φ} and (if mixed) its Hessian pair to {@code into}, and writes
   * its label to {@code yOut} at {@code off} if not null.
   */
  static void point(double[] sigma, int off, int k, double[] c, double[] yOut, Partial into) {
    int j = 0;
    for (int q = 1; q < k; q++) {
      if (c[q] > c[j] || (c[q] == c[j] && sigma[off + q] > sigma[off + j])) {
        j = q;
      }
    }
    double aLo = 0;
    int hi = -1;
    double aStar;
    while (true) {
      double sj = sigma[off + j];
      double aVertex = sj > 0 ? 1 / sj : Double.POSITIVE_INFINITY;
      double aNext = Double.POSITIVE_INFINITY;
      int next = -1;
      for (int q = 0; q < k; q++) {
        double sq = sigma[off + q];
        if (sq > sj) {
          double a = Math.max(aLo, (c[j] - c[q]) / (sq - sj));
          if (a < aNext || (a == aNext && sq > sigma[off + next])) {
            aNext = a;
            next = q;
          }
        }
      }
      if (aVertex <= aNext) {
        aStar = aVertex;
        break;
      }
      if (aNext * sigma[off + next] >= 1) {
        hi = next;
        aStar = aNext;
        break;
      }
      j = next;
      aLo = aNext;
    }
    double theta = 0;
    if (hi >= 0) {
      double sj = sigma[off + j];
      theta = Math.min(1, Math.max(0, (1 / aStar - sj) / (sigma[off + hi] - sj)));
      double d = c[j] - c[hi];
      if (d > 0 && theta > 0 && theta < 1) {
        into.addPair(j, hi, 1 / (d * d));
      }
    }
    // split each end's mass equally among lines identical to it (same σ and price)
    int nj = 0;
    int nh = 0;
    for (int q = 0; q < k; q++) {
      if (sigma[off + q] == sigma[off + j] && c[q] == c[j]) {
        nj++;
      } else if (hi >= 0 && sigma[off + q] == sigma[off + hi] && c[q] == c[hi]) {
        nh++;
      }
    }
    double wj = (1 - theta) / nj;
    double wh = hi >= 0 ? theta / nh : 0;
    double s = 0;
    double cy = 0;
    for (int q = 0; q < k; q++) {
      double v = 0;
      if (sigma[off + q] == sigma[off + j] && c[q] == c[j]) {
        v = wj;
      } else if (hi >= 0 && sigma[off + q] == sigma[off + hi] && c[q] == c[hi]) {
        v = wh;
      }
      if (yOut != null) {
        yOut[off + q] = v;
      }
      if (v != 0) {
        s += sigma[off + q] * v;
        cy += c[q] * v;
        into.labelSums[q] += v;
      }
    }
    double h2 = -Math.log(s);
    into.collisionSum += h2;
    into.innerSum += h2 - cy;
  }

  /** {@code D(c)} up to the fixed rows' constant {@code Σ −ln σᵀy} (which cancels in steps). */
  private static double dualValue(Partial p, double[] c, double lambda, double[] u, long m) {
    double s = p.innerSum / m + lambda;
    for (int j = 0; j < c.length; j++) {
      s += lambda * u[j] * Math.log(c[j] / lambda);
    }
    return s;
  }

  /** {@code λ Σ u_k (r_k − 1 − ln r_k)}, {@code r_k = ȳ_k c_k / (λ u_k)}, for uniform u. */
  static double gap(Partial p, double[] c, double lambda, long m) {
    return gap(p, c, lambda, uniform(c.length), m);
  }

  private static double gap(Partial p, double[] c, double lambda, double[] u, long m) {
    double g = 0;
    for (int j = 0; j < c.length; j++) {
      double e = p.labelSums[j] / m * c[j] / (lambda * u[j]) - 1;
      g += e > -1 ? u[j] * (e - Math.log1p(e)) : Double.POSITIVE_INFINITY;
    }
    return lambda * g;
  }

  /**
   * The stopping residual {@code max_k |r_k − 1|}: the relative mismatch between {@code ȳ(c)} and
   * the mean {@code λ u / c} the prices ask for. The KKT conditions of eq. 11 hold to this
   * relative precision (the gap is of its square).
   */
  private static double residual(Partial p, double[] c, double lambda, double[] u, long m) {
    double r = 0;
    for (int j = 0; j < c.length; j++) {
      r = Math.max(r, Math.abs(p.labelSums[j] / m * c[j] / (lambda * u[j]) - 1));
    }
    return r;
  }

  /** {@code −Hessian} of {@code D}, dense {@code K × K}. */
  private static void assemble(Partial p, double[] c, double lambda, double[] u, long m,
      double[] h) {
    int k = c.length;
    Arrays.fill(h, 0);
    for (int j = 0; j < k; j++) {
      h[j * k + j] = lambda * u[j] / (c[j] * c[j]);
    }
    for (int q = 0; q < p.pairs; q++) {
      int a = p.pairLo[q];
      int b = p.pairHi[q];
      double w = p.pairWeight[q] / m;
      h[a * k + a] += w;
      h[b * k + b] += w;
      h[a * k + b] -= w;
      h[b * k + a] -= w;
    }
  }

  private static double[] mean(Partial p, long m) {
    double[] out = new double[p.k];
    for (int j = 0; j < p.k; j++) {
      out[j] = p.labelSums[j] / m;
    }
    return out;
  }

  private static Partial copyOf(Partial p) {
    return new Partial(p.k).merge(p);
  }

  private static double[] uniform(int k) {
    return filled(k, 1.0 / k);
  }

  private static double[] filled(int k, double v) {
    double[] out = new double[k];
    Arrays.fill(out, v);
    return out;
  }
}
