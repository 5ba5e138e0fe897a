package org.ccespark.spark;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.math.LinearSoftmax;
import org.ccespark.math.Optimizer;
import org.ccespark.math.PseudoLabelEm;
import org.ccespark.math.SelfLabelingLoss;
import org.ccespark.math.Softmax;
import org.ccespark.selflabel.BatchStep;
import org.ccespark.selflabel.SelfLabelingMethods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The distributed training loop of self-labeling clustering: the linear classifier
 * {@code σ = softmax(Wᵀf + b)} and the pseudo-labels {@code y} are optimised in turn, for the
 * objective named by {@link TrainingConfig#method()} ({@link SelfLabelingMethods}: CCE with EM on
 * eq. 11 — the default, described below — CCE with PGD on eq. 10, SeLa, MIADM, MIGD, or supervised
 * training on fixed soft targets). Every method shares this loop, the classifier, the batches and
 * the optimiser; only the pseudo-label solver and the classifier's loss differ. Rows with a given
 * label (semi-supervised mode, {@link #fit(Dataset, String, String, TrainingConfig)}) keep it as
 * their pseudo-label and add a weighted Shannon cross-entropy to the classifier's loss.
 * Features stay in the executors as cached blocks ({@link FeatureBlocks}); the driver holds only
 * {@code W}, {@code b} and the optimiser, and each Spark job returns one small array per partition.
 *
 * <h2>Schedules</h2>
 *
 * <ul>
 *   <li><b>{@code minibatch}</b> — Algorithm 2 of the paper. Per step (one Spark job), each
 *       partition takes its share of the global mini-batch ({@link BatchPlan}), computes
 *       {@code σ} with the broadcast classifier, starts {@code y} from {@code σ}, runs EM on its
 *       share ({@link PseudoLabelEm#solveAccelerated}: the paper's E- and M-steps with squared
 *       extrapolation, because plain EM needs about λ iterations), and returns the gradient sums of
 *       {@code Σ H2(y_i, σ_i)}; the driver averages them over the batch, adds weight decay and
 *       takes one optimiser step. <i>Approximation:</i> the fairness term (and so the E-step
 *       normaliser) is taken over each partition's share of the batch ({@code ≈ batchSize / P}
 *       points for P partitions) instead of over the whole batch; with one partition it is exactly
 *       the paper's algorithm.</li>
 *   <li><b>{@code fulldata}</b> — per epoch, {@code σ} of every point is computed once (one pass),
 *       then EM runs on the whole data set: one pass over the cached {@code σ} and {@code y} per EM
 *       iteration, each returning partial column sums {@code Σ_i y_ik} that the driver adds up for the
 *       next E-step (eq. 14 with {@code M = N}). EM starts from σ in the first epoch and from the
 *       previous epoch's pseudo-labels after that, so its iterations accumulate over the epochs;
 *       each iterate is checkpointed, so lineage never grows (reliably with a checkpoint
 *       directory, else on the executors in two copies: either way the loss of an executor
 *       loses no iterate). This EM is plain (not
 *       extrapolated), so each of up
 *       to {@code emMaxIter} iterations is one Spark job: lower {@code emMaxIter} for large data.
 *       The epoch's classifier steps then use these global
 *       pseudo-labels in mini-batches of {@code batchSize} with the same plan as above.
 *       <i>Approximation:</i> the fairness term is exact over all N points, but {@code y} is held
 *       fixed while the classifier takes an epoch of steps (block-coordinate descent) instead of
 *       being re-estimated every batch.</li>
 * </ul>
 *
 * <p>Determinism: batches depend only on the seed and the partitioning, and per-partition results
 * are collected in partition order and summed on the driver in that order, so the same seed, data
 * and partitioning give bit-identical classifiers. The random state of a run is therefore just
 * (seed, epoch): with a {@link TrainingCheckpoint} a run continues after any finished epoch to the
 * classifier of an uninterrupted run.
 */
public final class CollisionTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(CollisionTrainer.class);

  /** Layout of a step's per-partition result: counts and loss first, then gradient of W, then b. */
  private static final int COUNT = 0;
  private static final int LOSS = 1;
  private static final int EM_ITERATIONS = 2;
  private static final int EM_SOLVES = 3;
  private static final int HEADER = 4;
  /** Within an epoch, progress is logged at most this often. */
  private static final long PROGRESS_NANOS = 10_000_000_000L;

  private CollisionTrainer() {}

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
   * {@link SelfLabelingMethods} every row must be labelled (Figure 2's soft targets), and the loss
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
    SelfLabelingMethods.checkSchedule(config.method(), config.schedule());
    FeatureBlocks blocks = FeatureBlocks.cache(data, featuresCol, labelCol, config.k());
    try {
      boolean supervised = !SelfLabelingMethods.CLUSTERING.contains(config.method());
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
      return train(blocks, config, checkpoint, start);
    } finally {
      blocks.unpersist();
    }
  }

  private static TrainingResult train(FeatureBlocks blocks, TrainingConfig given,
      TrainingCheckpoint checkpoint, long start) {
    final TrainingConfig cfg = perLabelledRow(given, blocks);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.rdd.context());
    final int dim = blocks.dim;
    final int k = cfg.k();
    final double[] params = new double[dim * k + k];
    System.arraycopy(LinearSoftmax.kaimingWeights(dim, k, cfg.seed()), 0, params, 0, dim * k);
    Optimizer optimizer = Optimizer.create(cfg.optimizer(), params.length, cfg.stepSize(), cfg.momentum());
    int numBatches = BatchPlan.numBatches(blocks.numRows, cfg.batchSize());
    boolean fullData = "fulldata".equals(cfg.schedule());
    double[] lossPerEpoch = new double[cfg.epochs()];
    double[] emPerEpoch = new double[cfg.epochs()];
    LOG.info("training {} on {} rows x {} features ({} labelled), k = {}, lambda = {}, schedule {},"
        + " {} partitions, {} batches per epoch", cfg.method(), blocks.numRows, dim,
        blocks.labelledRows, k, cfg.lambda(), cfg.schedule(), blocks.partitionRows.length,
        numBatches);

    JavaRDD<double[][]> previousLabels = null;
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
      LOG.info("resumed from epoch {} of {} (checkpoint in {})", firstEpoch, cfg.epochs(),
          checkpoint.path());
    }
    for (int epoch = firstEpoch; epoch < cfg.epochs(); epoch++) {
      long epochStart = System.nanoTime();
      FullDataEm em = fullData ? fullDataEm(jsc, blocks, params, cfg, previousLabels) : null;
      JavaRDD<double[][]> labels = em == null ? null : em.labels();
      double epochLoss = em == null ? 0 : em.loss();
      double epochEm = em == null ? 0 : em.iterations();
      double lossSum = 0;
      double emSum = 0;
      double solves = 0;
      long lastReport = System.nanoTime();
      for (int batch = 0; batch < numBatches; batch++) {
        if (System.nanoTime() - lastReport > PROGRESS_NANOS) {
          lastReport = System.nanoTime();
          LOG.info("epoch {}/{}: batch {}/{}", epoch + 1, cfg.epochs(), batch, numBatches);
        }
        double[] total = step(jsc, blocks, labels, params, cfg, epoch, batch, numBatches);
        double count = total[COUNT];
        if (count == 0) {
          continue;
        }
        lossSum += total[LOSS];
        emSum += total[EM_ITERATIONS];
        solves += total[EM_SOLVES];
        double[] grad = new double[params.length];
        for (int j = 0; j < params.length; j++) {
          grad[j] = total[HEADER + j] / count;
        }
        for (int j = 0; j < dim * k; j++) {
          grad[j] += cfg.weightDecay() * params[j];
        }
        optimizer.step(params, grad);
      }
      if (em != null) {
        previousLabels = em.labels();
      } else {
        epochLoss = lossSum / blocks.numRows;
        epochEm = solves == 0 ? 0 : emSum / solves;
      }
      lossPerEpoch[epoch] = epochLoss;
      emPerEpoch[epoch] = epochEm;
      LOG.info("epoch {}/{}: loss {}, solver iterations {}, {} s", epoch + 1, cfg.epochs(),
          String.format("%.6f", epochLoss), String.format("%.1f", epochEm),
          String.format("%.1f", (System.nanoTime() - epochStart) / 1e9));
      if (checkpoint != null) {
        checkpoint.save(jsc, new TrainingCheckpoint.State(fingerprint, epoch + 1, params.clone(),
            optimizer, Arrays.copyOf(lossPerEpoch, epoch + 1), Arrays.copyOf(emPerEpoch, epoch + 1),
            previousLabels != null), previousLabels);
      }
    }
    if (previousLabels != null) {
      release(jsc, previousLabels);
    }
    long[] sizes = clusterSizes(jsc, blocks, params, k);
    double[] w = Arrays.copyOf(params, dim * k);
    double[] b = Arrays.copyOfRange(params, dim * k, params.length);
    return new TrainingResult(dim, k, w, b, lossPerEpoch, emPerEpoch, sizes, blocks.numRows,
        (System.nanoTime() - start) / 1e9);
  }

  /** One optimiser step's job: per partition, its share of the batch; sums in partition order. */
  private static double[] step(JavaSparkContext jsc, FeatureBlocks blocks, JavaRDD<double[][]> labels,
      double[] params, TrainingConfig cfg, int epoch, int batch, int numBatches) {
    Broadcast<double[]> bc = jsc.broadcast(params);
    int dim = blocks.dim;
    int[] partitionRows = blocks.partitionRows;
    List<double[]> parts;
    if (labels == null) {
      parts = blocks.rdd.mapPartitions(it -> single(shareGradient(it.next(), null,
          TaskContext.getPartitionId(), partitionRows, bc.value(), dim, cfg, epoch, batch, numBatches)))
          .collect();
    } else {
      parts = blocks.rdd.zipPartitions(labels, (it, ys) -> single(shareGradient(it.next(), ys.next(),
          TaskContext.getPartitionId(), partitionRows, bc.value(), dim, cfg, epoch, batch, numBatches)))
          .collect();
    }
    bc.destroy();
    return sumInOrder(parts);
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
    if (blocks.labelledRows == 0 || !SelfLabelingMethods.CLUSTERING.contains(cfg.method())) {
      return cfg;
    }
    return cfg.withSeedLabelWeight(
        cfg.seedLabelWeight() * blocks.numRows / (double) blocks.labelledRows);
  }

  /**
   * A partition's part of one step: gathers its share of the batch, computes {@code σ}, takes
   * {@code y} from the epoch's full-data EM or solves the method's pseudo-labels on the share from
   * {@code y = σ} (labelled rows fixed to their label), and returns
   * {@code [count, Σ loss · count, solver iterations, solves, ∂Σloss/∂W, ∂Σloss/∂b]} where the
   * classifier's loss is the method's plus {@code seedLabelWeight · H(label, σ)} on labelled rows.
   */
  private static double[] shareGradient(PartitionData part, double[][] labels, int partition,
      int[] partitionRows, double[] params, int dim, TrainingConfig cfg, int epoch, int batch,
      int numBatches) {
    int k = cfg.k();
    double[] out = new double[HEADER + params.length];
    int n = partitionRows[partition];
    int lo = BatchPlan.shareStart(n, batch, numBatches);
    int hi = BatchPlan.shareStart(n, batch + 1, numBatches);
    int m = hi - lo;
    if (m == 0) {
      return out;
    }
    int[] perm = BatchPlan.permutation(cfg.seed(), epoch, partition, n);
    double[] x = new double[m * dim];
    double[] y = new double[m * k];
    double[] given = part.targets == null ? null : new double[m * k];
    boolean[] fixed = part.targets == null ? null : new boolean[m];
    for (int i = 0; i < m; i++) {
      int r = perm[lo + i];
      part.copyRow(r, x, i * dim);
      if (given != null) {
        fixed[i] = part.copyTarget(r, k, given, i * k);
      }
      if (labels != null) {
        System.arraycopy(labels[r / PartitionData.BLOCK_ROWS], (r % PartitionData.BLOCK_ROWS) * k, y, i * k, k);
      }
    }
    double[] w = params; // W occupies [0, dim*k), b the last k entries
    double[] b = Arrays.copyOfRange(params, dim * k, params.length);
    double[] z = new double[m * k];
    LinearSoftmax.logits(w, b, dim, k, x, 0, m, z);
    double[] sigma = new double[m * k];
    double[] g = new double[m * k];
    // The seed-label term belongs to the semi-supervised clustering methods; a supervised
    // objective's loss already is its cross-entropy with the given targets.
    double seedWeight = SelfLabelingMethods.CLUSTERING.contains(cfg.method())
        ? cfg.seedLabelWeight() : 0;
    BatchStep.Result step = BatchStep.run(cfg.objective(), seedWeight, z, m, k, given, fixed,
        labels == null, sigma, y, g);
    out[EM_ITERATIONS] = step.iterations();
    out[EM_SOLVES] = step.solved() ? 1 : 0;
    out[LOSS] = step.loss();
    double[] gw = new double[dim * k];
    double[] gb = new double[k];
    LinearSoftmax.accumulateGradient(dim, k, x, 0, m, g, gw, gb);
    out[COUNT] = m;
    System.arraycopy(gw, 0, out, HEADER, gw.length);
    System.arraycopy(gb, 0, out, HEADER + gw.length, k);
    return out;
  }

  /**
   * The pseudo-labels of an epoch of the {@code fulldata} schedule, one {@code double[]} per
   * feature block, checkpointed (no lineage): {@link #release} when done.
   */
  record FullDataEm(JavaRDD<double[][]> labels, double loss, int iterations) {}

  /**
   * EM over all N points with the classifier fixed: σ once, then one pass per EM iteration that
   * applies the M-step with the global column sums of the previous pass and returns the new sums.
   * EM starts from {@code start} (the previous epoch's pseudo-labels, which it unpersists) or, in
   * the first epoch, from σ. Each iterate is checkpointed when computed, so the lineage
   * stays one step deep however many iterations run, and nothing refers to σ or the broadcast
   * classifier once this returns.
   */
  static FullDataEm fullDataEm(JavaSparkContext jsc, FeatureBlocks blocks, double[] params,
      TrainingConfig cfg, JavaRDD<double[][]> start) {
    int dim = blocks.dim;
    int k = cfg.k();
    long n = blocks.numRows;
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
    double[] stats = sumInOrder(sigma.zip(y).map(t -> labelStats(t._1(), t._2(), k, 0)).collect());
    int it = 0;
    double maxChange = Double.POSITIVE_INFINITY;
    while (it < cfg.emMaxIter() && maxChange > cfg.emTol()) {
      double[] colSums = Arrays.copyOfRange(stats, 3, 3 + k);
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
      stats = sumInOrder(sigma.zip(next).zip(prevY).map(t -> labelStats(t._1()._1(), t._1()._2(), k,
          maxAbsDiff(t._1()._2(), t._2()))).collect(), true);
      if (prevY != sigma) {
        release(jsc, prevY);
      }
      y = next;
      maxChange = stats[2];
      it++;
    }
    double meanH2 = stats[1] / n;
    double[] mean = new double[k];
    for (int c = 0; c < k; c++) {
      mean[c] = stats[3 + c] / n;
    }
    double loss = meanH2 + (cfg.lambda() == 0 ? 0 : cfg.lambda() * SelfLabelingLoss.klUniformTo(mean));
    sigma.unpersist(false);
    bc.destroy();
    return new FullDataEm(y, loss, it);
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

  /** {@code [rows, Σ H2(y_i, σ_i), maxChange, Σ_i y_i1 .. Σ_i y_iK]} of a partition. */
  private static double[] labelStats(double[][] sigma, double[][] y, int k, double maxChange) {
    double[] out = new double[3 + k];
    double[] sums = new double[k];
    for (int j = 0; j < sigma.length; j++) {
      int rows = sigma[j].length / k;
      out[0] += rows;
      out[1] += SelfLabelingLoss.meanCollision(sigma[j], y[j], rows, k) * rows;
      PseudoLabelEm.addColumnSums(y[j], rows, k, sums);
    }
    out[2] = maxChange;
    System.arraycopy(sums, 0, out, 3, k);
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

  private static double[] sumInOrder(List<double[]> parts) {
    return sumInOrder(parts, false);
  }

  /** Element-wise sum in list (= partition) order; index 2 is a maximum when {@code maxAtTwo}. */
  private static double[] sumInOrder(List<double[]> parts, boolean maxAtTwo) {
    double[] total = parts.get(0).clone();
    for (int p = 1; p < parts.size(); p++) {
      double[] a = parts.get(p);
      for (int j = 0; j < total.length; j++) {
        total[j] = maxAtTwo && j == 2 ? Math.max(total[j], a[j]) : total[j] + a[j];
      }
    }
    return total;
  }

  private static <T> Iterator<T> single(T value) {
    return Collections.singletonList(value).iterator();
  }
}
