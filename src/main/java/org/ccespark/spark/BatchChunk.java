package org.ccespark.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;

/**
 * The rows of a run of consecutive mini-batches of one epoch, gathered on the driver by one Spark
 * job, so that the optimiser steps over them need no further job.
 *
 * <p>A mini-batch step needs the classifier of the step before it, so its work cannot be sent to
 * the executors ahead of time; but which rows form each batch depends only on the seed, the epoch
 * and the partitioning ({@link BatchPlan}), never on the classifier. One job therefore collects
 * each partition's share of the next batches (features, given labels, and for {@code fulldata}
 * the epoch's pseudo-labels), at most {@link #MAX_BYTES} of them, and the driver steps through
 * them: the Spark jobs per epoch fall from one or two per step to about
 * {@code N · (dim + k) · 8 / MAX_BYTES}. Each row crosses the network once per epoch.
 */
final class BatchChunk {
  /**
   * Largest size of one chunk's rows (features, given labels, pseudo-labels, as doubles): 32 MiB,
   * 16,384 rows of 256 features or 2,048 of ResNet-50's 2,048, well inside Spark's default
   * {@code spark.driver.maxResultSize} (1 GiB) and a default driver heap. At least one batch is
   * always fetched, whatever its size.
   */
  static final long MAX_BYTES = 32L << 20;

  /**
   * One partition's share of one batch (a class, not a record: Spark's Kryo cannot write
   * records).
   */
  static final class Share implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Number of rows. */
    final int rows;
    /** Their features, row-major ({@code rows × dim}). */
    final double[] x;
    /** Their given label distributions ({@code rows × k}), null if the input has none. */
    final double[] given;
    /** Whether each row has a given label, null if the input has none. */
    final boolean[] fixed;
    /** Their pseudo-labels from the epoch's full-data solve ({@code rows × k}), or null. */
    final double[] y;

    Share(int rows, double[] x, double[] given, boolean[] fixed, double[] y) {
      this.rows = rows;
      this.x = x;
      this.given = given;
      this.fixed = fixed;
      this.y = y;
    }
  }

  /** First batch of the chunk. */
  final int first;
  /** One past its last batch. */
  final int end;
  /** {@code shares[b - first][p]}: partition {@code p}'s share of batch {@code b}. */
  private final Share[][] shares;

  private BatchChunk(int first, int end, Share[][] shares) {
    this.first = first;
    this.end = end;
    this.shares = shares;
  }

  /** The shares of batch {@code batch} (in this chunk), in partition order. */
  List<Share> batch(int batch) {
    if (batch < first || batch >= end) {
      throw new IndexOutOfBoundsException("batch " + batch + " is not in [" + first + ", " + end
          + ")");
    }
    return Arrays.asList(shares[batch - first]);
  }

  /**
   * Gathers batches {@code first, first + 1, ...} of {@code epoch}, as many as fit in
   * {@code maxBytes} (at least one), in one Spark job.
   *
   * @param labels the epoch's pseudo-labels per partition ({@code fulldata}), or null
   */
  static BatchChunk fetch(FeatureBlocks blocks, JavaRDD<double[][]> labels, TrainingConfig cfg,
      int epoch, int first, int numBatches, long maxBytes) {
    int[] partitionRows = blocks.partitionRows;
    int k = cfg.k();
    long bytesPerRow = 8L * (blocks.dim + (blocks.labelledRows > 0 ? k + 1 : 0)
        + (labels != null ? k : 0));
    final int last = chunkEnd(partitionRows, bytesPerRow, first, numBatches, maxBytes);
    int dim = blocks.dim;
    List<Share[]> perPartition = labels == null
        ? blocks.rdd.mapPartitions(it -> single(shares(it.next(), null,
            TaskContext.getPartitionId(), partitionRows, dim, cfg, epoch, first, last,
            numBatches))).collect()
        : blocks.rdd.zipPartitions(labels, (it, ys) -> single(shares(it.next(), ys.next(),
            TaskContext.getPartitionId(), partitionRows, dim, cfg, epoch, first, last,
            numBatches))).collect();
    Share[][] byBatch = new Share[last - first][perPartition.size()];
    for (int p = 0; p < perPartition.size(); p++) {
      for (int b = first; b < last; b++) {
        byBatch[b - first][p] = perPartition.get(p)[b - first];
      }
    }
    return new BatchChunk(first, last, byBatch);
  }

  /** A partition's shares of batches {@code [first, end)}, on the executor. */
  private static Share[] shares(PartitionData part, double[][] labels, int partition,
      int[] partitionRows, int dim, TrainingConfig cfg, int epoch, int first, int end,
      int numBatches) {
    int k = cfg.k();
    int n = partitionRows[partition];
    int[] perm = BatchPlan.permutation(cfg.seed(), epoch, partition, n);
    Share[] out = new Share[end - first];
    for (int b = first; b < end; b++) {
      int lo = BatchPlan.shareStart(n, b, numBatches);
      int m = BatchPlan.shareStart(n, b + 1, numBatches) - lo;
      double[] x = new double[m * dim];
      double[] given = part.targets == null ? null : new double[m * k];
      boolean[] fixed = part.targets == null ? null : new boolean[m];
      double[] y = labels == null ? null : new double[m * k];
      for (int i = 0; i < m; i++) {
        int r = perm[lo + i];
        part.copyRow(r, x, i * dim);
        if (given != null) {
          fixed[i] = part.copyTarget(r, k, given, i * k);
        }
        if (y != null) {
          System.arraycopy(labels[r / PartitionData.BLOCK_ROWS],
              (r % PartitionData.BLOCK_ROWS) * k, y, i * k, k);
        }
      }
      out[b - first] = new Share(m, x, given, fixed, y);
    }
    return out;
  }

  private static <T> java.util.Iterator<T> single(T value) {
    return Collections.singletonList(value).iterator();
  }

  /**
   * One past the last batch of the chunk that starts at batch {@code first}: as many batches as
   * fit in {@code maxBytes} at {@code bytesPerRow}, at least one.
   */
  static int chunkEnd(int[] partitionRows, long bytesPerRow, int first, int numBatches,
      long maxBytes) {
    int end = first;
    long bytes = 0;
    while (end < numBatches) {
      long rows = 0;
      for (int n : partitionRows) {
        rows += BatchPlan.shareStart(n, end + 1, numBatches)
            - BatchPlan.shareStart(n, end, numBatches);
      }
      if (end > first && bytes + rows * bytesPerRow > maxBytes) {
        break;
      }
      bytes += rows * bytesPerRow;
      end++;
    }
    return end;
  }
}
