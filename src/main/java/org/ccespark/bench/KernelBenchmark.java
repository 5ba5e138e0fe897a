package org.ccespark.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ccespark.math.PseudoLabelEm;

/**
 * Throughput of one EM iteration of {@link PseudoLabelEm} on a single thread: the E-step (column
 * sums {@code Σ_i y_ik}) plus the M-step ({@link PseudoLabelEm#mStep}: weights and the Newton
 * solve of eq. 15 to convergence for every point), in point·classes per second.
 *
 * <p>The block holds {@code M ≈ pointClasses / K} points with {@code σ} from random logits (as in
 * {@link EmVsPgdBenchmark}); EM starts at {@code y = σ} and runs {@code warmups} untimed iterations
 * (which also warm up the JIT), then each timed repetition is the next EM iteration on the same
 * block — the state a real solve is in.
 *
 * <p>Besides wall-clock time it reports the thread's CPU time per iteration
 * ({@link ThreadMXBean#getCurrentThreadCpuTime()}), which time spent waiting for a core on a
 * busy machine does not inflate (cache and memory-bandwidth contention still do).
 */
public final class KernelBenchmark {
  private KernelBenchmark() {}

  /**
   * Settings.
   *
   * @param ks numbers of classes
   * @param pointClasses target {@code M·K} per block (M at least 100)
   * @param lambda weight of the fairness term
   * @param logitScale s of σ = softmax(s·z)
   * @param seed seed of the logits
   * @param warmups untimed EM iterations before timing
   * @param reps timed EM iterations
   */
  public record Config(int[] ks, int pointClasses, double lambda, double logitScale, long seed,
      int warmups, int reps) {}

  /**
   * What {@code bench.json} holds for this benchmark.
   *
   * @param settings the settings
   * @param results per K
   */
  public record Report(Settings settings, List<Result> results) {}

  /** {@link Config} as written (the Ks are in the results). */
  public record Settings(int pointClasses, double lambda, double logitScale, long seed,
      int warmups, int reps, int threads) {}

  /** The figures of one K on a block of {@code m} points. */
  public record Result(int k, int m, Timing.Stats secondsPerIteration,
      Timing.Range pointClassesPerSecond, Timing.Stats cpuSecondsPerIteration,
      Timing.Range pointClassesPerCpuSecond, double newtonStepsPerPoint) {}

  /** Runs the benchmark; prints nothing. */
  public static BenchResult<Report> run(Config cfg) {
    List<Result> results = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("EM kernel throughput: one EM iteration (E-step + Newton M-step to"
        + " convergence), single thread, lambda=%s%n", EmVsPgdBenchmark.fmt(cfg.lambda())));
    sb.append(String.format("  median [min-max] of %d iterations after %d warm-up iterations"
        + " from y=sigma%n", cfg.reps(), cfg.warmups()));
    sb.append(String.format("%6s  %8s  %-28s  %-26s  %-26s  %s%n", "K", "M",
        "s per EM iteration", "M point.classes/s", "M point.classes/CPU-s",
        "Newton steps/point"));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean cpuTime = threads.isCurrentThreadCpuTimeSupported();
    for (int k : cfg.ks()) {
      int m = Math.max(100, cfg.pointClasses() / k);
      double[] sigma = EmVsPgdBenchmark.randomPredictions(m, k, cfg.logitScale(), cfg.seed() + k);
      double[] y = sigma.clone();
      double[] sums = new double[k];
      double[] scratch = new double[3 * k];
      double[] stats = new double[2];
      for (int i = 0; i < cfg.warmups(); i++) {
        iteration(sigma, y, m, k, cfg.lambda(), sums, scratch, stats);
      }
      stats[1] = 0;
      double[] wall = new double[cfg.reps()];
      double[] cpu = new double[cfg.reps()];
      for (int r = 0; r < cfg.reps(); r++) {
        long c0 = cpuTime ? threads.getCurrentThreadCpuTime() : 0;
        long t0 = System.nanoTime();
        iteration(sigma, y, m, k, cfg.lambda(), sums, scratch, stats);
        wall[r] = (System.nanoTime() - t0) / 1e9;
        cpu[r] = cpuTime ? (threads.getCurrentThreadCpuTime() - c0) / 1e9 : Double.NaN;
      }
      Timing.Stats s = Timing.Stats.of(wall);
      Timing.Stats sc = Timing.Stats.of(cpu);
      double newtonPerPoint = stats[1] / ((double) m * s.reps());
      double pc = (double) m * k;
      results.add(new Result(k, m, s, Timing.Range.rate(pc, s), sc, Timing.Range.rate(pc, sc),
          newtonPerPoint));
      sb.append(String.format("%6d  %8d  %-28s  %-26s  %-26s  %.2f%n", k, m,
          String.format("%.3e [%.3e-%.3e]", s.median(), s.min(), s.max()),
          String.format("%.1f [%.1f-%.1f]", pc / s.median() / 1e6, pc / s.max() / 1e6,
              pc / s.min() / 1e6),
          String.format("%.1f [%.1f-%.1f]", pc / sc.median() / 1e6, pc / sc.max() / 1e6,
              pc / sc.min() / 1e6), newtonPerPoint));
    }
    Settings settings = new Settings(cfg.pointClasses(), cfg.lambda(), cfg.logitScale(),
        cfg.seed(), cfg.warmups(), cfg.reps(), 1);
    return new BenchResult<>("kernel", sb.toString(), new Report(settings, results));
  }

  private static void iteration(double[] sigma, double[] y, int m, int k, double lambda,
      double[] sums, double[] scratch, double[] stats) {
    Arrays.fill(sums, 0);
    PseudoLabelEm.addColumnSums(y, m, k, sums);
    stats[0] = 0;
    PseudoLabelEm.mStep(sigma, y, m, k, lambda, m, sums, scratch, stats);
  }
}
