package org.ccespark.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.ccespark.math.LinearSoftmax;
import org.ccespark.math.Optimizer;
import org.ccespark.math.PseudoLabelEm;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** The distributed loop against the same computation done locally with the math kernels. */
class SelfLabelTrainerTest {
  private static final StructType SCHEMA = new StructType().add("features", SQLDataTypes.VectorType());
  private final SparkSession spark = SharedSpark.session();

  private static double[][] randomRows(int n, int dim, long seed) {
    Random rnd = new Random(seed);
    double[][] rows = new double[n][dim];
    for (double[] r : rows) {
      int center = rnd.nextInt(3);
      for (int d = 0; d < dim; d++) {
        r[d] = (d % 3 == center ? 2 : 0) + rnd.nextGaussian();
      }
    }
    return rows;
  }

  private Dataset<Row> frame(double[][] rows, int partitions) {
    List<Row> list = new ArrayList<>();
    for (double[] r : rows) {
      list.add(RowFactory.create(r == null ? null : Vectors.dense(r)));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(jsc.parallelize(list, partitions), SCHEMA);
  }

  /**
   * Above its row limit the K-means start is fitted on a sample: its nearest-centroid rule then
   * partitions the rows as the start fitted on all of them does, at the same scale.
   */
  @Test
  void theKMeansStartOnASampleAgreesWithTheStartOnEveryRow() {
    double[][] rows = randomRows(3000, 6, 11);
    Dataset<Row> data = frame(rows, 2);
    FeatureBlocks blocks = FeatureBlocks.cache(data, "features");
    TrainingConfig cfg = config(3, "minibatch", 1, 100, 100).toBuilder()
        .init("kmeans").build();
    double[] all = SelfLabelTrainer.initialParams(data, "features", blocks, cfg, 3000);
    double[] sampled = SelfLabelTrainer.initialParams(data, "features", blocks, cfg, 400);
    blocks.unpersist();
    assertTrue(!Arrays.equals(all, sampled), "the sample must give other centroids");
    int[] a = new int[rows.length];
    int[] b = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      a[i] = argmaxLogit(all, rows[i], 3);
      b[i] = argmaxLogit(sampled, rows[i], 3);
    }
    double agreement = org.ccespark.eval.ClusteringMetrics.accuracy(a, b);
    assertTrue(agreement > 0.97, "the two starts partition the rows alike: " + agreement);
    double scaleAll = Math.abs(all[6 * 3]) + Math.abs(all[6 * 3 + 1]) + Math.abs(all[6 * 3 + 2]);
    double scaleSampled = Math.abs(sampled[6 * 3]) + Math.abs(sampled[6 * 3 + 1])
        + Math.abs(sampled[6 * 3 + 2]);
    assertEquals(1, scaleSampled / scaleAll, 0.2, "the logits' scale (biases)");
  }

  private static int argmaxLogit(double[] params, double[] x, int k) {
    int dim = x.length;
    int best = 0;
    double top = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < k; c++) {
      double z = params[dim * k + c];
      for (int d = 0; d < dim; d++) {
        z += params[d * k + c] * x[d];
      }
      if (z > top) {
        top = z;
        best = c;
      }
    }
    return best;
  }

  private static TrainingConfig config(int k, String schedule, int epochs, int batchSize, int emMaxIter) {
    return TrainingConfig.builder().k(k).lambda(100).epochs(epochs).batchSize(batchSize)
        .stepSize(0.1).weightDecay(0.01).optimizer("sgd").momentum(0).emMaxIter(emMaxIter)
        .emTol(1e-5).seed(7L).schedule(schedule).build();
  }

  /** {@link #config} with the paper's plain EM as solver. */
  private static TrainingConfig emConfig(int k, String schedule, int epochs, int batchSize,
      int emMaxIter) {
    return config(k, schedule, epochs, batchSize, emMaxIter).toBuilder().solver("em").build();
  }

  /** One full-data solve over 3 partitions, its labels per block, and σ of all rows in order. */
  private record FullDataRun(SelfLabelTrainer.FullDataEm em, List<double[][]> parts,
      double[] sigma) {}

  /** {@code n} random 5-d rows, a fixed classifier (Kaiming weights, b_0 = 0.2), one epoch's solve. */
  private FullDataRun fullDataRun(int n, int k, TrainingConfig cfg) {
    int dim = 5;
    double[][] rows = randomRows(n, dim, 1);
    double[] params = new double[dim * k + k];
    System.arraycopy(LinearSoftmax.kaimingWeights(dim, k, 3), 0, params, 0, dim * k);
    params[dim * k] = 0.2;
    FeatureBlocks blocks = FeatureBlocks.cache(frame(rows, 3), "features");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    java.util.Set<Integer> cached = new java.util.HashSet<>(jsc.getPersistentRDDs().keySet());
    SelfLabelTrainer.FullDataEm em = SelfLabelTrainer.fullDataEm(jsc, blocks, params, cfg, null,
        null);
    // σ (and EM's iterates) are unpersisted: only the returned labels are added to the cache
    java.util.Set<Integer> after = new java.util.HashSet<>(jsc.getPersistentRDDs().keySet());
    cached.add(em.labels().id());
    assertEquals(cached, after);
    List<double[][]> parts = em.labels().collect();
    em.labels().unpersist(false);
    blocks.unpersist();
    double[] x = new double[n * dim];
    for (int i = 0; i < n; i++) {
      System.arraycopy(rows[i], 0, x, i * dim, dim);
    }
    double[] sigma = new double[n * k];
    LinearSoftmax.probabilities(params, Arrays.copyOfRange(params, dim * k, params.length), dim, k,
        x, 0, n, sigma);
    return new FullDataRun(em, parts, sigma);
  }

  /**
   * The exact solver distributed over 3 partitions (one job per pass, partial sums) gives the
   * pseudo-labels and loss of the exact solver on all rows in one array.
   */
  @Test
  void fullDataExactEqualsLocalExact() {
    int n = 90;
    int k = 4;
    TrainingConfig cfg = config(k, "fulldata", 1, 50, 40);
    FullDataRun run = fullDataRun(n, k, cfg);
    SelfLabelTrainer.FullDataEm em = run.em();
    List<double[][]> parts = run.parts();
    double[] sigma = run.sigma();
    double[] y = new double[n * k];
    org.ccespark.math.ExactPseudoLabels.Result local = org.ccespark.math.ExactPseudoLabels.solve(
        sigma, y, n, k, null, cfg.lambda(), null, 100, 1e-10);
    // where the distributed dual stalls, the rows are solved on the driver by the same solver
    assertTrue(em.loss() >= local.primal() - 1e-10, em.loss() + " < " + local.primal());
    assertEquals(local.primal(), em.loss(), local.converged() ? 1e-10 : 1e-3);
    int i = 0;
    for (double[][] part : parts) {
      for (double[] block : part) {
        for (double v : block) {
          if (local.converged()) {
            assertEquals(y[i], v, 1e-8);
          }
          i++;
        }
      }
    }
    assertEquals(n * k, i);
  }

  /**
   * The full-data solve by which restarts are compared ({@code finalLoss}) caches σ for its passes
   * and leaves nothing cached; started from its own optimal prices, it certifies them in one pass.
   */
  @Test
  void fullDataSolveLeavesNothingCachedAndWarmStartsFromItsPrices() {
    int n = 300;
    int k = 3;
    int dim = 5;
    TrainingConfig cfg = config(k, "fulldata", 1, 50, 40);
    double[][] rows = randomRows(n, dim, 2);
    double[] params = new double[dim * k + k];
    System.arraycopy(LinearSoftmax.kaimingWeights(dim, k, 4), 0, params, 0, dim * k);
    FeatureBlocks blocks = FeatureBlocks.cache(frame(rows, 3), "features");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try {
      java.util.Set<Integer> cached = new java.util.HashSet<>(jsc.getPersistentRDDs().keySet());
      org.ccespark.math.ExactPseudoLabels.Result cold =
          SelfLabelTrainer.fullDataSolve(jsc, blocks, params, cfg, null);
      assertEquals(cached, jsc.getPersistentRDDs().keySet());
      assertTrue(cold.converged() && cold.passes() > 3, "passes " + cold.passes());
      org.ccespark.math.ExactPseudoLabels.Result warm =
          SelfLabelTrainer.fullDataSolve(jsc, blocks, params, cfg, cold.prices());
      assertEquals(cached, jsc.getPersistentRDDs().keySet());
      assertEquals(1, warm.passes());
      assertEquals(cold.primal(), warm.primal());
      assertArrayEquals(cold.prices(), warm.prices());
      // and the same as the exact solver on all rows in one array
      double[] x = new double[n * dim];
      for (int i = 0; i < n; i++) {
        System.arraycopy(rows[i], 0, x, i * dim, dim);
      }
      double[] sigma = new double[n * k];
      LinearSoftmax.probabilities(params, Arrays.copyOfRange(params, dim * k, params.length), dim,
          k, x, 0, n, sigma);
      org.ccespark.math.ExactPseudoLabels.Result local = org.ccespark.math.ExactPseudoLabels
          .solve(sigma, new double[n * k], n, k, null, cfg.lambda(), null, 100, 1e-10);
      assertEquals(local.primal(), cold.primal(), 1e-10);
    } finally {
      blocks.unpersist();
    }
  }

  /** Full-data EM over 3 partitions gives the pseudo-labels of EM on all rows in one array. */
  @Test
  void fullDataEmEqualsLocalEm() {
    int n = 300;
    int k = 4;
    TrainingConfig cfg = emConfig(k, "fulldata", 1, 50, 40);
    FullDataRun run = fullDataRun(n, k, cfg);
    SelfLabelTrainer.FullDataEm em = run.em();
    List<double[][]> parts = run.parts();
    double[] sigma = run.sigma();
    double[] y = sigma.clone();
    PseudoLabelEm.Result local = PseudoLabelEm.solve(sigma, y, n, k, cfg.lambda(), cfg.emMaxIter(), cfg.emTol());
    assertEquals(local.iterations(), em.iterations());
    int i = 0;
    for (double[][] part : parts) {
      for (double[] block : part) {
        for (double v : block) {
          assertEquals(y[i++], v, 1e-12);
        }
      }
    }
    assertEquals(n * k, i);
  }

  /** Full-data EM keeps the seed-labelled rows at their one-hot label in every iteration. */
  @Test
  void fullDataEmKeepsSeedLabels() {
    int n = 60;
    int dim = 4;
    int k = 3;
    double[][] rows = randomRows(n, dim, 5);
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(RowFactory.create(Vectors.dense(rows[i]), i % 6 == 0 ? (Integer) (i % k) : null));
    }
    StructType schema = SCHEMA.add("seed", org.apache.spark.sql.types.DataTypes.IntegerType, true);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Dataset<Row> df = spark.createDataFrame(jsc.parallelize(list, 2), schema);
    TrainingConfig cfg = emConfig(k, "fulldata", 1, 20, 30);
    double[] params = new double[dim * k + k];
    System.arraycopy(LinearSoftmax.kaimingWeights(dim, k, 3), 0, params, 0, dim * k);
    FeatureBlocks blocks = FeatureBlocks.cache(df, "features", "seed", k);
    assertEquals(10, blocks.labelledRows);
    SelfLabelTrainer.FullDataEm em = SelfLabelTrainer.fullDataEm(jsc, blocks, params, cfg, null, null);
    List<double[][]> parts = em.labels().collect();
    em.labels().unpersist(false);
    blocks.unpersist();
    assertEquals(30, em.iterations());
    int i = 0;
    for (double[][] part : parts) {
      for (double[] block : part) {
        for (int r = 0; r < block.length / k; r++, i++) {
          for (int c = 0; c < k; c++) {
            if (i % 6 == 0) {
              assertEquals(c == i % k ? 1.0 : 0.0, block[r * k + c], "row " + i);
            }
          }
        }
      }
    }
    assertEquals(n, i);
  }

  /**
   * With one partition and a batch holding every row, a minibatch epoch is one step of Algorithm 2:
   * σ from the initial classifier, y = EM(σ), and an SGD step on mean H2(y, σ) plus weight decay.
   */
  @Test
  void oneMinibatchStepIsAlgorithmTwo() {
    int n = 120;
    int dim = 6;
    int k = 3;
    double[][] rows = randomRows(n, dim, 2);
    TrainingConfig cfg = config(k, "minibatch", 1, 1000, 200);
    TrainingResult result = SelfLabelTrainer.fit(frame(rows, 1), "features", cfg);

    double[] x = new double[n * dim];
    int[] perm = BatchPlan.permutation(cfg.seed(), 0, 0, n); // the batch's row order
    for (int i = 0; i < n; i++) {
      System.arraycopy(rows[perm[i]], 0, x, i * dim, dim);
    }
    double[] params = new double[dim * k + k];
    System.arraycopy(LinearSoftmax.kaimingWeights(dim, k, cfg.seed()), 0, params, 0, dim * k);
    double[] b = new double[k];
    double[] sigma = new double[n * k];
    LinearSoftmax.probabilities(params, b, dim, k, x, 0, n, sigma);
    double[] y = sigma.clone();
    cfg.objective().solve(sigma, y, n, k, null); // the default solver, exact

    double[] gw = new double[dim * k];
    double[] gb = new double[k];
    LinearSoftmax.addCollisionGradient(params, b, dim, k, x, 0, n, y, gw, gb, new double[n * k]);
    double[] grad = new double[params.length];
    for (int j = 0; j < dim * k; j++) {
      grad[j] = gw[j] / n + cfg.weightDecay() * params[j];
    }
    for (int c = 0; c < k; c++) {
      grad[dim * k + c] = gb[c] / n;
    }
    Optimizer.create("sgd", params.length, cfg.stepSize(), 0).step(params, grad);
    assertArrayEquals(Arrays.copyOf(params, dim * k), result.weights(), 1e-12);
    assertArrayEquals(Arrays.copyOfRange(params, dim * k, params.length), result.bias(), 1e-12);
    assertEquals(n, Arrays.stream(result.clusterSizes()).sum());
  }

  /** One full-batch SGD step of the collision loss at temperature t, done locally. */
  private static void localStep(double[][] rows, TrainingConfig cfg, int epoch, double t,
      double[] params) {
    int n = rows.length;
    int dim = rows[0].length;
    int k = cfg.k();
    double[] x = new double[n * dim];
    int[] perm = BatchPlan.permutation(cfg.seed(), epoch, 0, n);
    for (int i = 0; i < n; i++) {
      System.arraycopy(rows[perm[i]], 0, x, i * dim, dim);
    }
    double[] atT = new double[params.length];
    for (int j = 0; j < params.length; j++) {
      atT[j] = params[j] / t; // softmax(z / t) is the classifier with parameters params / t
    }
    double[] b = Arrays.copyOfRange(atT, dim * k, atT.length);
    double[] sigma = new double[n * k];
    LinearSoftmax.probabilities(atT, b, dim, k, x, 0, n, sigma);
    double[] y = sigma.clone();
    cfg.objective().solve(sigma, y, n, k, null);
    double[] gw = new double[dim * k];
    double[] gb = new double[k];
    LinearSoftmax.addCollisionGradient(atT, b, dim, k, x, 0, n, y, gw, gb, new double[n * k]);
    double[] grad = new double[params.length];
    for (int j = 0; j < dim * k; j++) {
      grad[j] = gw[j] / n / t + cfg.weightDecay() * params[j];
    }
    for (int c = 0; c < k; c++) {
      grad[dim * k + c] = gb[c] / n / t;
    }
    Optimizer.create("sgd", params.length, cfg.stepSize(), 0).step(params, grad);
  }

  @Test
  void temperatureTrainsTheSofterClassifierAndEndsAtOne() {
    TrainingConfig plain = config(3, "minibatch", 3, 1000, 200);
    TrainingConfig cfg = plain.toBuilder().init(TrainingConfig.PAPER_INIT).restarts(1)
        .temperature(9.0).build();
    assertEquals(9.0, cfg.temperatureAt(0), 1e-12);
    assertEquals(3.0, cfg.temperatureAt(1), 1e-12);
    assertEquals(1.0, cfg.temperatureAt(2), 0);
    assertEquals(1.0, plain.temperatureAt(0), 0);

    int n = 120;
    int dim = 6;
    int k = 3;
    double[][] rows = randomRows(n, dim, 5);
    TrainingResult result = SelfLabelTrainer.fit(frame(rows, 1), "features", cfg);
    double[] params = new double[dim * k + k];
    System.arraycopy(LinearSoftmax.kaimingWeights(dim, k, cfg.seed()), 0, params, 0, dim * k);
    for (int epoch = 0; epoch < 3; epoch++) { // one batch per epoch
      localStep(rows, cfg, epoch, cfg.temperatureAt(epoch), params);
    }
    assertArrayEquals(Arrays.copyOf(params, dim * k), result.weights(), 1e-12);
    assertArrayEquals(Arrays.copyOfRange(params, dim * k, params.length), result.bias(), 1e-12);
    // and it is not the fit without temperature
    TrainingResult untempered = SelfLabelTrainer.fit(frame(rows, 1), "features", plain);
    assertTrue(Math.abs(untempered.weights()[0] - result.weights()[0]) > 1e-6);
  }

  @Test
  void labelStatsCountRowsByArgmaxAndMixedRows() {
    double[] y = {1, 0, 0, /* */ 0.3, 0.7, 0, /* */ 0, 0.005, 0.995, /* */ 0.5, 0.5, 0};
    PseudoLabelShares stats = new PseudoLabelShares(3);
    stats.add(y, 4, 3);
    // by argmax (ties go to the first), mass per class, rows whose largest entry is below 0.99
    assertArrayEquals(new double[] {2, 1, 1}, stats.byArgmax, 1e-12);
    assertArrayEquals(new double[] {1.8, 1.205, 0.995}, stats.mass, 1e-12);
    assertEquals(2, stats.mixed, 1e-12);
    assertTrue(stats.any() && !new PseudoLabelShares(3).any());
  }

  /**
   * A {@code minibatch} epoch gathers its rows on the driver in chunks ({@link BatchChunk}): 2,000
   * rows of 6 features in 20 batches are one chunk, so each further epoch is one Spark job (it
   * was two jobs per step, 40 an epoch).
   */
  @Test
  void aMinibatchEpochIsOneSparkJobPerChunk() throws java.util.concurrent.TimeoutException {
    Dataset<Row> data = frame(randomRows(2000, 6, 3), 3).cache();
    try {
      long one = jobsOf(() -> SelfLabelTrainer.fit(data, "features",
          config(3, "minibatch", 1, 100, 200)));
      long four = jobsOf(() -> SelfLabelTrainer.fit(data, "features",
          config(3, "minibatch", 4, 100, 200)));
      assertEquals(3, four - one, "jobs of 1 epoch " + one + ", of 4 epochs " + four);
    } finally {
      data.unpersist();
    }
  }

  /**
   * A {@code fulldata} epoch after the first solves eq. 11 over all rows starting from the previous
   * epoch's dual prices, one Spark job per dual pass over σ cached for the solve, then one job for
   * the labels and one for the epoch's batches (2,000 rows of 6 features, K = 3, 20 batches: one
   * chunk). Measured before σ was cached and the prices warm-started (σ recomputed from the
   * features in every pass, prices from λ·1 in every epoch): 28 jobs for 1 epoch, 89 for 4, so 61
   * for epochs 2–4 (26 + 17 + 12 dual passes and 2 jobs each); with the warm start 53
   * (22 + 14 + 11 passes).
   */
  @Test
  void aFullDataEpochAfterTheFirstNeedsFewerSparkJobs() throws java.util.concurrent.TimeoutException {
    Dataset<Row> data = frame(randomRows(2000, 6, 3), 3).cache();
    try {
      TrainingResult[] fits = new TrainingResult[2];
      long one = jobsOf(() -> fits[0] = SelfLabelTrainer.fit(data, "features",
          config(3, "fulldata", 1, 100, 200)));
      long four = jobsOf(() -> fits[1] = SelfLabelTrainer.fit(data, "features",
          config(3, "fulldata", 4, 100, 200)));
      double[] passes = fits[1].emIterationsPerEpoch();
      String counts = "jobs of 1 epoch " + one + ", of 4 epochs " + four + "; dual passes per epoch "
          + Arrays.toString(passes);
      // one job per dual pass, plus the labels' job and the batches' chunk job
      assertEquals(passes[1] + passes[2] + passes[3] + 2 * 3, four - one, counts);
      assertTrue(four - one < 61, counts);
    } finally {
      data.unpersist();
    }
  }

  /** The Spark jobs {@code fit} starts, counted once the listener bus has delivered them. */
  private long jobsOf(Runnable fit) throws java.util.concurrent.TimeoutException {
    java.util.concurrent.atomic.AtomicLong jobs = new java.util.concurrent.atomic.AtomicLong();
    org.apache.spark.scheduler.SparkListener counter =
        new org.apache.spark.scheduler.SparkListener() {
          @Override
          public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
            jobs.incrementAndGet();
          }
        };
    spark.sparkContext().listenerBus().waitUntilEmpty();
    spark.sparkContext().addSparkListener(counter);
    try {
      fit.run();
      spark.sparkContext().listenerBus().waitUntilEmpty();
      return jobs.get();
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }
  }

  @Test
  void sameSeedAndPartitioningGiveIdenticalClassifiers() {
    double[][] rows = randomRows(400, 8, 3);
    for (String schedule : new String[] {"minibatch", "fulldata"}) {
      TrainingConfig cfg = config(3, schedule, 2, 64, 30);
      TrainingResult a = SelfLabelTrainer.fit(frame(rows, 2), "features", cfg);
      TrainingResult b = SelfLabelTrainer.fit(frame(rows, 2), "features", cfg);
      assertArrayEquals(a.weights(), b.weights(), schedule);
      assertArrayEquals(a.bias(), b.bias(), schedule);
      assertArrayEquals(a.lossPerEpoch(), b.lossPerEpoch(), schedule);
      assertEquals(2, a.lossPerEpoch().length);
      assertTrue(a.lossPerEpoch()[1] < a.lossPerEpoch()[0], schedule + " loss decreases: "
          + Arrays.toString(a.lossPerEpoch()));
    }
  }

  @Test
  void invalidRowsAreNamed() {
    double[][] rows = randomRows(10, 3, 4);
    rows[7][1] = Double.NaN;
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> SelfLabelTrainer.fit(frame(rows, 2), "features", config(2, "minibatch", 1, 5, 5)));
    assertEquals("features column 'features': row 7 has NaN at index 1", nan.getMessage());

    double[][] inf = randomRows(10, 3, 4);
    inf[2][0] = Double.NEGATIVE_INFINITY;
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SelfLabelTrainer.fit(frame(inf, 2), "features", config(2, "minibatch", 1, 5, 5)))
        .getMessage().contains("row 2 has an infinite value at index 0"));

    double[][] nulls = randomRows(10, 3, 4);
    nulls[8] = null;
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SelfLabelTrainer.fit(frame(nulls, 3), "features", config(2, "minibatch", 1, 5, 5)))
        .getMessage().contains("row 8 has a null vector"));

    double[][] ragged = randomRows(10, 3, 4);
    ragged[6] = new double[] {1, 2};
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SelfLabelTrainer.fit(frame(ragged, 2), "features", config(2, "minibatch", 1, 5, 5)))
        .getMessage().contains("row 6 has 2 values"));

    assertEquals("the input has no rows", assertThrows(IllegalArgumentException.class,
        () -> SelfLabelTrainer.fit(frame(new double[0][], 2), "features", config(2, "minibatch", 1, 5, 5)))
        .getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SelfLabelTrainer.fit(frame(randomRows(3, 2, 1), 2), "features", config(4, "minibatch", 1, 5, 5)))
        .getMessage().contains("k = 4"));
  }
}
