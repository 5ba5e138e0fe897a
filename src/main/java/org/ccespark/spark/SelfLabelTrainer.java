package org.ccespark.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.math.ClusterReseeding;
import org.ccespark.math.ExactPseudoLabels;
import org.ccespark.math.LinearSoftmax;
import org.ccespark.math.Optimizer;
import org.ccespark.math.PseudoLabelEm;
import org.ccespark.math.SelfLabelingLoss;
import org.ccespark.math.Softmax;
import org.ccespark.selflabel.BatchStep;
import org.ccespark.selflabel.Method;
import org.ccespark.selflabel.Schedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The distributed training loop of self-labeling clustering: the linear classifier
 * {@code σ = softmax(Wᵀf + b)} and the pseudo-labels {@code y} are optimised in turn, for the
 * objective named by {@link TrainingConfig#method()} ({@link Method}: CCE with EM on
 * eq. 11 — the default, described below — CCE with PGD on eq. 10, SeLa, MIADM, MIGD, or supervised
 * training on fixed soft targets). Every method shares this loop, the classifier, the batches and
 * the optimiser; only the pseudo-label solver and the classifier's loss differ. Rows with a given
 * label (semi-supervised mode, {@link #fit(Dataset, String, String, TrainingConfig)}) keep it as
 * their pseudo-label and add a weighted Shannon cross-entropy to the classifier's loss.
 * Features stay in the executors as cached blocks ({@link FeatureBlocks}); the driver holds
 * {@code W}, {@code b}, the optimiser and the rows of the batches it is stepping through.
 *
 * <h2>Schedules</h2>
 *
 * <ul>
 *   <li><b>{@code minibatch}</b> — Algorithm 2 of the paper. Which rows form each global
 *       mini-batch depends only on the seed, the epoch and the partitioning ({@link BatchPlan}),
 *       so one Spark job gathers the rows of many consecutive batches on the driver
 *       ({@link BatchChunk}, at most 32 MiB a job); for each batch the driver computes the
 *       logits, solves the pseudo-labels of the whole batch ({@link BatchStep}: {@code y} from
 *       {@code σ}, the method's solver — for {@code cce} the exact solver of eq. 11 by default),
 *       the gradient sums {@code Σ x_i g_iᵀ} of each partition's share, adds them in partition
 *       order, adds weight decay and takes one optimiser step. The fairness term is over the
 *       whole batch, so the partitioning changes only which rows are batched together, never
 *       the objective.</li>
 *   <li><b>{@code fulldata}</b> — per epoch, eq. 11 over all N points with the classifier fixed:
 *       with the default solver by the exact dual (one Spark job per pass over σ computed once
 *       per solve and cached, each partition returning {@link ExactPseudoLabels.Partial} sums at
 *       the driver's prices; the prices start from the previous epoch's solve, and are saved
 *       with a checkpoint),
 *       with {@code em}/{@code squarem} by the paper's plain EM (one job per iteration, partial
 *       column sums {@code Σ_i y_ik}, starting from the previous epoch's labels). The labels are
 *       checkpointed (lineage one step deep: reliably with a checkpoint directory, else on the
 *       executors in two copies) and held fixed while the epoch's mini-batch steps train the
 *       classifier (their rows and labels gathered as for {@code minibatch}). <i>Approximation:</i> {@code y} is not re-estimated between
 *       the epoch's steps (block-coordinate descent).</li>
 * </ul>
 *
 * <p>Determinism: batches depend only on the seed and the partitioning, and per-partition results
 * are collected in partition order and summed on the driver in that order, so the same seed, data
 * and partitioning give bit-identical classifiers. The random state of a run is therefore just
 * (seed, epoch): with a {@link TrainingCheckpoint} a run continues after any finished epoch to the
 * classifier of an uninterrupted run.
 */
public final class SelfLabelTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(SelfLabelTrainer.class);

  /** Within an epoch, progress is logged at most this often. */
  private static final long PROGRESS_NANOS = 10_000_000_000L;

  private SelfLabelTrainer() {}

  /**
   * Trains the classifier on the vectors of {@code featuresCol}.
   *
   * @throws IllegalArgumentException naming the row for a NaN, infinite, null or wrong-length
   *     vector, for empty input, or when there are fewer rows than clusters
   */
  public static TrainingResult fit(Dataset<Row> data, String featuresCol, TrainingConfig config) {
    return fit(data, featuresCol, null, config);
  }

  /**
   * Trains the classifier with the given label distributions of {@code labelCol} held fixed: a
   * number is a class index in {@code [0, k)} (semi-supervised seed label), a vector of length k a
   * soft target; null leaves the row unlabelled. Labelled rows keep their label as pseudo-label in
   * every solve and add {@code seedLabelWeight · H(label, σ)} (Shannon cross-entropy) to the
   * classifier's loss (paper, section 5.3 and appendix E.2). With the supervised methods of
   * {@link Method} every row must be labelled (Figure 2's soft targets), and the loss
   * is the method's cross-entropy with the targets alone ({@code seedLabelWeight} does not apply).
   *
   * @param labelCol the label column, or null for none
   * @throws IllegalArgumentException naming the row and column of an invalid vector or label, for
   *     empty input, fewer rows than clusters, a schedule the method does not support, or an
   *     unlabelled row under a supervised method
   */
  public static TrainingResult fit(Dataset<Row> data, String featuresCol, String labelCol,
      TrainingConfig config) {
    return fit(data, featuresCol, labelCol, config, null);
  }

  /**
   * As {@link #fit(Dataset, String, String, TrainingConfig)}, writing a checkpoint after every
   * epoch and, if the checkpoint was opened to resume, continuing from its latest epoch
   * ({@link TrainingCheckpoint}): the result is the same as that of an uninterrupted run.
   *
   * @param checkpoint where to checkpoint, or null for none
   * @throws IllegalArgumentException also when the checkpoint to resume from was written with other
   *     settings or data (naming the first difference)
   */
  public static TrainingResult fit(Dataset<Row> data, String featuresCol, String labelCol,
      TrainingConfig config, TrainingCheckpoint checkpoint) {
    long start = System.nanoTime();
    FeatureBlocks blocks = FeatureBlocks.cache(data, featuresCol, labelCol, config.k());
    try {
      boolean supervised = config.method().supervised();
      if (supervised && blocks.labelledRows < blocks.numRows) {
        throw new IllegalArgumentException("method '" + config.method() + "' needs a label on every"
            + " row, but " + (blocks.numRows - blocks.labelledRows) + " of " + blocks.numRows
            + " rows of " + (labelCol == null ? "the input have none (no label column)"
                : "label column '" + labelCol + "' are null"));
      }
      if (blocks.numRows < config.k()) {
        throw new IllegalArgumentException("k = " + config.k() + " clusters need at least as many rows, but the input has "
            + blocks.numRows);
      }
      return trainWithRestarts(data, featuresCol, blocks, config, checkpoint, start);
    } finally {
      blocks.unpersist();
    }
  }

  /**
   * Fits {@code restarts} times from the starts of seeds {@code seed, seed + 1, ...} on the same
   * cached blocks and keeps the fit with the lowest final full-data loss ({@link #finalLoss}; the
   * first on ties). The restarts run concurrently, as many at a time as the driver has cores
   * ({@link #concurrentRestarts}): a restart's steps run on the driver and its jobs share the
   * executors with the others'. Each restart computes exactly what it would alone, so the result
   * does not depend on how many run at once.
   */
  private static TrainingResult trainWithRestarts(Dataset<Row> data, String featuresCol,
      FeatureBlocks blocks, TrainingConfig config, TrainingCheckpoint checkpoint, long start) {
    int restarts = config.restarts();
    if (restarts > 1 && checkpoint != null) {
      throw new IllegalArgumentException("restarts = " + restarts + " cannot be combined with a"
          + " checkpoint directory (a checkpoint holds one fit); use restarts = 1 or no checkpoint");
    }
    if (restarts == 1) {
      return train(blocks, config, initialParams(data, featuresCol, blocks, config), checkpoint,
          start);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.rdd.context());
    TrainingResult[] results = new TrainingResult[restarts];
    double[] losses = new double[restarts];
    int threads = concurrentRestarts(restarts);
    LOG.info("{} restarts, {} at a time", restarts, threads);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
        threads, task -> {
          Thread t = new Thread(task, "cce-restart");
          t.setDaemon(true);
          return t;
        });
    List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    try {
      for (int r = 0; r < restarts; r++) {
        final int restart = r;
        running.add(pool.submit(() -> {
          TrainingConfig cfg = config.forRestart(restart);
          TrainingResult result = train(blocks, cfg,
              initialParams(data, featuresCol, blocks, cfg), null, start);
          losses[restart] = finalLoss(jsc, blocks, result, cfg);
          results[restart] = result;
          LOG.info("restart {}/{} (seed {}): final full-data loss {}", restart + 1, restarts,
              cfg.seed(), String.format("%.6f", losses[restart]));
        }));
      }
      for (java.util.concurrent.Future<?> f : running) {
        f.get();
      }
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("a restart failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fitting restarts", e);
    } finally {
      pool.shutdownNow();
    }
    int chosen = 0;
    for (int r = 1; r < restarts; r++) {
      if (losses[r] < losses[chosen]) {
        chosen = r;
      }
    }
    return TrainingResult.ofRestarts(results, losses, chosen, (System.nanoTime() - start) / 1e9);
  }

  /**
   * How many of {@code restarts} run at once: the driver's cores, at most the restarts (each
   * restart's mini-batch steps keep one driver core busy; their Spark jobs are short and
   * interleave on the executors).
   */
  static int concurrentRestarts(int restarts) {
    return Math.max(1, Math.min(restarts, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Rows above which the K-means start is fitted on a seeded sample of about this many: the
   * start needs the clusters' centres, not every row's (the training that follows sees every
   * row), and MLlib K-means to convergence over all rows would take as long as the K-means
   * baseline itself (measured at N = 1,000,000 × 256 on {@code local[2]}: 1,013 s).
   */
  static final long KMEANS_START_ROWS = 100_000;

  /**
   * The classifier's start as {@code [W (D×K row-major), b]}: Kaiming-uniform W and zero b
   * ({@code random}), or ({@code kmeans}) the nearest-centroid rule of MLlib K-means' centroids
   * {@code μ_k} fitted with the same seed: {@code z_k = s·(μ_kᵀx − ‖μ_k‖²/2)}, which ranks the
   * clusters as the distances do, with {@code s = 1 / (mean squared distance of a row to its
   * centroid)} so that the logits of a row differ by about one between its nearest centroids.
   * Above {@link #KMEANS_START_ROWS} rows, K-means runs on a seeded sample of about that many.
   */
  static double[] initialParams(Dataset<Row> data, String featuresCol, FeatureBlocks blocks,
      TrainingConfig cfg) {
    return initialParams(data, featuresCol, blocks, cfg, KMEANS_START_ROWS);
  }

  /** {@link #initialParams} with K-means on a sample of about {@code maxRows} above that. */
  static double[] initialParams(Dataset<Row> data, String featuresCol, FeatureBlocks blocks,
      TrainingConfig cfg, long maxRows) {
    int dim = blocks.dim;
    int k = cfg.k();
    double[] params = new double[dim * k + k];
    if (!"kmeans".equals(cfg.init())) {
      System.arraycopy(LinearSoftmax.kaimingWeights(dim, k, cfg.seed()), 0, params, 0, dim * k);
      return params;
    }
    Dataset<Row> rows = blocks.numRows <= maxRows ? data
        : data.sample(false, maxRows / (double) blocks.numRows, cfg.seed());
    org.apache.spark.ml.clustering.KMeansModel km = new org.apache.spark.ml.clustering.KMeans()
        .setK(k).setSeed(cfg.seed()).setFeaturesCol(featuresCol).fit(rows);
    long fitted = 0;
    for (long size : km.summary().clusterSizes()) {
      fitted += size;
    }
    double meanSq = km.summary().trainingCost() / Math.max(1, fitted);
    double s = meanSq > 0 && Double.isFinite(meanSq) ? 1 / meanSq : 1;
    org.apache.spark.ml.linalg.Vector[] centres = km.clusterCenters();
    double lowest = 0;
    for (int c = 0; c < k; c++) {
      double[] mu = c < centres.length ? centres[c].toArray() : new double[dim];
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        params[d * k + c] = s * mu[d];
        norm += mu[d] * mu[d];
      }
      params[dim * k + c] = -s * norm / 2;
      lowest = Math.min(lowest, params[dim * k + c]);
    }
    for (int c = centres.length; c < k; c++) { // K-means found fewer distinct centres than k
      params[dim * k + c] = lowest - 10;
    }
    return params;
  }

  /**
   * The loss by which restarts are compared: for {@code cce}, {@code L_CCE+} of eq. 11 over all N
   * rows with the final classifier and the pseudo-labels solved exactly over all of them
   * ({@link #fullDataLabels}); for the other methods, the last epoch's mean loss.
   */
  static double finalLoss(JavaSparkContext jsc, FeatureBlocks blocks, TrainingResult result,
      TrainingConfig cfg) {
    double[] epochs = result.lossPerEpoch();
    if (cfg.method() != Method.CCE || cfg.lambda() == 0) {
      return epochs.length == 0 ? Double.NaN : epochs[epochs.length - 1];
    }
    double[] params = new double[result.weights().length + result.k()];
    System.arraycopy(result.weights(), 0, params, 0, result.weights().length);
    System.arraycopy(result.bias(), 0, params, result.weights().length, result.k());
    return fullDataSolve(jsc, blocks, params, cfg, null).primal();
  }

  /**
   * Eq. 11 over all N rows with the classifier {@code params} fixed, solved by the exact dual
   * solver over σ computed once ({@link #sigmaBlocks}, unpersisted before this returns, as is the
   * broadcast classifier): one Spark job per pass, each partition evaluating its rows at the
   * driver's prices ({@link #evaluateSigma}).
   *
   * @param startPrices the prices to start from (a previous solve's), or null for {@code λ·1}
   */
  static ExactPseudoLabels.Result fullDataSolve(JavaSparkContext jsc, FeatureBlocks blocks,
      double[] params, TrainingConfig cfg, double[] startPrices) {
    Broadcast<double[]> bp = jsc.broadcast(params);
    JavaRDD<double[][]> sigma = sigmaBlocks(blocks, bp, blocks.dim, cfg.k());
    try {
      return solveDual(sigma, blocks.numRows, cfg, startPrices, ExactPseudoLabels.DEFAULT_MAX_ITER);
    } finally {
      sigma.unpersist(false);
      bp.destroy();
    }
  }

  /**
   * σ = softmax(Wᵀf + b) of every row under the broadcast classifier, with the given labels: per
   * partition, {@code [σ of block 0, given labels of block 0, σ of block 1, ...]}, each σ
   * {@code rows × K}, each given-label array {@code rows × K} with {@code NaN} first in a free
   * row's place (empty without a target column). Persisted {@code MEMORY_AND_DISK} and computed by
   * the first job on it, so that the passes of a full-data solve cost {@code O(NK)} (the envelope
   * walks) instead of {@code O(NDK)} each; the caller unpersists it.
   */
  private static JavaRDD<double[][]> sigmaBlocks(FeatureBlocks blocks, Broadcast<double[]> bp,
      int dim, int k) {
    return blocks.rdd.map(part -> {
      double[] params = bp.value();
      double[] b = Arrays.copyOfRange(params, dim * k, params.length);
      double[][] out = new double[2 * part.blocks.length][];
      for (int j = 0; j < part.blocks.length; j++) {
        int rows = part.blockRows(j);
        out[2 * j] = new double[rows * k];
        LinearSoftmax.probabilities(params, b, dim, k, part.blocks[j], 0, rows, out[2 * j]);
        out[2 * j + 1] = new double[part.targets == null ? 0 : rows * k];
        for (int i = 0; part.targets != null && i < rows; i++) {
          if (!part.copyTarget(j * PartitionData.BLOCK_ROWS + i, k, out[2 * j + 1], i * k)) {
            out[2 * j + 1][i * k] = Double.NaN; // a free row
          }
        }
      }
      return out;
    }).persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * Newton on the dual prices ({@link ExactPseudoLabels#solveDual}) over the cached σ of
   * {@link #sigmaBlocks}: each pass is one Spark job whose partitions return their
   * {@link ExactPseudoLabels.Partial} sums at the driver's prices, merged in partition order.
   */
  private static ExactPseudoLabels.Result solveDual(JavaRDD<double[][]> sigma, long n,
      TrainingConfig cfg, double[] startPrices, int maxIter) {
    int k = cfg.k();
    double[] start = startPrices != null ? startPrices : filled(k, cfg.lambda());
    return ExactPseudoLabels.solveDual(k, cfg.lambda(), n, c -> {
      List<ExactPseudoLabels.Partial> parts =
          sigma.map(part -> evaluateSigma(part, k, c, null)).collect();
      ExactPseudoLabels.Partial total = new ExactPseudoLabels.Partial(k);
      for (ExactPseudoLabels.Partial p : parts) {
        total.merge(p);
      }
      return total;
    }, start, maxIter, ExactPseudoLabels.DEFAULT_TOL);
  }

  /**
   * Largest {@code N·K} for which {@code fulldata} solves eq. 11 on the driver where the
   * distributed dual stalls (σ, the labels and the interior-point method's state, about 10 arrays
   * of N·K doubles: 160 MB at the limit).
   */
  static final long LOCAL_FULL_DATA = 2_000_000L;

  /**
   * Newton iterations of the distributed dual (at least one Spark job each) after which
   * {@code fulldata} hands a solve that has not converged to the driver, where it can
   * ({@link #LOCAL_FULL_DATA}): a degenerate optimum stalls the dual, which then ran its
   * {@value ExactPseudoLabels#DEFAULT_MAX_ITER} iterations (about 145 jobs at N = 100,000, K = 10)
   * before the same hand-over. As {@link ExactPseudoLabels#solve} hands over to its
   * interior-point method after 30 passes.
   */
  static final int DUAL_ITERATIONS_BEFORE_DRIVER = 30;

  /**
   * Eq. 11 over all rows solved on the driver ({@link ExactPseudoLabels#solve}, interior-point
   * method included): the cached σ and given labels ({@link #sigmaBlocks}) are collected in
   * partition order, and the labels are returned per partition, concatenated over its blocks.
   */
  private static double[][] solveOnDriver(JavaRDD<double[][]> sigmaBlocks, int k, double lambda,
      ExactPseudoLabels.Result[] result) {
    // per partition: [σ of block 0, given labels of block 0 (empty if none), σ of block 1, ...]
    List<double[][]> parts = sigmaBlocks.collect();
    int n = 0;
    for (double[][] part : parts) {
      for (int j = 0; j < part.length; j += 2) {
        n += part[j].length / k;
      }
    }
    double[] sigma = new double[n * k];
    double[] y = new double[n * k];
    boolean[] fixed = new boolean[n];
    int row = 0;
    for (double[][] part : parts) {
      for (int j = 0; j < part.length; j += 2) {
        int rows = part[j].length / k;
        System.arraycopy(part[j], 0, sigma, row * k, rows * k);
        for (int i = 0; i < rows && part[j + 1].length > 0; i++) {
          if (!Double.isNaN(part[j + 1][i * k])) {
            fixed[row + i] = true;
            System.arraycopy(part[j + 1], i * k, y, (row + i) * k, k);
          }
        }
        row += rows;
      }
    }
    result[0] = ExactPseudoLabels.solve(sigma, y, n, k, fixed, lambda, null,
        ExactPseudoLabels.DEFAULT_MAX_ITER, ExactPseudoLabels.DEFAULT_TOL);
    double[][] out = new double[parts.size()][];
    row = 0;
    for (int p = 0; p < out.length; p++) {
      int size = 0;
      for (int j = 0; j < parts.get(p).length; j += 2) {
        size += parts.get(p)[j].length;
      }
      out[p] = Arrays.copyOfRange(y, row * k, row * k + size);
      row += size / k;
    }
    return out;
  }

  /**
   * A partition's rows at prices {@code c}, from its cached σ and given labels
   * ({@link #sigmaBlocks}; given labels fixed): the envelope walks only. Writes the pseudo-labels
   * per block into {@code labelsOut} (length: the partition's blocks) if not null.
   */
  private static ExactPseudoLabels.Partial evaluateSigma(double[][] part, int k, double[] c,
      double[][] labelsOut) {
    ExactPseudoLabels.Partial into = new ExactPseudoLabels.Partial(k);
    for (int j = 0; j < part.length / 2; j++) {
      double[] sigma = part[2 * j];
      double[] given = part[2 * j + 1].length == 0 ? null : part[2 * j + 1];
      int rows = sigma.length / k;
      boolean[] fixed = null;
      if (given != null) {
        fixed = new boolean[rows];
        for (int i = 0; i < rows; i++) {
          fixed[i] = !Double.isNaN(given[i * k]);
        }
      }
      double[] y = labelsOut == null ? null : new double[rows * k];
      ExactPseudoLabels.evaluate(sigma, 0, rows, k, c, given, fixed, y, into);
      if (y != null) {
        for (int i = 0; fixed != null && i < rows; i++) {
          if (fixed[i]) {
            System.arraycopy(given, i * k, y, i * k, k);
          }
        }
        labelsOut[j] = y;
      }
    }
    return into;
  }

  /** {@code params / t}, or {@code params} itself when {@code t} is 1. */
  private static double[] scaled(double[] params, double t) {
    if (t == 1) {
      return params;
    }
    double[] out = new double[params.length];
    for (int j = 0; j < params.length; j++) {
      out[j] = params[j] / t;
    }
    return out;
  }

  private static double[] filled(int k, double v) {
    double[] out = new double[k];
    Arrays.fill(out, v);
    return out;
  }

  private static TrainingResult train(FeatureBlocks blocks, TrainingConfig given, double[] init,
      TrainingCheckpoint checkpoint, long start) {
    final TrainingConfig cfg = perLabelledRow(given, blocks);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.rdd.context());
    final int dim = blocks.dim;
    final int k = cfg.k();
    final double[] params = init.clone();
    Optimizer optimizer = cfg.optimizer().create(params.length, cfg.stepSize(), cfg.momentum());
    int numBatches = BatchPlan.numBatches(blocks.numRows, cfg.batchSize());
    boolean fullData = cfg.schedule() == Schedule.FULLDATA;
    double[] lossPerEpoch = new double[cfg.epochs()];
    double[] emPerEpoch = new double[cfg.epochs()];
    LOG.info("training {} on {} rows x {} features ({} labelled), k = {}, lambda = {}, schedule {},"
        + " {} partitions, {} batches per epoch", cfg.method(), blocks.numRows, dim,
        blocks.labelledRows, k, cfg.lambda(), cfg.schedule(), blocks.partitionRows.length,
        numBatches);

    JavaRDD<double[][]> previousLabels = null;
    // fulldata with the exact solver: the last solve's dual prices, the next solve's start
    double[] prices = null;
    int firstEpoch = 0;
    Map<String, String> fingerprint = checkpoint == null ? null
        : TrainingCheckpoint.fingerprint(given, blocks);
    TrainingCheckpoint.Restored restored = checkpoint == null ? null
        : checkpoint.restore(jsc, blocks, fingerprint);
    if (restored != null) {
      TrainingCheckpoint.State state = restored.state();
      firstEpoch = state.epochs();
      System.arraycopy(state.params(), 0, params, 0, params.length);
      optimizer = state.optimizer();
      System.arraycopy(state.lossPerEpoch(), 0, lossPerEpoch, 0, firstEpoch);
      System.arraycopy(state.emPerEpoch(), 0, emPerEpoch, 0, firstEpoch);
      previousLabels = restored.labels();
      prices = state.prices() == null ? null : state.prices().clone();
      LOG.info("resumed from epoch {} of {} (checkpoint in {})", firstEpoch, cfg.epochs(),
          checkpoint.path());
    }
    for (int epoch = firstEpoch; epoch < cfg.epochs(); epoch++) {
      long epochStart = System.nanoTime();
      // Temperature T: the classifier σ = softmax(z / T) is the one with parameters params / T
      // (z is linear in them), and the loss's gradient with respect to params is 1/T times the
      // gradient at params / T.
      final double t = cfg.temperatureAt(epoch);
      FullDataEm em = fullData
          ? fullDataEm(jsc, blocks, scaled(params, t), cfg, previousLabels, prices) : null;
      JavaRDD<double[][]> labels = em == null ? null : em.labels();
      double epochLoss = em == null ? 0 : em.loss();
      double epochEm = em == null ? 0 : em.iterations();
      double lossSum = 0;
      double emSum = 0;
      double solves = 0;
      PseudoLabelShares labelStats = new PseudoLabelShares(k);
      long lastReport = System.nanoTime();
      BatchChunk chunk = null;
      for (int batch = 0; batch < numBatches; batch++) {
        if (System.nanoTime() - lastReport > PROGRESS_NANOS) {
          lastReport = System.nanoTime();
          LOG.info("epoch {}/{}: batch {}/{}", epoch + 1, cfg.epochs(), batch, numBatches);
        }
        if (chunk == null || batch >= chunk.end) {
          chunk = BatchChunk.fetch(blocks, labels, cfg, epoch, batch, numBatches,
              BatchChunk.MAX_BYTES);
        }
        StepSums total = step(chunk, batch, scaled(params, t), dim, cfg, labelStats);
        double count = total.rows;
        if (count == 0) {
          continue;
        }
        lossSum += total.loss;
        emSum += total.solverIterations;
        solves += total.solves;
        double[] grad = new double[params.length];
        for (int j = 0; j < params.length; j++) {
          grad[j] = total.gradient[j] / count / t;
        }
        for (int j = 0; j < dim * k; j++) {
          grad[j] += cfg.weightDecay() * params[j];
        }
        optimizer.step(params, grad);
      }
      if (em != null) {
        previousLabels = em.labels();
        prices = em.prices();
      } else {
        epochLoss = lossSum / blocks.numRows;
        epochEm = solves == 0 ? 0 : emSum / solves;
      }
      lossPerEpoch[epoch] = epochLoss;
      emPerEpoch[epoch] = epochEm;
      LOG.info("epoch {}/{}: loss {}, solver iterations {}, {} s{}", epoch + 1, cfg.epochs(),
          String.format("%.6f", epochLoss), String.format("%.1f", epochEm),
          String.format("%.1f", (System.nanoTime() - epochStart) / 1e9),
          t == 1 ? "" : String.format(", temperature %.3g", t));
      if (labelStats.any()) {
        LOG.info("epoch {}/{}: pseudo-labels by argmax {}, {} mixed (largest entry below {});"
            + " pseudo-label mass per cluster {}", epoch + 1, cfg.epochs(),
            PseudoLabelShares.rounded(labelStats.byArgmax), Math.round(labelStats.mixed),
            PseudoLabelShares.MIXED_BELOW, PseudoLabelShares.rounded(labelStats.mass));
      }
      if (cfg.method() == Method.CCE && cfg.lambda() > 0 && labelStats.any()
          && epoch < cfg.epochs() - 2) {
        // a cluster the classifier let die is split off the largest one (ClusterReseeding)
        for (ClusterReseeding.Reseed r : ClusterReseeding.reseed(params, dim, k,
            labelStats.byArgmax, cfg.seed(), epoch)) {
          LOG.info("epoch {}/{}: cluster {} was the most likely pseudo-label of {} rows; re-seeded"
              + " by splitting cluster {} ({} rows)", epoch + 1, cfg.epochs(), r.cluster(),
              Math.round(r.rows()), r.from(), Math.round(r.fromRows()));
        }
      }
      if (checkpoint != null) {
        checkpoint.save(jsc, new TrainingCheckpoint.State(fingerprint, epoch + 1, params.clone(),
            optimizer, Arrays.copyOf(lossPerEpoch, epoch + 1), Arrays.copyOf(emPerEpoch, epoch + 1),
            previousLabels != null, prices == null ? null : prices.clone()), previousLabels);
      }
    }
    if (previousLabels != null) {
      release(jsc, previousLabels);
    }
    long[] sizes = clusterSizes(jsc, blocks, params, k);
    double[] w = Arrays.copyOf(params, dim * k);
    double[] b = Arrays.copyOfRange(params, dim * k, params.length);
    return TrainingResult.single(dim, k, w, b, lossPerEpoch, emPerEpoch, sizes, blocks.numRows,
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * One optimiser step on the driver, from the batch's rows in {@code chunk}: returns the rows,
   * loss, solver iterations, solves and loss gradient summed over the global batch (the solved
   * pseudo-labels are added to {@code labelStats}).
   *
   * <p>Schedule {@code minibatch}: the logits of each partition's share under the classifier,
   * put together in partition order; the pseudo-labels of the <i>whole</i> batch
   * ({@link BatchStep}, the same code as the deep trainer's), so the objective is the paper's
   * whatever the partitioning; then each share's gradient sums {@code Σ x_i g_iᵀ}, added in
   * partition order. Schedule {@code fulldata}: each share with {@code y} from the epoch's
   * full-data solve, its loss and gradient sums added in partition order.
   */
  private static StepSums step(BatchChunk chunk, int batch, double[] params, int dim,
      TrainingConfig cfg, PseudoLabelShares labelStats) {
    List<BatchChunk.Share> shares = chunk.batch(batch);
    int k = cfg.k();
    // The seed-label term belongs to the semi-supervised clustering methods; a supervised
    // objective's loss already is its cross-entropy with the given targets.
    double seedWeight = cfg.method().clustering()
        ? cfg.seedLabelWeight() : 0;
    double[] b = Arrays.copyOfRange(params, dim * k, params.length);
    if (shares.get(0).y != null) {
      List<StepSums> parts = new ArrayList<>(shares.size());
      for (BatchChunk.Share sh : shares) {
        parts.add(shareGradient(sh, params, b, dim, cfg, seedWeight));
      }
      return StepSums.sumInOrder(parts);
    }
    int m = 0;
    boolean anyGiven = false;
    for (BatchChunk.Share sh : shares) {
      m += sh.rows;
      anyGiven |= sh.given != null;
    }
    StepSums out = new StepSums(params.length);
    if (m == 0) {
      return out;
    }
    double[] z = new double[m * k];
    double[] given = anyGiven ? new double[m * k] : null;
    boolean[] fixed = anyGiven ? new boolean[m] : null;
    int at = 0;
    for (BatchChunk.Share sh : shares) {
      double[] zs = new double[sh.rows * k];
      LinearSoftmax.logits(params, b, dim, k, sh.x, 0, sh.rows, zs);
      System.arraycopy(zs, 0, z, at * k, zs.length);
      if (sh.given != null) {
        System.arraycopy(sh.given, 0, given, at * k, sh.rows * k);
        System.arraycopy(sh.fixed, 0, fixed, at, sh.rows);
      }
      at += sh.rows;
    }
    double[] sigma = new double[m * k];
    double[] y = new double[m * k];
    double[] g = new double[m * k];
    BatchStep.Result result = BatchStep.run(cfg.objective(), seedWeight, z, m, k, given, fixed,
        true, sigma, y, g);
    if (result.solved()) {
      labelStats.add(y, m, k);
    }
    List<StepSums> parts = new ArrayList<>(shares.size());
    at = 0;
    for (BatchChunk.Share sh : shares) {
      StepSums sums = new StepSums(params.length);
      if (sh.rows > 0) {
        double[] gw = new double[dim * k];
        double[] gb = new double[k];
        double[] slice = Arrays.copyOfRange(g, at * k, (at + sh.rows) * k);
        LinearSoftmax.accumulateGradient(dim, k, sh.x, 0, sh.rows, slice, gw, gb);
        System.arraycopy(gw, 0, sums.gradient, 0, gw.length);
        System.arraycopy(gb, 0, sums.gradient, gw.length, k);
      }
      parts.add(sums);
      at += sh.rows;
    }
    StepSums sums = StepSums.sumInOrder(parts);
    out.rows = m;
    out.loss = result.loss();
    out.solverIterations = result.iterations();
    out.solves = result.solved() ? 1 : 0;
    System.arraycopy(sums.gradient, 0, out.gradient, 0, params.length);
    return out;
  }

  /**
   * {@code cfg} with its seed-label weight spread over the labelled rows: the semi-supervised
   * term is {@code seedLabelWeight} times the mean Shannon cross-entropy over the labelled rows
   * (the paper adds the standard cross-entropy of the labelled data to the self-labeling loss),
   * while the batch loss is a mean over all the batch's rows, so each labelled row's
   * cross-entropy enters it with weight {@code seedLabelWeight · N / N_labelled}: in expectation
   * over the batches, the batch's seed term is then {@code seedLabelWeight} times the mean over
   * its labelled rows, whatever the fraction of labelled rows.
   */
  static TrainingConfig perLabelledRow(TrainingConfig cfg, FeatureBlocks blocks) {
    if (blocks.labelledRows == 0 || !cfg.method().clustering()) {
      return cfg;
    }
    return cfg.withSeedLabelWeight(
        cfg.seedLabelWeight() * blocks.numRows / (double) blocks.labelledRows);
  }

  /**
   * A partition's share of a {@code fulldata} step: {@code σ} of its rows, {@code y} from the
   * epoch's full-data solve (labelled rows fixed to their label), and its rows, loss (mean times
   * rows) and loss gradient, where the classifier's loss is the method's plus {@code seedLabelWeight · H(label, σ)} on labelled rows.
   */
  private static StepSums shareGradient(BatchChunk.Share sh, double[] w, double[] b, int dim,
      TrainingConfig cfg, double seedWeight) {
    int k = cfg.k();
    int m = sh.rows;
    StepSums out = new StepSums(w.length);
    if (m == 0) {
      return out;
    }
    double[] z = new double[m * k];
    LinearSoftmax.logits(w, b, dim, k, sh.x, 0, m, z); // W occupies [0, dim*k) of w
    double[] sigma = new double[m * k];
    double[] g = new double[m * k];
    double[] y = sh.y.clone();
    BatchStep.Result step = BatchStep.run(cfg.objective(), seedWeight, z, m, k, sh.given,
        sh.fixed, false, sigma, y, g);
    out.solverIterations = step.iterations();
    out.solves = step.solved() ? 1 : 0;
    out.loss = step.loss();
    double[] gw = new double[dim * k];
    double[] gb = new double[k];
    LinearSoftmax.accumulateGradient(dim, k, sh.x, 0, m, g, gw, gb);
    out.rows = m;
    System.arraycopy(gw, 0, out.gradient, 0, gw.length);
    System.arraycopy(gb, 0, out.gradient, gw.length, k);
    return out;
  }

  /**
   * The pseudo-labels of an epoch of the {@code fulldata} schedule, one {@code double[]} per
   * feature block, checkpointed (no lineage): {@link #release} when done.
   *
   * @param loss {@code L_CCE+} of eq. 11 at the labels
   * @param iterations dual passes (exact solver) or EM iterations
   * @param prices the exact solver's final dual prices, from which the next epoch's solve starts;
   *     null for EM
   */
  record FullDataEm(JavaRDD<double[][]> labels, double loss, int iterations, double[] prices) {}

  /**
   * Eq. 11 over all N points with the classifier fixed; the labels from {@code start} (the previous
   * epoch's, or null) are unpersisted. With the exact solver ({@code solver = exact}, λ &gt; 0):
   * σ is computed once and cached for the solve ({@link #sigmaBlocks}); Newton on the dual
   * prices runs one Spark job per pass over it, starting from {@code startPrices} (the previous
   * epoch's prices: the classifier changes little between epochs, so the solve starts near its
   * optimum and needs fewer passes) or {@code λ·1}; the labels at the final prices are
   * computed by one more job and checkpointed, and σ is unpersisted. With EM: σ once, then one pass
   * per EM iteration that applies the M-step with the global column sums of the previous pass and
   * returns the new sums, starting from {@code start} or, in the first epoch, from σ. Each iterate
   * is checkpointed when computed, so the lineage stays one step deep however many iterations run,
   * and nothing is left cached but the labels once this returns.
   */
  static FullDataEm fullDataEm(JavaSparkContext jsc, FeatureBlocks blocks, double[] params,
      TrainingConfig cfg, JavaRDD<double[][]> start, double[] startPrices) {
    int dim = blocks.dim;
    int k = cfg.k();
    long n = blocks.numRows;
    if ("exact".equals(cfg.solver()) && cfg.lambda() > 0) {
      // eq. 11 over all rows by the dual solver over σ computed once (one job per pass, the first
      // of which caches σ), then the labels at the prices
      Broadcast<double[]> bp = jsc.broadcast(params);
      JavaRDD<double[][]> sigma = sigmaBlocks(blocks, bp, dim, k);
      boolean onDriver = n * k <= LOCAL_FULL_DATA;
      ExactPseudoLabels.Result r = solveDual(sigma, n, cfg, startPrices,
          onDriver ? DUAL_ITERATIONS_BEFORE_DRIVER : ExactPseudoLabels.DEFAULT_MAX_ITER);
      int distributedPasses = r.passes();
      boolean collected = false;
      double[] prices = r.prices();
      double[][] local = null;
      if (!r.converged() && onDriver) {
        // the dual stalled (a degenerate optimum): solve on the driver, where the interior-point
        // method is, if it is certified closer to the optimum
        ExactPseudoLabels.Result[] solved = new ExactPseudoLabels.Result[1];
        local = solveOnDriver(sigma, k, cfg.lambda(), solved);
        if (solved[0].gap() < r.gap()) {
          LOG.info("full-data pseudo-labels: the distributed dual stalled ({} passes, gap {});"
              + " solved on the driver: {} passes, gap {}", r.passes(), r.gap(),
              solved[0].passes(), solved[0].gap());
          r = solved[0];
        } else {
          local = null;
        }
        collected = true;
      }
      Broadcast<double[][]> bl = local == null ? null : jsc.broadcast(local);
      JavaRDD<double[][]> labels = sigma.mapPartitionsWithIndex((index, parts) -> {
        List<double[][]> out = new ArrayList<>();
        while (parts.hasNext()) {
          double[][] part = parts.next();
          double[][] y = new double[part.length / 2][];
          if (bl == null) {
            evaluateSigma(part, k, prices, y);
          } else {
            double[] all = bl.value()[index];
            int at = 0;
            for (int j = 0; j < y.length; j++) {
              y[j] = Arrays.copyOfRange(all, at, at + part[2 * j].length);
              at += y[j].length;
            }
          }
          out.add(y);
        }
        return out.iterator();
      }, true);
      cutLineage(jsc, labels);
      labels.count();
      // the labels are checkpointed now: σ is no longer needed
      sigma.unpersist(false);
      bp.unpersist(false); // not destroyed: the checkpointed labels' closure still refers to it
      if (bl != null) {
        bl.unpersist(false);
      }
      if (start != null) {
        release(jsc, start);
      }
      LOG.info("full-data pseudo-labels: {} passes, converged {}, L_CCE+ {}; Spark jobs: {}"
          + " distributed dual passes,{} one for the labels", r.passes(), r.converged(),
          String.format("%.6f", r.primal()), distributedPasses,
          collected ? " one collecting σ to the driver," : "");
      return new FullDataEm(labels, r.primal(), r.passes(), r.prices());
    }
    Broadcast<double[]> bc = jsc.broadcast(params);
    JavaRDD<double[][]> sigma = blocks.rdd.map(part -> {
      double[] p = bc.value();
      double[] b = Arrays.copyOfRange(p, dim * k, p.length);
      double[][] out = new double[part.blocks.length][];
      for (int j = 0; j < out.length; j++) {
        int rows = part.blockRows(j);
        out[j] = new double[rows * k];
        LinearSoftmax.probabilities(p, b, dim, k, part.blocks[j], 0, rows, out[j]);
      }
      return out;
    }).persist(StorageLevel.MEMORY_AND_DISK());
    // the start's column sums and mean H2 come from one pass (which also caches σ)
    JavaRDD<double[][]> y = start != null ? start : blocks.labelledRows == 0 ? sigma
        : sigma.zip(blocks.rdd).map(t -> withGivenLabels(t._1(), t._2(), k));
    LabelSums stats = LabelSums.sumInOrder(
        sigma.zip(y).map(t -> labelStats(t._1(), t._2(), k, 0)).collect());
    int it = 0;
    double maxChange = Double.POSITIVE_INFINITY;
    while (it < cfg.emMaxIter() && maxChange > cfg.emTol()) {
      double[] colSums = stats.columnSums.clone();
      JavaRDD<double[][]> next = sigma.zip(y).zip(blocks.rdd).map(triple -> {
        double[][] s = triple._1()._1();
        double[][] prev = triple._1()._2();
        double[][] out = new double[s.length][];
        double[] scratch = new double[3 * k];
        double[] change = new double[2];
        for (int j = 0; j < s.length; j++) {
          out[j] = prev[j].clone();
          PseudoLabelEm.mStep(s[j], out[j], out[j].length / k, k, cfg.lambda(), n, colSums, scratch, change);
        }
        // labelled rows keep their labels: the M-step is per point, so this is EM on the others
        return withGivenLabels(out, triple._2(), k);
      });
      cutLineage(jsc, next);
      JavaRDD<double[][]> prevY = y;
      stats = LabelSums.sumInOrder(sigma.zip(next).zip(prevY).map(t -> labelStats(t._1()._1(),
          t._1()._2(), k, maxAbsDiff(t._1()._2(), t._2()))).collect());
      if (prevY != sigma) {
        release(jsc, prevY);
      }
      y = next;
      maxChange = stats.maxChange;
      it++;
    }
    double meanH2 = stats.collision / n;
    double[] mean = new double[k];
    for (int c = 0; c < k; c++) {
      mean[c] = stats.columnSums[c] / n;
    }
    double loss = meanH2 + (cfg.lambda() == 0 ? 0 : cfg.lambda() * SelfLabelingLoss.klUniformTo(mean));
    sigma.unpersist(false);
    bc.destroy();
    return new FullDataEm(y, loss, it, null);
  }

  /**
   * Cuts the lineage of an EM iterate (computed by the next job on it) so that it stays one step
   * deep, in a way that survives the loss of an executor: with a checkpoint directory
   * ({@code spark.checkpoint.dir} or {@code SparkContext.setCheckpointDir}) the iterate is written
   * there (reliable checkpoint: any number of executors may be lost); without one it is kept on
   * the executors (local checkpoint, memory and disk), in two copies on two executors when there
   * are at least two, so that losing one executor at a time loses no iterate. A local checkpoint
   * whose every copy is lost cannot be recomputed: Spark then fails the job ("Checkpoint block ...
   * not found").
   */
  static void cutLineage(JavaSparkContext jsc, JavaRDD<double[][]> iterate) {
    if (jsc.getCheckpointDir().isPresent()) {
      iterate.persist(StorageLevel.MEMORY_AND_DISK());
      iterate.rdd().checkpoint();
    } else {
      // the status tracker lists the driver too
      boolean twoExecutors = jsc.sc().statusTracker().getExecutorInfos().length > 2;
      iterate.persist(twoExecutors ? StorageLevel.MEMORY_AND_DISK_2() : StorageLevel.MEMORY_AND_DISK());
      iterate.rdd().localCheckpoint();
    }
  }

  /** Unpersists an EM iterate and deletes its reliable checkpoint files, if it has any. */
  private static void release(JavaSparkContext jsc, JavaRDD<double[][]> iterate) {
    iterate.unpersist(false);
    Option<String> file = iterate.rdd().getCheckpointFile();
    if (file.isDefined()) {
      Path path = new Path(file.get());
      try {
        path.getFileSystem(jsc.hadoopConfiguration()).delete(path, true);
      } catch (IOException e) {
        LOG.warn("could not delete the checkpoint {} of an EM iterate: {}", path, e.toString());
      }
    }
  }

  /** Overwrites the rows of {@code y} that have a given label with it; returns {@code y}. */
  private static double[][] withGivenLabels(double[][] y, PartitionData part, int k) {
    if (part.targets == null) {
      return y;
    }
    double[][] out = new double[y.length][];
    for (int j = 0; j < y.length; j++) {
      out[j] = y[j].clone();
      for (int i = 0; i < out[j].length / k; i++) {
        part.copyTarget(j * PartitionData.BLOCK_ROWS + i, k, out[j], i * k);
      }
    }
    return out;
  }

  /** A partition's {@link LabelSums}. */
  private static LabelSums labelStats(double[][] sigma, double[][] y, int k, double maxChange) {
    LabelSums out = new LabelSums(k);
    for (int j = 0; j < sigma.length; j++) {
      int rows = sigma[j].length / k;
      out.rows += rows;
      out.collision += SelfLabelingLoss.meanCollision(sigma[j], y[j], rows, k) * rows;
      PseudoLabelEm.addColumnSums(y[j], rows, k, out.columnSums);
    }
    out.maxChange = maxChange;
    return out;
  }

  private static double maxAbsDiff(double[][] a, double[][] b) {
    double m = 0;
    for (int j = 0; j < a.length; j++) {
      for (int i = 0; i < a[j].length; i++) {
        m = Math.max(m, Math.abs(a[j][i] - b[j][i]));
      }
    }
    return m;
  }

  /** Rows per cluster under the final classifier (argmax σ, lowest index on ties). */
  private static long[] clusterSizes(JavaSparkContext jsc, FeatureBlocks blocks, double[] params, int k) {
    int dim = blocks.dim;
    Broadcast<double[]> bc = jsc.broadcast(params);
    List<double[]> parts = blocks.rdd.map(part -> {
      double[] p = bc.value();
      double[] b = Arrays.copyOfRange(p, dim * k, p.length);
      double[] counts = new double[k];
      for (int j = 0; j < part.blocks.length; j++) {
        int rows = part.blockRows(j);
        double[] z = new double[rows * k];
        LinearSoftmax.logits(p, b, dim, k, part.blocks[j], 0, rows, z);
        for (int i = 0; i < rows; i++) {
          counts[Softmax.argmax(z, i * k, k)]++;
        }
      }
      return counts;
    }).collect();
    bc.destroy();
    double[] total = sumInOrder(parts);
    long[] sizes = new long[k];
    for (int c = 0; c < k; c++) {
      sizes[c] = Math.round(total[c]);
    }
    return sizes;
  }

  /** Element-wise sum in list (= partition) order. */
  private static double[] sumInOrder(List<double[]> parts) {
    double[] total = parts.get(0).clone();
    for (int p = 1; p < parts.size(); p++) {
      double[] a = parts.get(p);
      for (int j = 0; j < total.length; j++) {
        total[j] += a[j];
      }
    }
    return total;
  }

  private static <T> Iterator<T> single(T value) {
    return Collections.singletonList(value).iterator();
  }
}
