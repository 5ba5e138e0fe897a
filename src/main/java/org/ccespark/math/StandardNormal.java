package org.ccespark.math;

import java.util.SplittableRandom;

/**
 * Standard normal draws from a seeded {@link SplittableRandom}, the one source of them for data
 * generation, benchmarks and re-seeding: Box–Muller, one of the pair, two uniform draws per call
 * (so a seed gives the same numbers on every JVM, unlike {@code nextGaussian}, whose algorithm
 * is not specified).
 */
public final class StandardNormal {
  private StandardNormal() {}

  /** One draw: {@code √(−2 ln u)·cos(2πv)} with {@code u ∈ (0, 1]} drawn first, then {@code v}. */
  public static double draw(SplittableRandom rnd) {
    double u = 1.0 - rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
