package org.ccespark.selflabel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ccespark.math.PseudoLabelEm;
import org.ccespark.math.ProjectedGradientPseudoLabels;
import org.ccespark.math.SelfLabelingLoss;
import org.ccespark.math.Softmax;
import org.ccespark.math.StandardNormal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Every objective against its equation: finite-difference gradients of the classifier's loss, the
 * defining property of each pseudo-label solver (EM and PGD never increase their loss, Sinkhorn
 * meets its marginals, MIADM's fixed point is stationary), fixed rows, and extremes (K = 2,
 * K = 1000, uniform and near one-hot σ).
 */
class SelfLabelingObjectivesTest {
  private final SplittableRandom rnd = new SplittableRandom(2024);

  private double[] gaussians(int n, double scale) {
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      z[i] = scale * StandardNormal.draw(rnd);
    }
    return z;
  }

  private static double[] softmaxRows(double[] z, int rows, int k) {
    double[] s = new double[rows * k];
    for (int i = 0; i < rows; i++) {
      Softmax.softmax(z, i * k, s, i * k, k);
    }
    return s;
  }

  private double[] randomSimplexRows(int rows, int k, double scale) {
    return softmaxRows(gaussians(rows * k, scale), rows, k);
  }

  private static List<SelfLabelingObjective> all() {
    return List.of(new CollisionEm(100, 1000, 1e-6), new CollisionPgd(100, 0.001, 500, 1e-6),
        new Sela(25, 1000, 1e-6), new Miadm(1, 500, 1e-9), new Migd(1), new Migd(3),
        new SupervisedTargets(true), new SupervisedTargets(false));
  }

  /** ∂(networkLoss)/∂z by central differences, for every objective and K = 2, 7. */
  @ParameterizedTest
  @ValueSource(ints = {2, 7})
  void networkGradientsMatchFiniteDifferences(int k) {
    int rows = 6;
    for (SelfLabelingObjective o : all()) {
      double[] z = gaussians(rows * k, 2);
      double[] y = randomSimplexRows(rows, k, 1.5);
      double[] grad = new double[rows * k];
      o.networkLoss(z, softmaxRows(z, rows, k), y, rows, k, grad);
      double h = 1e-6;
      for (int j = 0; j < z.length; j++) {
        double[] zp = z.clone();
        double[] zm = z.clone();
        zp[j] += h;
        zm[j] -= h;
        double fd = (o.networkLoss(zp, softmaxRows(zp, rows, k), y, rows, k, new double[rows * k])
            - o.networkLoss(zm, softmaxRows(zm, rows, k), y, rows, k, new double[rows * k]))
            / (2 * h);
        assertEquals(fd, grad[j], 1e-6 * Math.max(1, Math.abs(fd)),
            o.getClass().getSimpleName() + " entry " + j);
      }
    }
  }

  /** MIGD's summed network loss is M times eq. 1 (λ = 1), which is 0 at uniform σ with zero gradient. */
  @Test
  void migdIsEquationOne() {
    int rows = 9;
    int k = 4;
    double[] z = gaussians(rows * k, 1);
    double[] sigma = softmaxRows(z, rows, k);
    Migd migd = new Migd(1);
    double meanH = 0;
    double[] mean = new double[k];
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < k; c++) {
        double s = sigma[i * k + c];
        meanH -= s * Math.log(s) / rows;
        mean[c] += s / rows;
      }
    }
    double hMean = 0;
    for (double p : mean) {
      hMean -= p * Math.log(p);
    }
    assertEquals(meanH - hMean, migd.loss(sigma, null, rows, k), 1e-12);
    assertEquals(rows * migd.loss(sigma, null, rows, k),
        migd.networkLoss(z, sigma, null, rows, k, new double[rows * k]), 1e-10);
    assertFalse(migd.usesPseudoLabels());

    double[] zero = new double[rows * k];
    double[] grad = new double[rows * k];
    assertEquals(0, migd.networkLoss(zero, softmaxRows(zero, rows, k), null, rows, k, grad), 1e-12);
    for (double g : grad) {
      assertEquals(0, g, 1e-12);
    }
  }

  /** Without fixed rows CCE's solver is exactly the paper's EM with SQUAREM. */
  @Test
  void cceWithoutFixedRowsIsSquaremEm() {
    int rows = 40;
    int k = 5;
    double[] sigma = randomSimplexRows(rows, k, 3);
    double[] a = sigma.clone();
    double[] b = sigma.clone();
    int it = new CollisionEm(100, 300, 1e-6, "squarem").solve(sigma, a, rows, k, null);
    PseudoLabelEm.Result r = PseudoLabelEm.solveAccelerated(sigma, b, rows, k, 100, 300, 1e-6);
    assertEquals(r.iterations(), it);
    assertArrayEquals(b, a, 0);
  }

  /** Fixed rows stay fixed; EM on the rest never increases L_CCE+ and ends at a fixed point. */
  @ParameterizedTest
  @ValueSource(ints = {2, 10, 1000})
  void cceEmWithFixedRowsDecreasesTheLossAndConverges(int k) {
    int rows = k == 1000 ? 60 : 50;
    double[] sigma = randomSimplexRows(rows, k, 3);
    boolean[] fixed = new boolean[rows];
    double[] start = sigma.clone();
    for (int i = 0; i < rows; i += 5) {
      fixed[i] = true;
      Arrays.fill(start, i * k, i * k + k, 0);
      start[i * k + (i % k)] = 1;
    }
    double previous = SelfLabelingLoss.ccePlus(sigma, start, rows, k, 10);
    for (int iters = 1; iters <= 20; iters++) {
      double[] y = start.clone();
      new CollisionEm(10, iters, 0, "squarem").solve(sigma, y, rows, k, fixed);
      double loss = SelfLabelingLoss.ccePlus(sigma, y, rows, k, 10);
      assertTrue(loss <= previous + 1e-10, iters + ": " + loss + " > " + previous);
      previous = loss;
      for (int i = 0; i < rows; i++) {
        if (fixed[i]) {
          assertArrayEquals(Arrays.copyOfRange(start, i * k, i * k + k),
              Arrays.copyOfRange(y, i * k, i * k + k), 0);
        }
      }
    }
    if (k > 10) {
      return; // plain EM converges in ~λ·K iterations: checked on the smaller K only
    }
    double[] y = start.clone();
    CollisionEm em = new CollisionEm(10, 20000, 1e-9, "squarem");
    em.solve(sigma, y, rows, k, fixed);
    double[] again = y.clone();
    assertTrue(em.solve(sigma, again, rows, k, fixed) <= 2, "converged");
    assertArrayEquals(y, again, 1e-7);
  }

  /** Soft fixed rows take the plain-EM path: same guarantees. */
  @Test
  void cceEmWithSoftFixedRowsKeepsThemAndDecreasesTheLoss() {
    int rows = 40;
    int k = 3;
    double[] sigma = randomSimplexRows(rows, k, 3);
    boolean[] fixed = new boolean[rows];
    fixed[0] = true;
    fixed[7] = true;
    double[] start = sigma.clone();
    double before = SelfLabelingLoss.ccePlus(sigma, start, rows, k, 10);
    double[] y = start.clone();
    int it = new CollisionEm(10, 5000, 1e-9, "squarem").solve(sigma, y, rows, k, fixed);
    assertTrue(it > 1 && it < 5000, "iterations " + it);
    assertTrue(SelfLabelingLoss.ccePlus(sigma, y, rows, k, 10) < before);
    assertArrayEquals(Arrays.copyOfRange(start, 7 * k, 8 * k), Arrays.copyOfRange(y, 7 * k, 8 * k), 0);
  }

  /** PGD with fixed rows: they stay; with none it is the math kernel; the loss (eq. 10) decreases. */
  @Test
  void ccePgdKeepsFixedRowsAndDecreasesEq10() {
    int rows = 30;
    int k = 4;
    double lambda = 1;
    double[] sigma = randomSimplexRows(rows, k, 2);
    double[] a = sigma.clone();
    double[] b = sigma.clone();
    new CollisionPgd(lambda, 0.01, 200, 1e-9).solve(sigma, a, rows, k, null);
    ProjectedGradientPseudoLabels.solve(sigma, b, rows, k, lambda, 0.01, 200, 1e-9);
    assertArrayEquals(b, a, 0);
    assertTrue(SelfLabelingLoss.cce(sigma, a, rows, k, lambda)
        < SelfLabelingLoss.cce(sigma, sigma, rows, k, lambda));

    boolean[] fixed = new boolean[rows];
    fixed[3] = true;
    double[] y = sigma.clone();
    new CollisionPgd(lambda, 0.01, 200, 1e-9).solve(sigma, y, rows, k, fixed);
    assertArrayEquals(Arrays.copyOfRange(sigma, 3 * k, 4 * k), Arrays.copyOfRange(y, 3 * k, 4 * k), 0);
  }

  /** Sinkhorn meets both marginals of the transport plan, at K = 2, 10 and 1000. */
  @ParameterizedTest
  @ValueSource(ints = {2, 10, 1000})
  void sinkhornMeetsItsMarginals(int k) {
    int n = k == 1000 ? 2000 : 300;
    double lambda = k == 1000 ? 1 : 25; // λ = 25 at K = 1000 would take thousands of iterations
    double[] sigma = randomSimplexRows(n, k, 2);
    Sela sela = new Sela(lambda, 5000, 1e-8);
    double[] logP = new double[n * k];
    for (int j = 0; j < logP.length; j++) {
      logP[j] = lambda * Math.log(sigma[j]);
    }
    double[] target = new double[k];
    Arrays.fill(target, 1.0 / k);
    Sela.Transport t = sela.sinkhorn(logP, n, k, target);
    assertTrue(t.marginalError() <= 1e-8, "converged: " + t);
    double[] cols = new double[k];
    for (int i = 0; i < n; i++) {
      double row = 0;
      for (int c = 0; c < k; c++) {
        double q = Math.exp(logP[i * k + c] + t.logAlpha()[c] + t.logBeta()[i]);
        row += q;
        cols[c] += q;
      }
      assertEquals(1.0 / n, row, 1e-12 / n);
    }
    for (int c = 0; c < k; c++) {
      assertEquals(1.0 / k, cols[c], 1e-8 / k);
    }
  }

  /**
   * SeLa's labels are one-hot and nearly equipartitioned even when σ favours one class for every
   * point; with uniform σ Sinkhorn is done in one iteration.
   */
  @Test
  void selaLabelsAreBalancedOneHots() {
    int rows = 200;
    int k = 4;
    double[] z = gaussians(rows * k, 0.5);
    for (int i = 0; i < rows; i++) {
      z[i * k] += 6; // σ_i0 ≈ 0.99 for every point
    }
    double[] sigma = softmaxRows(z, rows, k);
    double[] y = sigma.clone();
    new Sela(25, 10000, 1e-10).solve(sigma, y, rows, k, null);
    int[] counts = new int[k];
    for (int i = 0; i < rows; i++) {
      int ones = 0;
      for (int c = 0; c < k; c++) {
        assertTrue(y[i * k + c] == 0 || y[i * k + c] == 1);
        if (y[i * k + c] == 1) {
          ones++;
          counts[c]++;
        }
      }
      assertEquals(1, ones);
    }
    for (int c = 0; c < k; c++) {
      assertEquals(rows / k, counts[c], 3, Arrays.toString(counts));
    }

    double[] uniform = new double[rows * k];
    Arrays.fill(uniform, 1.0 / k);
    assertEquals(1, new Sela(25, 100, 1e-12).solve(uniform, uniform.clone(), rows, k, null));
  }

  /** Fixed rows fill their classes' share of the equipartition; the free rows fill the rest. */
  @Test
  void selaFreeRowsFillWhatFixedRowsLeave() {
    int rows = 100;
    int k = 4;
    double[] sigma = randomSimplexRows(rows, k, 1);
    boolean[] fixed = new boolean[rows];
    double[] y = sigma.clone();
    for (int i = 0; i < 25; i++) { // class 0's whole share
      fixed[i] = true;
      Arrays.fill(y, i * k, i * k + k, 0);
      y[i * k] = 1;
    }
    new Sela(25, 10000, 1e-10).solve(sigma, y, rows, k, fixed);
    for (int i = 25; i < rows; i++) {
      assertEquals(0, y[i * k], "row " + i + " took class 0");
    }
  }

  /**
   * MIADM's Frank–Wolfe never increases eq. 5 and ends with a gap ≤ tol: then no single point can
   * lower the loss's linearisation by moving to another class, the optimality condition of the
   * convex eq. 5. Fixed rows stay. K = 2, 10, 1000; σ unbalanced (class 0 favoured).
   */
  @ParameterizedTest
  @ValueSource(ints = {2, 10, 1000})
  void miadmMinimisesEquationFive(int k) {
    int rows = k == 1000 ? 50 : 80;
    double lambda = 2;
    double[] z = gaussians(rows * k, 2);
    for (int i = 0; i < rows; i++) {
      z[i * k] += 3;
    }
    double[] sigma = softmaxRows(z, rows, k);
    boolean[] fixed = new boolean[rows];
    fixed[1] = true;
    double[] start = sigma.clone();
    Arrays.fill(start, k, 2 * k, 0);
    start[k + 1] = 1;
    double previous = new Miadm(lambda, 1, 0).loss(sigma, start, rows, k);
    for (int iters = 1; iters <= 10; iters++) {
      double[] y = start.clone();
      Miadm m = new Miadm(lambda, iters, 0);
      m.solve(sigma, y, rows, k, fixed);
      double loss = m.loss(sigma, y, rows, k);
      assertTrue(loss <= previous + 1e-12, iters + ": " + loss + " > " + previous);
      previous = loss;
    }
    if (k > 10) {
      return; // Frank–Wolfe's gap falls as O(1/t): at K = 1000 the bound needs too many iterations
    }
    double[] y = start.clone();
    Miadm.Solve s = new Miadm(lambda, 100000, 1e-6).solveWithGap(sigma, y, rows, k, fixed);
    assertTrue(s.gap() <= 1e-6, "gap " + s.gap() + " after " + s.iterations());
    assertArrayEquals(Arrays.copyOfRange(start, k, 2 * k), Arrays.copyOfRange(y, k, 2 * k), 0);
    for (int i = 0; i < rows; i++) {
      assertEquals(1, Arrays.stream(Arrays.copyOfRange(y, i * k, i * k + k)).sum(), 1e-9);
    }
    // the gap bounds the suboptimality: no random feasible labelling does better by more
    double best = new Miadm(lambda, 1, 0).loss(sigma, y, rows, k);
    for (int t = 0; t < 20; t++) {
      double[] other = randomSimplexRows(rows, k, 4);
      System.arraycopy(start, k, other, k, k);
      assertTrue(new Miadm(lambda, 1, 0).loss(sigma, other, rows, k) >= best - 1e-6);
    }
  }

  /** At uniform σ every soft solver returns uniform labels (balanced and as close to σ as can be). */
  @Test
  void uniformPredictionsGiveUniformSoftLabels() {
    int rows = 10;
    int k = 5;
    double[] uniform = new double[rows * k];
    Arrays.fill(uniform, 1.0 / k);
    for (SelfLabelingObjective o : List.of(new CollisionEm(100, 100, 1e-9),
        new CollisionPgd(100, 0.001, 100, 1e-9), new Miadm(1, 100, 1e-12))) {
      // (for MIADM every class ties at uniform σ and ȳ = u: the gap is 0 at the start)
      double[] y = uniform.clone();
      o.solve(uniform, y, rows, k, null);
      assertArrayEquals(uniform, y, 1e-12, o.getClass().getSimpleName());
    }
  }

  @Test
  void methodsHaveDefaultsSchedulesAndClearErrors() {
    assertEquals(List.of("cce", "cce-pgd", "sela", "miadm", "migd"), Method.clusteringNames());
    assertEquals(List.of("cce", "cce-pgd", "sela", "miadm", "migd", "supervised-collision",
        "supervised-shannon"), Method.names());
    assertEquals(100, Method.of("cce").defaultLambda());
    assertEquals(100, Method.of("cce-pgd").defaultLambda());
    assertEquals(25, Method.of("sela").defaultLambda());
    assertEquals(1, Method.of("miadm").defaultLambda());
    assertEquals(1, Method.of("migd").defaultLambda());
    assertEquals(0, Method.of("supervised-shannon").defaultLambda());
    assertEquals("cce, cce-pgd 100; sela 25; miadm, migd 1", Method.defaultLambdas());
    assertTrue(Method.SUPERVISED_COLLISION.supervised() && !Method.CCE.supervised());
    assertEquals("cce-pgd", Method.CCE_PGD.toString());
    assertEquals(List.of(Schedule.MINIBATCH, Schedule.FULLDATA), Method.of("cce").schedules());
    assertEquals(List.of("minibatch", "fulldata"), Schedule.names());
    Method.CCE.checkSchedule(Schedule.of("fulldata"));
    assertEquals("method 'sela' supports schedule minibatch only, not 'fulldata'",
        assertThrows(IllegalArgumentException.class,
            () -> Method.SELA.checkSchedule(Schedule.FULLDATA)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Method.of("dec")).getMessage().contains("unknown method 'dec'"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Schedule.of("daily")).getMessage().contains("unknown schedule 'daily'"));
    assertTrue(Method.of("miadm").objective(1, 1, 1, 1) instanceof Miadm);
    assertTrue(Method.CCE.objective(1, 1, 1, 1) instanceof CollisionEm);
    assertTrue(Method.CCE_PGD.objective(1, 1, 1, 1) instanceof CollisionPgd);
    assertTrue(Method.SELA.objective(1, 1, 1, 1) instanceof Sela);
    assertTrue(Method.MIGD.objective(1, 1, 1, 1) instanceof Migd);
    assertTrue(Method.SUPERVISED_SHANNON.objective(0, 1, 1, 1) instanceof SupervisedTargets);
  }

  /**
   * K = 500 classes over M = 10 points (above the interior-point limit, K > 2M): the exact
   * solver's dual labels cover at most two classes a row, so it must hand over to EM and return
   * finite labels no worse than SQUAREM's (it used to return an infinite loss as certified).
   */
  @Test
  void exactSolverGivesFiniteLabelsWhenClassesOutnumberTwiceThePoints() {
    int m = 10;
    int k = 500;
    double[] sigma = randomSimplexRows(m, k, 3);
    double[] exact = sigma.clone();
    double[] squarem = sigma.clone();
    new CollisionEm(100, 1000, 1e-6, "exact").solve(sigma, exact, m, k, null);
    new CollisionEm(100, 1000, 1e-6, "squarem").solve(sigma, squarem, m, k, null);
    double lossExact = SelfLabelingLoss.ccePlus(sigma, exact, m, k, 100);
    double lossSquarem = SelfLabelingLoss.ccePlus(sigma, squarem, m, k, 100);
    assertTrue(Double.isFinite(lossExact), "exact " + lossExact);
    assertTrue(lossExact <= lossSquarem + 1e-9, lossExact + " vs SQUAREM " + lossSquarem);
  }
}
