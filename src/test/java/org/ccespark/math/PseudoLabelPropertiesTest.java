package org.ccespark.math;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Property-based tests (jqwik) of the pseudo-label solvers on random finite inputs: the M-step of
 * {@link NewtonMStep} (eq. 15) and the EM of {@link PseudoLabelEm}, plain and accelerated. The
 * inputs mix zeros, exact ties, tiny and large values; λ ranges from 1e-6 to 1e6 (log-uniform).
 * Invariants: every {@code y} is on the simplex with no NaN; the M-step's {@code y} meets the KKT
 * conditions of eq. 15 ({@link NewtonMStepTest#assertKkt}); EM never increases the bound (13) nor
 * {@code L_CCE+} (eq. 11).
 */
class PseudoLabelPropertiesTest {
  /** Allowed error of Σ_k y_k = 1. */
  private static final double SIMPLEX_TOL = 1e-9;

  /** Raw non-negative numbers with zeros, ties (repeated values), tiny and large ones. */
  private static Arbitrary<Double> rawEntry() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.just(0.0)),
        net.jqwik.api.Tuple.of(3, Arbitraries.of(0.25, 1.0, 3.0)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(1e-300)),
        net.jqwik.api.Tuple.of(6, Arbitraries.doubles().between(0, 1)),
        net.jqwik.api.Tuple.of(2, Arbitraries.doubles().between(0, 1e6)));
  }

  /** The entries normalised to sum 1 (uniform if all are zero). */
  private static double[] simplex(List<Double> raw) {
    double[] p = raw.stream().mapToDouble(Double::doubleValue).toArray();
    double s = Arrays.stream(p).sum();
    for (int c = 0; c < p.length; c++) {
      p[c] = s > 0 ? p[c] / s : 1.0 / p.length;
    }
    return p;
  }

  @Provide
  Arbitrary<List<Double>> vectors() {
    return rawEntry().list().ofMinSize(1).ofMaxSize(1000);
  }

  private static void assertOnSimplex(double[] y, int off, int k, String what) {
    double sum = 0;
    for (int c = 0; c < k; c++) {
      double v = y[off + c];
      assertTrue(Double.isFinite(v) && v >= 0, what + ": entry " + c + " is " + v);
      sum += v;
    }
    assertTrue(Math.abs(sum - 1) <= SIMPLEX_TOL, what + ": sums to " + sum);
  }

  @Property(tries = 200)
  void newtonMStepIsOnTheSimplexAndMeetsTheKktConditions(
      @ForAll("vectors") List<Double> rawSigma,
      @ForAll("vectors") List<Double> rawW,
      @ForAll @DoubleRange(min = -6, max = 6) double log10Lambda) {
    int k = rawSigma.size();
    double[] sigma = simplex(rawSigma);
    double lambda = Math.pow(10, log10Lambda);
    // w = λ·u_k·(y_k/ȳ_k)-like: non-negative, zeros and ties kept, mean about λ/K
    double[] w = new double[k];
    double[] shape = simplex(rawW.subList(0, Math.min(k, rawW.size())));
    for (int c = 0; c < k; c++) {
      w[c] = c < shape.length ? lambda * shape[c] : 0.0;
    }
    double[] y = new double[k];
    int iterations = NewtonMStep.solve(sigma, 0, w, 0, k, y, 0);

    assertTrue(iterations >= 0 && iterations <= NewtonMStep.MAX_NEWTON, "iterations " + iterations);
    assertOnSimplex(y, 0, k, "y");
    NewtonMStepTest.assertKkt(sigma, w, y); // optimal for eq. 15
  }

  /** σ for {@code rows} points of {@code k} classes: each row from the entries, cycling. */
  private static double[] sigmaRows(List<Double> raw, int rows, int k) {
    double[] sigma = new double[rows * k];
    for (int i = 0; i < rows; i++) {
      Double[] row = new Double[k];
      for (int c = 0; c < k; c++) {
        row[c] = raw.get((i * k + c) % raw.size());
      }
      System.arraycopy(simplex(Arrays.asList(row)), 0, sigma, i * k, k);
    }
    return sigma;
  }

  @Provide
  Arbitrary<List<Double>> entries() {
    return rawEntry().list().ofMinSize(1).ofMaxSize(200);
  }

  @Property(tries = 100)
  void plainEmKeepsYOnTheSimplexAndNeverRaisesTheBoundOrTheLoss(
      @ForAll("entries") List<Double> raw,
      @ForAll @IntRange(min = 1, max = 30) int rows,
      @ForAll @IntRange(min = 1, max = 40) int k,
      @ForAll @DoubleRange(min = -6, max = 6) double log10Lambda) {
    double lambda = Math.pow(10, log10Lambda);
    double[] sigma = sigmaRows(raw, rows, k);
    double[] y = sigma.clone(); // Algorithm 2's warm start
    double[] sums = new double[k];
    double[] scratch = new double[3 * k];
    double loss = SelfLabelingLoss.ccePlus(sigma, y, rows, k, lambda);
    for (int it = 0; it < 8; it++) {
      double[] yPrev = y.clone();
      Arrays.fill(sums, 0);
      PseudoLabelEm.addColumnSums(y, rows, k, sums);
      PseudoLabelEm.mStep(sigma, y, rows, k, lambda, rows, sums, scratch, null);
      for (int i = 0; i < rows; i++) {
        assertOnSimplex(y, i * k, k, "iteration " + it + ", row " + i);
      }
      double next = SelfLabelingLoss.ccePlus(sigma, y, rows, k, lambda);
      assertTrue(!Double.isNaN(next), "L_CCE+ is NaN");
      // A positive entry may become 0 only by underflow (its true value below 4.9e-324); the
      // bound's term S_ik ln y_ik is then -inf·S_ik in doubles though negligible in exact
      // arithmetic, so the bound is compared only without underflow.
      boolean underflow = false;
      for (int j = 0; j < y.length; j++) {
        if (y[j] == 0 && yPrev[j] > 0) {
          assertTrue(yPrev[j] < 1e-250, "entry " + j + " went from " + yPrev[j] + " to 0");
          underflow = true;
        }
      }
      if (Double.isFinite(loss) && !underflow) {
        double tight = SelfLabelingLoss.emBound(sigma, yPrev, yPrev, rows, k, lambda);
        double bound = SelfLabelingLoss.emBound(sigma, y, yPrev, rows, k, lambda);
        double slack = slack(lambda, rows, tight);
        assertTrue(bound <= tight + slack, "M-step raised the bound: " + bound + " > " + tight);
        assertTrue(next <= bound + slack, "the bound is below L_CCE+: " + bound + " < " + next);
      }
      if (Double.isFinite(loss)) {
        assertTrue(next <= loss + slack(lambda, rows, loss),
            "EM raised L_CCE+: " + next + " > " + loss);
      }
      loss = next;
    }
  }

  @Property(tries = 100)
  void acceleratedEmKeepsYOnTheSimplexAndNeverRaisesTheLoss(
      @ForAll("entries") List<Double> raw,
      @ForAll @IntRange(min = 1, max = 30) int rows,
      @ForAll @IntRange(min = 1, max = 40) int k,
      @ForAll @DoubleRange(min = -6, max = 6) double log10Lambda) {
    double lambda = Math.pow(10, log10Lambda);
    double[] sigma = sigmaRows(raw, rows, k);
    double[] y = sigma.clone();
    double loss = SelfLabelingLoss.ccePlus(sigma, y, rows, k, lambda);
    for (int cycle = 0; cycle < 5; cycle++) {
      // a budget of 3 M-steps is exactly one SQUAREM cycle from the current y
      PseudoLabelEm.Result r = PseudoLabelEm.solveAccelerated(sigma, y, rows, k, lambda, 3, 0);
      assertTrue(r.iterations() <= 3, "iterations " + r.iterations());
      for (int i = 0; i < rows; i++) {
        assertOnSimplex(y, i * k, k, "cycle " + cycle + ", row " + i);
      }
      double next = SelfLabelingLoss.ccePlus(sigma, y, rows, k, lambda);
      assertTrue(!Double.isNaN(next), "L_CCE+ is NaN");
      if (Double.isFinite(loss)) {
        assertTrue(next <= loss + slack(lambda, rows, loss),
            "accelerated EM raised L_CCE+: " + next + " > " + loss);
      }
      loss = next;
    }
  }

  /** Rounding of terms of size λ: relative 1e-14 of λ per point, plus relative 1e-12 of the value. */
  private static double slack(double lambda, int rows, double value) {
    return 1e-14 * (1 + lambda) * rows + 1e-12 * Math.abs(value);
  }
}
