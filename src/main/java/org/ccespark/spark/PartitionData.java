package org.ccespark.spark;

import java.io.Serializable;

/**
 * The feature vectors of one Spark partition as flat row-major blocks of at most {@link #BLOCK_ROWS}
 * rows each (row {@code r} of the partition is row {@code r % BLOCK_ROWS} of block
 * {@code r / BLOCK_ROWS}), cached once per fit. If the partition holds an invalid row, {@link #badRow}
 * is its index within the partition and {@link #badReason} says what is wrong; blocks are then empty.
 */
final class PartitionData implements Serializable {
  private static final long serialVersionUID = 1L;
  static final int BLOCK_ROWS = 4096;

  final double[][] blocks;
  final int rows;
  final int dim;
  final long badRow;
  final String badReason;

  PartitionData(double[][] blocks, int rows, int dim, long badRow, String badReason) {
    this.blocks = blocks;
    this.rows = rows;
    this.dim = dim;
    this.badRow = badRow;
    this.badReason = badReason;
  }

  int blockRows(int block) {
    return Math.min(BLOCK_ROWS, rows - block * BLOCK_ROWS);
  }

  /** Copies partition row {@code r}'s features to {@code out[outOff .. outOff+dim)}. */
  void copyRow(int r, double[] out, int outOff) {
    System.arraycopy(blocks[r / BLOCK_ROWS], (r % BLOCK_ROWS) * dim, out, outOff, dim);
  }

  /** What the driver needs to know about a partition after caching it. */
  record Info(int rows, int dim, long badRow, String badReason) implements Serializable {}

  Info info() {
    return new Info(rows, dim, badRow, badReason);
  }
}
