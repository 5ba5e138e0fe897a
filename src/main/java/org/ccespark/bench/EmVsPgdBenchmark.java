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
 * <p>Those stopping rules end EM 10⁻⁵–10⁻⁴ above the optimum, so a second section times every
 * solver <i>to the optimum</i>: EM, SQUAREM, PGD on eq. 11 ({@link
 * ProjectedGradientPseudoLabels#solvePlus}) and the exact solver, each to {@code L_CCE+} within
 * {@value #TO_OPTIMUM} (relative) of the exact solver's certified loss ({@link ToTarget}).
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
      z[i] = scale * gaussian(rnd);
    }
    double[] sigma = new double[rows * k];
    for (int i = 0; i < rows; i++) {
      Softmax.softmax(z, i * k, sigma, i * k, k);
    }
    return sigma;
  }

  static double gaussian(SplittableRandom rnd) {
    double u = 1.0 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
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
      Double speedupSquaremOverBestPgd, List<ToTarget> toOptimum,
      Double speedupExactOverSquaremToOptimum, Double speedupExactOverSquaremToOptimumAtLeast) {}

  /**
   * One solver's way to {@code L_CCE+} within {@link #TO_OPTIMUM} (relative) of the optimum, from
   * {@code y = σ}: the units it took (EM and SQUAREM: M-steps, PGD: iterations, exact: passes) and
   * the time for exactly those units (null if it did not get there within its cap and the
   * budget); {@code excess} is its relative distance above the reference loss where it stopped.
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
      // Every solver to within TO_OPTIMUM of the exact solver's loss (certified within its gap)
      List<ToTarget> toOptimum = toOptimum(cfg, sigma, m, k, ex);
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
              : best.seconds().median() / sq.seconds().median(), toOptimum, speedupTo,
          speedupAtLeast));
    }
    Settings settings = new Settings(cfg.block(), cfg.lambda(), cfg.tol(), cfg.emMaxIter(),
        cfg.pgdMaxIter(), cfg.logitScale(), cfg.seed(), cfg.warmups(), cfg.reps(),
        cfg.budgetSeconds(), 1, "y = sigma", "softmax(logitScale * z), z ~ N(0,1)");
    return new BenchResult<>("em-vs-pgd", table(cfg, rows, perK), new Report(settings, perK));
  }

  /** A solver run for a whole number of its units from the labels given, in place. */
  private interface Units {
    void run(double[] y, long units);
  }

  /**
   * EM, SQUAREM, PGD on eq. 11 (each step size of the grid, the best one kept) and the exact
   * solver to within {@link #TO_OPTIMUM} of the exact solver's loss {@code P}: the reference is
   * {@code P} itself, certified within the exact solver's gap of the optimum. For each iterative
   * solver, one untimed run from {@code y = σ} evaluates {@code L_CCE+} after every unit and stops
   * once it is at most {@code P + TO_OPTIMUM·|P|}, or at its cap ({@value #TO_OPTIMUM_CAP} times
   * {@code emMaxIter} M-steps or {@code pgdMaxIter} iterations) or after {@code budgetSeconds}
   * (PGD: that divided among the step sizes); the timed runs then repeat
   * exactly that many units (no loss evaluations inside), so the time is the solver's own.
   */
  private static List<ToTarget> toOptimum(Config cfg, double[] sigma, int m, int k, Row exact) {
    double reference = exact.loss();
    double target = reference + TO_OPTIMUM * Math.abs(reference);
    double lambda = cfg.lambda();
    List<ToTarget> out = new ArrayList<>();
    long emCap = (long) TO_OPTIMUM_CAP * cfg.emMaxIter();
    out.add(toTarget(cfg, sigma, m, k, "em", null, "M-steps", 1, emCap,
        cfg.budgetSeconds(), target, reference,
        (y, n) -> PseudoLabelEm.solve(sigma, y, m, k, lambda, (int) n, 0)));
    out.add(toTarget(cfg, sigma, m, k, "em-squarem", null, "M-steps", 3, emCap,
        cfg.budgetSeconds(), target, reference,
        (y, n) -> PseudoLabelEm.solveAccelerated(sigma, y, m, k, lambda, (int) n, 0)));
    double[] etas = stepSizes(k, m);
    ToTarget bestPgd = null;
    for (double eta : etas) {
      ToTarget t = toTarget(cfg, sigma, m, k, "pgd-eq11", eta, "iterations", 1,
          (long) TO_OPTIMUM_CAP * cfg.pgdMaxIter(), cfg.budgetSeconds() / etas.length, target,
          reference,
          (y, n) -> ProjectedGradientPseudoLabels.solvePlus(sigma, y, m, k, lambda, eta, (int) n,
              0));
      if (bestPgd == null || better(t, bestPgd)) {
        bestPgd = t;
      }
    }
    out.add(bestPgd);
    boolean certified = exact.converged();
    out.add(new ToTarget("exact", null, "passes", exact.iterations(), certified,
        certified ? exact.seconds() : null, exact.seconds().median(),
        exact.gap() / Math.abs(reference)));
    return out;
  }

  /** Reached beats not reached; then the faster, or the closer to the optimum. */
  private static boolean better(ToTarget a, ToTarget b) {
    if (a.reached() != b.reached()) {
      return a.reached();
    }
    return a.reached() ? a.seconds().median() < b.seconds().median() : a.excess() < b.excess();
  }

  private static ToTarget toTarget(Config cfg, double[] sigma, int m, int k, String name,
      Double eta, String unit, int perStep, long cap, double budget, double target,
      double reference, Units solver) {
    double lambda = cfg.lambda();
    double[] y = sigma.clone();
    long units = 0;
    double loss = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
    long start = System.nanoTime();
    while (!(loss <= target) && units + perStep <= cap
        && (System.nanoTime() - start) / 1e9 < budget) {
      solver.run(y, perStep);
      units += perStep;
      loss = SelfLabelingLoss.ccePlus(sigma, y, m, k, lambda);
    }
    double search = (System.nanoTime() - start) / 1e9;
    boolean reached = loss <= target;
    Timing.Stats seconds = null;
    if (reached) {
      long n = units;
      double[] w = new double[y.length];
      seconds = Timing.measure(0, cfg.reps(), cfg.budgetSeconds(), () -> {
        System.arraycopy(sigma, 0, w, 0, w.length);
        solver.run(w, n);
        return w;
      });
    }
    return new ToTarget(name, eta, unit, units, reached, seconds, search,
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
    sb.append(String.format("%nTo the optimum: L_CCE+ within %s (relative) of the exact solver's"
        + " loss, from y=sigma; caps: EM/SQUAREM %d M-steps, PGD %d iterations, %s s each (PGD: that"
        + " shared by its step sizes, the best shown); median [min-max] of the timed runs of exactly"
        + " the units found%n", fmt(TO_OPTIMUM), (long) TO_OPTIMUM_CAP * cfg.emMaxIter(),
        (long) TO_OPTIMUM_CAP * cfg.pgdMaxIter(), fmt(cfg.budgetSeconds())));
    sb.append(String.format("%6s  %-11s %8s  %-22s %-30s %s%n", "K", "solver", "eta", "units",
        "s to the optimum", "excess at stop"));
    for (PerK j : perK) {
      for (ToTarget t : j.toOptimum()) {
        sb.append(String.format("%6d  %-11s %8s  %-22s %-30s %s%n", j.k(), t.solver(),
            t.stepSize() == null ? "-" : String.format("%.2g", t.stepSize() * cfg.block()) + "/M",
            String.format("%,d %s", t.units(), t.unit()),
            t.reached() ? String.format("%.4f [%.4f-%.4f]", t.seconds().median(),
                t.seconds().min(), t.seconds().max())
                : String.format("not reached (%.1f s)", t.searchSeconds()),
            t.solver().equals("exact") ? "certified within " + rel(t.excess())
                : t.reached() ? "reached" : rel(t.excess())));
      }
    }
    for (PerK j : perK) {
      ToTarget sq = j.toOptimum().get(1);
      ToTarget ex = j.toOptimum().get(j.toOptimum().size() - 1);
      sb.append(String.format("  K=%s: exact solver %,d passes, %s; SQUAREM %s: exact %s faster"
          + " to the optimum%n", j.k(), ex.units(),
          ex.reached() ? String.format("%.4f s", ex.seconds().median()) : "not certified",
          sq.reached() ? String.format("%.4f s (%,d M-steps)", sq.seconds().median(), sq.units())
              : String.format("not within %s after %,d M-steps (%.1f s)", fmt(TO_OPTIMUM),
                  sq.units(), sq.searchSeconds()),
          j.speedupExactOverSquaremToOptimum() != null
              ? times(j.speedupExactOverSquaremToOptimum())
              : j.speedupExactOverSquaremToOptimumAtLeast() != null
                  ? "> " + times(j.speedupExactOverSquaremToOptimumAtLeast()) : "n/a"));
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
    return sb.toString();
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
