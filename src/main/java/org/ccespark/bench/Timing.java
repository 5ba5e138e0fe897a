package org.ccespark.bench;

import java.util.Arrays;

/** Wall-clock timing with warm-up and repetitions; figures in seconds. */
public final class Timing {
  private Timing() {}

  /** Median, minimum and maximum of repeated measurements. */
  public record Stats(double median, double min, double max, int reps) {
    /** Stats of the given samples (at least one). */
    public static Stats of(double[] samples) {
      double[] s = samples.clone();
      Arrays.sort(s);
      int n = s.length;
      double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
      return new Stats(median, s[0], s[n - 1], n);
    }

    /** Each figure divided by {@code d} (e.g. per iteration). */
    public Stats div(double d) {
      return new Stats(median / d, min / d, max / d, reps);
    }

  }

  /** A rate's median, minimum and maximum (for example work per second of timed repetitions). */
  public record Range(double median, double min, double max) {
    /** {@code work} divided by each figure of {@code seconds}: the rate's median and range. */
    public static Range rate(double work, Stats seconds) {
      return new Range(work / seconds.median(), work / seconds.max(), work / seconds.min());
    }
  }

  /** A timed piece of work that may return a value to keep (so the JIT cannot drop it). */
  @FunctionalInterface
  public interface Work {
    Object run();
  }

  /**
   * Runs {@code warmups} untimed and then up to {@code reps} timed repetitions, stopping early once
   * the timed ones together took more than {@code budgetSeconds} (at least one is always timed).
   */
  public static Stats measure(int warmups, int reps, double budgetSeconds, Work work) {
    for (int i = 0; i < warmups; i++) {
      consume(work.run());
    }
    double[] samples = new double[Math.max(1, reps)];
    double total = 0;
    int n = 0;
    while (n < samples.length) {
      long t0 = System.nanoTime();
      Object r = work.run();
      samples[n++] = (System.nanoTime() - t0) / 1e9;
      consume(r);
      total += samples[n - 1];
      if (total > budgetSeconds) {
        break;
      }
    }
    return Stats.of(Arrays.copyOf(samples, n));
  }

  private static volatile int sink;

  private static void consume(Object o) {
    sink += o == null ? 0 : o.hashCode();
  }
}
