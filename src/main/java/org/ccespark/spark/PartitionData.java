package org.ccespark.spark;

import java.io.Serializable;

/**
 * The feature vectors of one Spark partition as flat row-major blocks of at most {@link #BLOCK_ROWS}
 * rows each (row {@code r} of the partition is row {@code r % BLOCK_ROWS} of block
 * {@code r / BLOCK_ROWS}), cached once per fit, and optionally each row's given label distribution
 * ({@link #targets}). If the partition holds an invalid row, {@link #badRow} is its index within the
 * partition and {@link #badReason} says what is wrong; blocks are then empty.
 */
final class PartitionData implements Serializable {
  private static final long serialVersionUID = 1L;
  static final int BLOCK_ROWS = 4096;

  final double[][] blocks;
  final int rows;
  final int dim;
  final long badRow;
  final String badReason;
  /** The column {@link #badReason} is about ("features column 'f'"), or null if none. */
  final String badColumn;
  /**
   * Per block, {@code rows × K} given label distributions (a one-hot seed label or a soft target),
   * with {@code NaN} as the first entry of a row that has none; null without a target column.
   */
  final double[][] targets;
  /** Rows with a given label. */
  final int labelled;

  PartitionData(double[][] blocks, int rows, int dim, double[][] targets, int labelled) {
    this.blocks = blocks;
    this.rows = rows;
    this.dim = dim;
    this.badRow = -1;
    this.badReason = null;
    this.badColumn = null;
    this.targets = targets;
    this.labelled = labelled;
  }

  /** An invalid partition: its row {@code badRow} of column {@code badColumn} is wrong. */
  PartitionData(long badRow, String badColumn, String badReason) {
    this.blocks = new double[0][];
    this.rows = 0;
    this.dim = 0;
    this.badRow = badRow;
    this.badReason = badReason;
    this.badColumn = badColumn;
    this.targets = null;
    this.labelled = 0;
  }

  int blockRows(int block) {
    return Math.min(BLOCK_ROWS, rows - block * BLOCK_ROWS);
  }

  /** Copies partition row {@code r}'s features to {@code out[outOff .. outOff+dim)}. */
  void copyRow(int r, double[] out, int outOff) {
    System.arraycopy(blocks[r / BLOCK_ROWS], (r % BLOCK_ROWS) * dim, out, outOff, dim);
  }

  /**
   * Copies partition row {@code r}'s given label distribution to {@code out[outOff .. outOff+k)}.
   *
   * @return false (and copies nothing) if the row has none
   */
  boolean copyTarget(int r, int k, double[] out, int outOff) {
    if (targets == null) {
      return false;
    }
    double[] block = targets[r / BLOCK_ROWS];
    int o = (r % BLOCK_ROWS) * k;
    if (Double.isNaN(block[o])) {
      return false;
    }
    System.arraycopy(block, o, out, outOff, k);
    return true;
  }

  /**
   * What the driver needs to know about a partition after caching it. A task result, so a plain
   * final class rather than a record: Kryo 4 (Spark's, {@code spark.serializer=...KryoSerializer})
   * cannot serialize records.
   */
  static final class Info implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int rows;
    private final int dim;
    private final long badRow;
    private final String badColumn;
    private final String badReason;
    private final int labelled;

    Info(int rows, int dim, long badRow, String badColumn, String badReason, int labelled) {
      this.rows = rows;
      this.dim = dim;
      this.badRow = badRow;
      this.badColumn = badColumn;
      this.badReason = badReason;
      this.labelled = labelled;
    }

    int rows() {
      return rows;
    }

    int dim() {
      return dim;
    }

    long badRow() {
      return badRow;
    }

    String badColumn() {
      return badColumn;
    }

    String badReason() {
      return badReason;
    }

    int labelled() {
      return labelled;
    }
  }

  Info info() {
    return new Info(rows, dim, badRow, badColumn, badReason, labelled);
  }
}
