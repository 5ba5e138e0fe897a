package org.ccespark.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ccespark.math.ExactPseudoLabels;
import org.ccespark.math.ProjectedGradientPseudoLabels;
import org.ccespark.math.PseudoLabelEm;
import org.ccespark.math.SelfLabelingLoss;
import org.ccespark.math.Softmax;
import org.ccespark.math.StandardNormal;

/**
 * The paper's Table 1: the pseudo-labels of one block of {@code M} points solved by projected
 * gradient descent on {@code L_CCE} (eq. 10, {@link ProjectedGradientPseudoLabels}) and by EM on
 * {@code L_CCE+} (eq. 11, {@link PseudoLabelEm#solve} and the SQUAREM-accelerated
 * {@link PseudoLabelEm#solveAccelerated}) and by the exact dual solver of eq. 11
 * ({@link ExactPseudoLabels}, whose iterations are reported as passes over the block), as the paper
 * compares them: different losses, the same
 * stopping rule (no entry of {@code y} moves by more than {@code tol} in an iteration), the same
 * start {@code y = σ} (Algorithm 2's warm start), single thread.
 *
 * <p>{@code σ} is the softmax of random logits {@code s·z}, {@code z ~ N(0, 1)} per entry: the
 * predictions of a linear classifier that is not yet trained (every point has its own random
 * most-likely class, so the fairness term has work to do). The logit scale {@code s} sets how
 * peaked they are; the default 3 gives {@code σ_max} around 0.3 at K = 200.
 *
 * <p>PGD runs for each step size of a small grid (the paper's three plus smaller ones); a step size
 * is <i>stable</i> if it converges within the iteration cap, and the best PGD is the stable one with
 * the shortest time to convergence.
 *
 * <p>Those stopping rules end EM 10⁻⁵–10⁻⁴ above the optimum, and PGD solves another loss, so a
 * second section times every solver <i>to the optimum</i> of eq. 11: EM, SQUAREM, PGD on eq. 11
 * ({@link ProjectedGradientPseudoLabels#solvePlus}) and the exact solver, each to
 * {@code L_CCE+ ≤ P* + }{@value #TO_OPTIMUM}{@code ·|P*|} ({@link ToTarget}), where {@code P*} is
 * the lowest loss known and the exact solver's duality gap certifies how close it is to the optimum
 * ({@link Optimum}).
 */
public final class EmVsPgdBenchmark {
  private EmVsPgdBenchmark() {}

  /**
   * Settings.
   *
   * @param ks numbers of classes
   * @param block points per block (M)
   * @param lambda weight of the fairness term
   * @param tol stopping tolerance on y (both solvers)
   * @param emMaxIter cap on EM iterations (M-steps)
   * @param pgdMaxIter cap on PGD iterations
   * @param logitScale s of σ = softmax(s·z)
   * @param seed seed of the logits
   * @param warmups untimed warm-up runs (truncated to a few iterations) per solver
   * @param reps timed repetitions per solver (fewer once a solver used up the time budget)
   * @param budgetSeconds time budget of the repetitions of one solver
   */
  public record Config(int[] ks, int block, double lambda, double tol, int emMaxIter,
      int pgdMaxIter, double logitScale, long seed, int warmups, int reps, double budgetSeconds) {}

  /**
   * The step-size grid for {@code k} classes and {@code m} points. {@link
   * ProjectedGradientPseudoLabels} descends on {@code M·L_CCE} (so that its gradient per point does
   * not shrink with M), the paper on the mean {@code L_CCE}: the paper's step {@code η} is our
   * {@code η / M}. The grid is the paper's three ({@code 1, 10, 20} for K = 2, {@code 0.1, 1, 5}
   * otherwise) divided by M, plus one ten times smaller.
   */
  public static double[] stepSizes(int k, int m) {
    double[] paper = k <= 2 ? new double[] {0.1, 1, 10, 20} : new double[] {0.01, 0.1, 1, 5};
    double[] out = new double[paper.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = paper[i] / m;
    }
    return out;
  }

  /** σ = softmax(s·z) for a block, row-major. */
  public static double[] randomPredictions(int rows, int k, double scale, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] z = new double[rows * k];
    for (int i = 0; i < z.length; i++) {
      z[i] = scale * StandardNormal.draw(rnd);
    }
    double[] sigma = new double[rows * k];
    for (int i = 0; i < rows; i++) {
      Softmax.softmax(z, i * k, sigma, i * k, k);
    }
    return sigma;
  }

  /**
   * What {@code bench.json} holds for this benchmark.
   *
   * @param settings the settings
   * @param results per K
   */
  public record Report(Settings settings, List<PerK> results) {}

  /** {@link Config} as written, with the fixed parts of the set-up. */
  public record Settings(int block, double lambda, double tol, int emMaxIter, int pgdMaxIter,
      double logitScale, long seed, int warmups, int reps, double budgetSeconds, int threads,
      String start, String sigma) {}

  /**
   * The figures of one K: every solver's runs, then the comparisons (null where a solver did not
   * converge or no PGD step size was stable).
   */
  public record PerK(int k, double sigmaMaxMean, List<Solver> solvers, Double bestPgdStepSize,
      double speedupExactOverSquarem, int exactPasses, double exactGap, double exactRelativeGap,
      double emRelativeExcessLoss, double squaremRelativeExcessLoss, Double speedupEmOverBestPgd,
      Double speedupSquaremOverBestPgd, Optimum optimum, List<ToTarget> toOptimum,
      Double speedupExactOverSquaremToOptimum, Double speedupExactOverSquaremToOptimumAtLeast) {}

  /**
   * The reference {@code P*} of one K, against which the {@link ToTarget} rows are measured: the
   * lowest {@code L_CCE+} known (the exact solver's, or a traced solver's where that is lower), and
   * how closely the exact solver's duality gap certifies it ({@code P − gap ≤ optimum ≤ P*}).
   *
   * @param loss {@code P*}: the smaller of the exact solver's loss and the lowest loss any traced
   *     solver reached
   * @param source the solver that has {@code P*} ({@code exact}, {@code em}, {@code em-squarem}
   *     or {@code pgd-eq11})
   * @param exactLoss the exact solver's {@code L_CCE+}
   * @param lowerBound the exact solver's loss minus its duality gap, a lower bound of the optimum
   *     (null when either is not finite: no certificate)
   * @param certifiedRelativeGap {@code (P* − lowerBound) / |P*|}: {@code P*} is certified within
   *     this of the optimum (null without a certificate)
   * @param certifiedWithinTarget whether that is at most {@link #TO_OPTIMUM}; if not, the rows
   *     are measured against the best loss known rather than a certified optimum
   */
  public record Optimum(double loss, String source, double exactLoss, Double lowerBound,
      Double certifiedRelativeGap, boolean certifiedWithinTarget) {}

  /**
   * One solver's way from {@code y = σ} to {@code L_CCE+ ≤ P*(1 + }{@link #TO_OPTIMUM}{@code )}
   * ({@link Optimum#loss()}).
   *
   * @param stepSize PGD's step size (the best of the grid), null for the others
   * @param unit what {@code units} counts: M-steps (EM, SQUAREM), iterations (PGD), passes over
   *     the block (exact)
   * @param units the first number of units after which the loss is within the target; if not
   *     reached, the units run before the cap or the budget ended the search
   * @param seconds timed runs of exactly {@code units} units (no loss evaluations inside); null if
   *     not reached
   * @param searchSeconds the solver's own time in the untimed search run (loss evaluations not
   *     included; exact: its median time)
   * @param excess {@code (L − P*) / |P*|} of the loss {@code L} after {@code units} units; if not
   *     reached, of the lowest loss the search reached
   */
  public record ToTarget(String solver, @JsonInclude(JsonInclude.Include.NON_NULL) Double stepSize,
      String unit, long units, boolean reached,
      @JsonInclude(JsonInclude.Include.NON_NULL) Timing.Stats seconds, double searchSeconds,
      double excess) {}

  /** Relative distance to the optimum that counts as converged in the {@link ToTarget} rows. */
  public static final double TO_OPTIMUM = 1e-9;

  /** The {@link ToTarget} rows' caps, in multiples of the Table 1 caps (the budget also ends them). */
  static final int TO_OPTIMUM_CAP = 50;

  /**
   * One solver's runs as written: {@code stepSize} for PGD only, the Newton steps for EM only, the
   * final loss as a string when it is not finite.
   */
  public record Solver(String solver, String loss,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double stepSize, int iterations,
      boolean converged, Timing.Stats secondsToConvergence, Timing.Stats secondsPerIteration,
      Object finalLoss,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double newtonStepsPerPointPerIteration) {}

  /** One solver's runs. */
  private record Row(int k, String solver, double eta, int iterations, boolean converged,
      Timing.Stats seconds, double loss, double newtonPerPoint, double gap) {
    Timing.Stats perIteration() {
      return seconds.div(Math.max(1, iterations));
    }
  }

  /** Runs the benchmark; prints nothing. */
  public static BenchResult<Report> run(Config cfg) {
    List<Row> rows = new ArrayList<>();
    List<PerK> perK = new ArrayList<>();
    for (int k : cfg.ks()) {
      int m = cfg.block();
      double[] sigma = randomPredictions(m, k, cfg.logitScale(), cfg.seed() + k);
      List<Row> kRows = new ArrayList<>();
      kRows.add(em(cfg, sigma, m, k, false));
      kRows.add(em(cfg, sigma, m, k, true));
      kRows.add(exact(cfg, sigma, m, k));
      for (double eta : stepSizes(k, m)) {
        kRows.add(pgd(cfg, sigma, m, k, eta));
      }
      rows.addAll(kRows);
      Row best = null;
      for (Row r : kRows) {
        if (r.solver().equals("pgd") && r.converged()
            && (best == null || r.seconds().median() < best.seconds().median())) {
          best = r;
        }
      }
      List<Solver> solvers = new ArrayList<>();
      for (Row r : kRows) {
        solvers.add(json(r));
      }
      Row em = kRows.get(0);
      Row sq = kRows.get(1);
      Row ex = kRows.get(2);
      // Every solver to within TO_OPTIMUM of the best loss known (certified by the exact gap)
      Optimum[] optimum = new Optimum[1];
      List<ToTarget> toOptimum = toOptimum(cfg, sigma, m, k, ex, optimum);
      ToTarget sqTo = toOptimum.get(1);
      ToTarget exTo = toOptimum.get(toOptimum.size() - 1);
      Double speedupTo = sqTo.reached() && exTo.reached()
          ? sqTo.seconds().median() / exTo.seconds().median() : null;
      Double speedupAtLeast = !sqTo.reached() && exTo.reached()
          ? sqTo.searchSeconds() / exTo.seconds().median() : null;
      // the exact solver's time to its certified precision against SQUAREM's to its own
      // stopping rule
      perK.add(new PerK(k, meanMax(sigma, m, k), solvers, best == null ? null : best.eta(),
          sq.seconds().median() / ex.seconds().median(), ex.iterations(), ex.gap(),
          ex.gap() / (1 + Math.abs(ex.loss())), (em.loss() - ex.loss()) / Math.abs(ex.loss()),
          (sq.loss() - ex.loss()) / Math.abs(ex.loss()),
          best == null || !em.converged() ? null : best.seconds().median() / em.seconds().median(),
          best == null || !sq.converged() ? null
              : best.seconds().median() / sq.seconds().median(), optimum[0], toOptimum, speedupTo,
          speedupAtLeast));
    }
    Settings settings = new Settings(cfg.block(), cfg.lambda(), cfg.tol(), cfg.emMaxIter(),
        cfg.pgdMaxIter(), cfg.logitScale(), cfg.seed(), cfg.warmups(), cfg.reps(),
        cfg.budgetSeconds(), 1, "y = sigma", "softmax(logitScale * z), z ~ N(0,1)");
    return new BenchResult<>("em-vs-pgd", table(cfg, rows, perK), new Report(settings, perK));
  }

  /**
   * EM, SQUAREM, PGD on eq. 11 (each step size of the grid, the best one kept) and the exact
   * solver to {@code L_CCE+ ≤ P*(1 + TO_OPTIMUM)}.
   *
   * <p>Each iterative solver first makes one untimed search run from {@code y = σ} that evaluates
   * {@code L_CCE+} after every unit (SQUAREM: after every cycle of three M-steps, the M-step within
   * the cycle found afterwards), until its cap ({@value #TO_OPTIMUM_CAP} times {@code emMaxIter}
   * M-steps or {@code pgdMaxIter} iterations), until its own time (loss evaluations excluded)
   * exceeds {@code budgetSeconds} (PGD: that divided among the step sizes), or until its loss is
   * within {@code TO_OPTIMUM} of the exact solver's certified lower bound (then it is within any
   * possible target). {@code P*} is the exact solver's loss or the lowest loss a search reached,
   * whichever is smaller; each solver's units are the first at which its search was within the
   * target, and the timed runs then repeat exactly that many units from {@code σ} (EM's, SQUAREM's
   * and PGD's iterates depend only on the start and the number of units).
   */
  private static List<ToTarget> toOptimum(Config cfg, double[] sigma, int m, int k, Row exact,
      Optimum[] optimum) {
    double lambda = cfg.lambda();
    double lower = exact.loss() - exact.gap();
    boolean certificate = Double.isFinite(lower);
    double stopBelow = certificate ? lower + TO_OPTIMUM * Math.abs(lower)
        : Double.NEGATIVE_INFINITY;
    long emCap = (long) TO_OPTIMUM_CAP * cfg.emMaxIter();
    long pgdCap = (long) TO_OPTIMUM_CAP * cfg.pgdMaxIter();
    Units em = (y, n) -> PseudoLabelEm.solve(sigma, y, m, k, lambda, (int) n, 0);
    Units squarem = (y, n) -> PseudoLabelEm.solveAccelerated(sigma, y, m, k, lambda, (int) n, 0);
    Trace emTrace = trace(sigma, m, k, lambda, em, 1, emCap, cfg.budgetSeconds(), stopBelow);
    Trace sqTrace = trace(sigma, m, k, lambda, squarem, 3, emCap, cfg.budgetSeconds(), stopBelow);
    double[] etas = stepSizes(k, m);
    Units[] pgd = new Units[etas.length];
    Trace[] pgdTraces = new Trace[etas.length];
    for (int e = 0; e < etas.length; e++) {
      double eta = etas[e];
      pgd[e] = (y, n) -> ProjectedGradientPseudoLabels.solvePlus(sigma, y, m, k, lambda, eta,
          (int) n, 0);
      pgdTraces[e] = trace(sigma, m, k, lambda, pgd[e], 1, pgdCap,
          cfg.budgetSeconds() / etas.length, stopBelow);
    }

    double reference = exact.loss();
    String source = "exact";
    if (!(reference <= emTrace.lowest())) {
      reference = emTrace.lowest();
      source = "em";
    }
    if (!(reference <= sqTrace.lowest())) {
      reference = sqTrace.lowest();
      source = "em-squarem";
    }
    for (Trace t : pgdTraces) {
      if (!(reference <= t.lowest())) {
        reference = t.lowest();
        source = "pgd-eq11";
      }
    }
    // no finite loss at all: nothing can be within a target
    double target = Double.isFinite(reference) ? reference + TO_OPTIMUM * Math.abs(reference)
        : Double.NEGATIVE_INFINITY;
    // P* − (P − gap), written so that P* = P gives gap / |P*| without cancellation
    Double certified = certificate
        ? (exact.gap() - (exact.loss() - reference)) / Math.abs(reference) : null;
    optimum[0] = new Optimum(reference, source, exact.loss(), certificate ? lower : null,
        certified, certified != null && certified <= TO_OPTIMUM);

    List<ToTarget> out = new ArrayList<>();
    out.add(resolve(cfg, sigma, m, k, "em", null, "M-steps", emTrace, em, target, reference));
    out.add(resolve(cfg, sigma, m, k, "em-squarem", null, "M-steps", sqTrace, squarem, target,
        reference));
    ToTarget bestPgd = null;
    for (int e = 0; e < etas.length; e++) {
      ToTarget t = resolve(cfg, sigma, m, k, "pgd-eq11", etas[e], "iterations", pgdTraces[e],
          pgd[e], target, reference);
      if (bestPgd == null || better(t, bestPgd)) {
        bestPgd = t;
      }
    }
    out.add(bestPgd);
    boolean reached = exact.loss() <= target;
    out.add(new ToTarget("exact", null, "passes", exact.iterations(), reached,
        reached ? exact.seconds() : null, exact.seconds().median(),
        (exact.loss() - reference) / Math.abs(reference)));
    return out;
  }

  /** Reached beats not reached; then the faster, or the closer to the optimum. */
  private static boolean better(ToTarget a, ToTarget b) {
    if (a.reached() != b.reached()) {
      return a.reached();
    }
    return a.reached() ? a.seconds().median() < b.seconds().median() : a.excess() < b.excess();
  }

  /** A solver run for a whole number of its units from the labels given, in place. */
  private interface Units {
    void run(double[] y, long units);
  }

  /** A search run: {@code L_CCE+} after every step of {@code perStep} units, from {@code σ}. */
  private static final class Trace {
    final int perStep;
    double[] loss = new double[256]; // loss[s]: after s steps (loss[0]: at σ)
    int steps = -1;
    double solverSeconds;

    Trace(int perStep) {
      this.perStep = perStep;
    }

    void add(double value) {
      steps++;
      if (steps == loss.length) {
        loss = java.util.Arrays.copyOf(loss, 2 * loss.length);
      }
      loss[steps] = value;
    }

    long units() {
      return (long) steps * perStep;
    }

    /** The first step after which the loss is at most {@code target}, or −1. */
    int firstAtMost(double target) {
      for (int i = 0; i <= steps; i++) {
        if (loss[i] <= target) {
          return i;
        }
      }
      return -1;
    }

    /** The lowest loss reached (NaN ignored; +∞ if none). */
    double lowest() {
      double low = Double.POSITIVE_INFINITY;
      for (int i = 0; i <= steps; i++) {
        if (loss[i] < low) {
          low = loss[i];
        }
      }
      return low;
    }
  }

  private static Trace trace(double[] sigma, int m, int k, double lambda, Units solver,
      int perStep, long cap, double budget, double stopBelow) {
    double[] y = sigma.clone();
    Trace t = new Trace(perStep);
    double loss = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
    t.add(loss);
    while (!(loss <= stopBelow) && !Double.isNaN(loss) && t.units() + perStep <= cap
        && t.solverSeconds < budget) {
      long t0 = System.nanoTime();
      solver.run(y, perStep);
      t.solverSeconds += (System.nanoTime() - t0) / 1e9;
      loss = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
      t.add(loss);
    }
    return t;
  }

  /**
   * A solver's row from its search run: the first unit within {@code target} (for steps of several
   * units, the unit within the first step that gets there, by repeating the run up to that step's
   * start), then timed runs of exactly that many units.
   */
  private static ToTarget resolve(Config cfg, double[] sigma, int m, int k, String name,
      Double eta, String unit, Trace t, Units solver, double target, double reference) {
    double lambda = cfg.lambda();
    int step = t.firstAtMost(target);
    if (step < 0) {
      return new ToTarget(name, eta, unit, t.units(), false, null, t.solverSeconds,
          (t.lowest() - reference) / Math.abs(reference));
    }
    long units = (long) step * t.perStep;
    double loss = t.loss[step];
    if (t.perStep > 1 && step > 0) {
      double[] start = sigma.clone();
      solver.run(start, units - t.perStep);
      for (int j = 1; j < t.perStep; j++) {
        double[] y = start.clone();
        solver.run(y, j);
        double l = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
        if (l <= target) {
          units = units - t.perStep + j;
          loss = l;
          break;
        }
      }
    }
    long n = units;
    double[] w = new double[sigma.length];
    Timing.Stats seconds = Timing.measure(0, cfg.reps(), cfg.budgetSeconds(), () -> {
      System.arraycopy(sigma, 0, w, 0, w.length);
      solver.run(w, n);
      return w;
    });
    return new ToTarget(name, eta, unit, units, true, seconds, t.solverSeconds,
        (loss - reference) / Math.abs(reference));
  }

  private static Row em(Config cfg, double[] sigma, int m, int k, boolean accelerated) {
    double[] y = new double[sigma.length];
    PseudoLabelEm.Result[] last = new PseudoLabelEm.Result[1];
    int warmIter = Math.min(cfg.emMaxIter(), 30);
    for (int i = 0; i < cfg.warmups(); i++) {
      System.arraycopy(sigma, 0, y, 0, y.length);
      solveEm(sigma, y, m, k, cfg, warmIter, accelerated);
    }
    Timing.Stats s = Timing.measure(0, cfg.reps(), cfg.budgetSeconds(), () -> {
      System.arraycopy(sigma, 0, y, 0, y.length);
      last[0] = solveEm(sigma, y, m, k, cfg, cfg.emMaxIter(), accelerated);
      return last[0];
    });
    PseudoLabelEm.Result r = last[0];
    return new Row(k, accelerated ? "em-squarem" : "em", Double.NaN, r.iterations(), r.converged(),
        s, SelfLabelingLoss.ccePlus(sigma, y, m, k, cfg.lambda()),
        r.newtonIterations() / ((double) m * r.iterations()), Double.NaN);
  }

  /**
   * The exact solver; its "iterations" are passes over the block (two per interior-point
   * iteration, one per evaluation of the dual).
   */
  private static Row exact(Config cfg, double[] sigma, int m, int k) {
    double[] y = new double[sigma.length];
    ExactPseudoLabels.Result[] last = new ExactPseudoLabels.Result[1];
    for (int i = 0; i < cfg.warmups(); i++) {
      ExactPseudoLabels.solve(sigma, y, m, k, null, cfg.lambda(), null, 5, 1e-10);
    }
    Timing.Stats s = Timing.measure(0, cfg.reps(), cfg.budgetSeconds(), () -> {
      last[0] = ExactPseudoLabels.solve(sigma, y, m, k, null, cfg.lambda(), null,
          ExactPseudoLabels.DEFAULT_MAX_ITER, ExactPseudoLabels.DEFAULT_TOL);
      return last[0];
    });
    ExactPseudoLabels.Result r = last[0];
    // done when optimal or certified within 1e-9 (relative) of the optimum by the duality gap
    boolean done = r.converged() || r.gap() <= 1e-9 * (1 + Math.abs(r.primal()));
    return new Row(k, "exact", Double.NaN, r.passes(), done, s,
        SelfLabelingLoss.ccePlus(sigma, y, m, k, cfg.lambda()), Double.NaN, r.gap());
  }

  private static PseudoLabelEm.Result solveEm(double[] sigma, double[] y, int m, int k, Config cfg,
      int maxIter, boolean accelerated) {
    return accelerated
        ? PseudoLabelEm.solveAccelerated(sigma, y, m, k, cfg.lambda(), maxIter, cfg.tol())
        : PseudoLabelEm.solve(sigma, y, m, k, cfg.lambda(), maxIter, cfg.tol());
  }

  private static Row pgd(Config cfg, double[] sigma, int m, int k, double eta) {
    double[] y = new double[sigma.length];
    ProjectedGradientPseudoLabels.Result[] last = new ProjectedGradientPseudoLabels.Result[1];
    int warmIter = Math.min(cfg.pgdMaxIter(), 30);
    for (int i = 0; i < cfg.warmups(); i++) {
      System.arraycopy(sigma, 0, y, 0, y.length);
      ProjectedGradientPseudoLabels.solve(sigma, y, m, k, cfg.lambda(), eta, warmIter, cfg.tol());
    }
    Timing.Stats s = Timing.measure(0, cfg.reps(), cfg.budgetSeconds(), () -> {
      System.arraycopy(sigma, 0, y, 0, y.length);
      last[0] = ProjectedGradientPseudoLabels.solve(sigma, y, m, k, cfg.lambda(), eta,
          cfg.pgdMaxIter(), cfg.tol());
      return last[0];
    });
    ProjectedGradientPseudoLabels.Result r = last[0];
    double loss = SelfLabelingLoss.cce(sigma, y, m, k, cfg.lambda());
    return new Row(k, "pgd", eta, r.iterations(), r.converged() && Double.isFinite(loss), s, loss,
        Double.NaN, Double.NaN);
  }

  private static double meanMax(double[] sigma, int m, int k) {
    double s = 0;
    for (int i = 0; i < m; i++) {
      double mx = 0;
      for (int c = 0; c < k; c++) {
        mx = Math.max(mx, sigma[i * k + c]);
      }
      s += mx;
    }
    return s / m;
  }

  private static Solver json(Row r) {
    boolean pgd = r.solver().equals("pgd");
    return new Solver(r.solver(), pgd ? "L_CCE (eq. 10)" : "L_CCE+ (eq. 11)",
        pgd ? r.eta() : null, r.iterations(), r.converged(), r.seconds(), r.perIteration(),
        Double.isFinite(r.loss()) ? r.loss() : String.valueOf(r.loss()),
        r.solver().startsWith("em") ? r.newtonPerPoint() : null);
  }

  private static String table(Config cfg, List<Row> rows, List<PerK> perK) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("EM vs PGD (paper's Table 1): one block of M=%d points, lambda=%s,"
        + " tol=%s on y, start y=sigma, single thread%n", cfg.block(), fmt(cfg.lambda()),
        fmt(cfg.tol())));
    sb.append(String.format("  PGD solves eq. 10 (eta/M = the paper's eta on the mean loss), EM eq. 11; caps: EM %d M-steps, PGD %d"
        + " iterations; median [min-max] of %d rep(s) after %d warm-up(s)%n", cfg.emMaxIter(),
        cfg.pgdMaxIter(), cfg.reps(), cfg.warmups()));
    sb.append(String.format("%6s  %-11s %8s  %-11s %7s  %-5s  %-30s %s%n", "K", "solver", "eta",
        "s/iter", "iters", "conv", "s to converge", "final loss"));
    for (Row r : rows) {
      sb.append(String.format("%6d  %-11s %8s  %-11s %7d  %-5s  %-30s %.6g%n", r.k(), r.solver(),
          r.solver().equals("pgd") ? String.format("%.2g", r.eta() * cfg.block()) + "/M" : "-", String.format("%.3e",
              r.perIteration().median()), r.iterations(), r.converged() ? "yes" : "NO",
          String.format("%.4f [%.4f-%.4f]", r.seconds().median(), r.seconds().min(),
              r.seconds().max()), r.loss()));
    }
    for (PerK j : perK) {
      sb.append(String.format("  K=%s: best stable PGD eta=%s; EM is %s, EM+SQUAREM %s faster"
          + " than it%n", j.k(), j.bestPgdStepSize() == null ? "none (no step size"
          + " converged)" : String.format("%.2g/M", j.bestPgdStepSize() * cfg.block()),
          times(j.speedupEmOverBestPgd()), times(j.speedupSquaremOverBestPgd())));
      sb.append(String.format("  K=%s: exact solver %s passes, certified within %s (relative) of"
          + " the optimum, %s faster than EM+SQUAREM; final L_CCE+ above the exact solver's"
          + " (relative): EM %s, EM+SQUAREM %s%n", j.k(), j.exactPasses(),
          rel(j.exactRelativeGap()), times(j.speedupExactOverSquarem()),
          rel(j.emRelativeExcessLoss()), rel(j.squaremRelativeExcessLoss())));
    }
    toOptimumTable(cfg, perK, sb);
    return sb.toString();
  }

  /** The "to the optimum" section: {@code P*} and its certificate per K, then a row per solver. */
  private static void toOptimumTable(Config cfg, List<PerK> perK, StringBuilder sb) {
    sb.append(String.format("%nTo the optimum (eq. 11): from y=sigma until L_CCE+ <= P*(1 + %s),"
        + " P* = the lowest L_CCE+ known (the exact solver's unless a search got lower), certified"
        + " by the exact solver's duality gap; units: EM/SQUAREM M-steps, PGD on eq. 11 iterations"
        + " (best step size of the grid), exact passes over the block%n", fmt(TO_OPTIMUM)));
    sb.append(String.format("  one untimed search per solver finds the units (caps: EM/SQUAREM"
        + " %,d M-steps, PGD %,d iterations, %s s of the solver's own time each, PGD's shared by"
        + " its step sizes), then timed runs of exactly those units: median [min-max] of up to %d%n",
        (long) TO_OPTIMUM_CAP * cfg.emMaxIter(), (long) TO_OPTIMUM_CAP * cfg.pgdMaxIter(),
        fmt(cfg.budgetSeconds()), cfg.reps()));
    for (PerK j : perK) {
      Optimum o = j.optimum();
      String cert;
      if (o.lowerBound() == null) {
        cert = "no certificate (the exact solver's loss or gap is not finite)";
      } else {
        cert = String.format("optimum >= %.12g, so P* is certified within %s (relative)%s",
            o.lowerBound(), rel(o.certifiedRelativeGap()), o.certifiedWithinTarget() ? ""
                : ": LOOSER than " + fmt(TO_OPTIMUM) + ", P* is the best loss known, not a"
                    + " certified optimum");
      }
      sb.append(String.format("  K=%d: P* = %.12g (%s); %s%n", j.k(), o.loss(), o.source(),
          cert));
    }
    sb.append(String.format("%6s  %-11s %8s  %-20s %-36s %s%n", "K", "solver", "eta", "units",
        "s to P*(1+" + fmt(TO_OPTIMUM) + ")", "above P* (relative)"));
    for (PerK j : perK) {
      for (ToTarget t : j.toOptimum()) {
        String excess = t.solver().equals("exact")
            ? rel(t.excess()) + ", certified within " + rel(j.optimum().certifiedRelativeGap())
            : t.reached() ? rel(t.excess()) : "lowest " + rel(t.excess());
        sb.append(String.format("%6d  %-11s %8s  %-20s %-36s %s%n", j.k(), t.solver(),
            t.stepSize() == null ? "-" : String.format("%.2g", t.stepSize() * cfg.block()) + "/M",
            String.format("%,d %s", t.units(), t.unit()),
            t.reached() ? String.format("%.4f [%.4f-%.4f]", t.seconds().median(),
                t.seconds().min(), t.seconds().max())
                : t.solver().equals("exact") ? "not within the target"
                : String.format("not within %,d %s / %.1f s", t.units(), t.unit(),
                    t.searchSeconds()),
            excess));
      }
    }
    for (PerK j : perK) {
      ToTarget sq = j.toOptimum().get(1);
      ToTarget ex = j.toOptimum().get(j.toOptimum().size() - 1);
      sb.append(String.format("  K=%s: exact solver %,d passes, %s; SQUAREM %s: exact %s faster"
          + " to the optimum%n", j.k(), ex.units(),
          ex.reached() ? String.format("%.4f s", ex.seconds().median())
              : String.format("not within %s of P* (%.4f s)", fmt(TO_OPTIMUM),
                  ex.searchSeconds()),
          sq.reached() ? String.format("%.4f s (%,d M-steps)", sq.seconds().median(), sq.units())
              : String.format("not within %s after %,d M-steps (%.1f s)", fmt(TO_OPTIMUM),
                  sq.units(), sq.searchSeconds()),
          j.speedupExactOverSquaremToOptimum() != null
              ? times(j.speedupExactOverSquaremToOptimum())
              : j.speedupExactOverSquaremToOptimumAtLeast() != null
                  ? "> " + times(j.speedupExactOverSquaremToOptimumAtLeast()) : "n/a"));
    }
  }

  private static String rel(Double x) {
    return x == null ? "n/a" : String.format("%.1e", x);
  }

  private static String times(Double x) {
    return x == null ? "n/a" : String.format("%.1fx", x);
  }

  static String fmt(double x) {
    if (x == Math.rint(x) && Math.abs(x) < 1e9) {
      return Long.toString((long) x);
    }
    String s = Double.toString(x);
    return s.replace(".0E", "e").replace('E', 'e');
  }
}
