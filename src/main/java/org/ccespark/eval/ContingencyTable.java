package org.ccespark.eval;

import java.util.Arrays;

/**
 * The contingency table of two partitions of the same n points: {@code n_ij} is the number of points
 * with true label index i that were put in cluster index j. Row totals are {@code a_i}, column totals
 * {@code b_j}, and the grand total is n.
 *
 * <p>Every metric of {@link ClusteringMetrics} is a function of this table alone, so a table built on
 * a Spark driver from aggregated (label, cluster, count) triples gives the same values as one built
 * from per-point arrays. The table is dense: it holds {@code numLabels × numClusters} counts.
 * Instances are immutable.
 */
public final class ContingencyTable {
  private final long[][] counts;
  private final long[] labelTotals;
  private final long[] clusterTotals;
  private final long total;

  private ContingencyTable(long[][] counts, int numClusters) {
    this.counts = counts;
    this.labelTotals = new long[counts.length];
    this.clusterTotals = new long[numClusters];
    long sum = 0;
    for (int i = 0; i < counts.length; i++) {
      for (int j = 0; j < numClusters; j++) {
        long c = counts[i][j];
        labelTotals[i] = Math.addExact(labelTotals[i], c);
        clusterTotals[j] = Math.addExact(clusterTotals[j], c);
      }
      sum = Math.addExact(sum, labelTotals[i]);
    }
    this.total = sum;
  }

  /**
   * The table of two labelings of the same points. Label and cluster ids may be any ints (negative
   * ones too); each distinct id becomes an index, in increasing order of the ids.
   *
   * @param labels the true label of each point
   * @param clusters the cluster of each point, in the same order
   * @throws IllegalArgumentException if the arrays differ in length
   */
  public static ContingencyTable of(int[] labels, int[] clusters) {
    if (labels.length != clusters.length) {
      throw new IllegalArgumentException(
          "labels and clusters differ in length: " + labels.length + " vs " + clusters.length);
    }
    int[] labelIds = sortedDistinct(labels);
    int[] clusterIds = sortedDistinct(clusters);
    long[][] counts = new long[labelIds.length][clusterIds.length];
    for (int p = 0; p < labels.length; p++) {
      counts[Arrays.binarySearch(labelIds, labels[p])][Arrays.binarySearch(clusterIds, clusters[p])]++;
    }
    return new ContingencyTable(counts, clusterIds.length);
  }

  /**
   * The table from (label index, cluster index, count) triples given as three parallel arrays, for
   * example the result of a group-by-and-count. Triples with the same pair of indices are added up;
   * labels or clusters that appear in no triple get all-zero rows or columns, which no metric counts.
   *
   * @param numLabels the number of rows; label indices must lie in {@code [0, numLabels)}
   * @param numClusters the number of columns; cluster indices must lie in {@code [0, numClusters)}
   * @param labelIndex the row of each triple
   * @param clusterIndex the column of each triple
   * @param counts the count of each triple, non-negative
   * @throws IllegalArgumentException if the arrays differ in length, an index is out of range or a
   *     count is negative
   */
  public static ContingencyTable fromTriples(int numLabels, int numClusters, int[] labelIndex,
      int[] clusterIndex, long[] counts) {
    if (numLabels < 0 || numClusters < 0) {
      throw new IllegalArgumentException("negative table size " + numLabels + "×" + numClusters);
    }
    if (labelIndex.length != clusterIndex.length || labelIndex.length != counts.length) {
      throw new IllegalArgumentException("triple arrays differ in length: " + labelIndex.length + ", "
          + clusterIndex.length + ", " + counts.length);
    }
    long[][] table = new long[numLabels][numClusters];
    for (int t = 0; t < counts.length; t++) {
      int i = labelIndex[t];
      int j = clusterIndex[t];
      if (i < 0 || i >= numLabels || j < 0 || j >= numClusters) {
        throw new IllegalArgumentException(
            "triple " + t + " has index (" + i + ", " + j + ") outside " + numLabels + "×" + numClusters);
      }
      if (counts[t] < 0) {
        throw new IllegalArgumentException("triple " + t + " has negative count " + counts[t]);
      }
      table[i][j] = Math.addExact(table[i][j], counts[t]);
    }
    return new ContingencyTable(table, numClusters);
  }

  /**
   * The table with the given counts, {@code counts[i][j] = n_ij} (copied).
   *
   * @throws IllegalArgumentException if the matrix is ragged or holds a negative count
   */
  public static ContingencyTable fromMatrix(long[][] counts) {
    int numClusters = counts.length == 0 ? 0 : counts[0].length;
    long[][] copy = new long[counts.length][];
    for (int i = 0; i < counts.length; i++) {
      if (counts[i].length != numClusters) {
        throw new IllegalArgumentException(
            "ragged matrix: row " + i + " has " + counts[i].length + " columns, row 0 has " + numClusters);
      }
      copy[i] = counts[i].clone();
      for (long c : copy[i]) {
        if (c < 0) {
          throw new IllegalArgumentException("negative count " + c + " in row " + i);
        }
      }
    }
    return new ContingencyTable(copy, numClusters);
  }

  /** The number of rows (label indices), including any all-zero rows. */
  public int numLabels() {
    return counts.length;
  }

  /** The number of columns (cluster indices), including any all-zero columns. */
  public int numClusters() {
    return clusterTotals.length;
  }

  /** {@code n_ij}: the number of points with label index i in cluster index j. */
  public long count(int label, int cluster) {
    return counts[label][cluster];
  }

  /** {@code a_i}: the number of points with label index i. */
  public long labelTotal(int label) {
    return labelTotals[label];
  }

  /** {@code b_j}: the number of points in cluster index j. */
  public long clusterTotal(int cluster) {
    return clusterTotals[cluster];
  }

  /** n: the number of points. */
  public long total() {
    return total;
  }

  /** The number of labels with at least one point. */
  public int nonEmptyLabels() {
    return countPositive(labelTotals);
  }

  /** The number of clusters with at least one point. */
  public int nonEmptyClusters() {
    return countPositive(clusterTotals);
  }

  /** A copy of the counts, {@code [label][cluster]}. */
  public long[][] toArray() {
    long[][] copy = new long[counts.length][];
    for (int i = 0; i < counts.length; i++) {
      copy[i] = counts[i].clone();
    }
    return copy;
  }

  /** A copy of the row totals {@code a_i}. */
  long[] labelTotals() {
    return labelTotals.clone();
  }

  /** A copy of the column totals {@code b_j}. */
  long[] clusterTotals() {
    return clusterTotals.clone();
  }

  @Override
  public String toString() {
    return "ContingencyTable(" + numLabels() + "×" + numClusters() + ", n=" + total + ")";
  }

  private static int countPositive(long[] values) {
    int k = 0;
    for (long v : values) {
      if (v > 0) {
        k++;
      }
    }
    return k;
  }

  private static int[] sortedDistinct(int[] values) {
    int[] sorted = values.clone();
    Arrays.sort(sorted);
    int k = 0;
    for (int p = 0; p < sorted.length; p++) {
      if (p == 0 || sorted[p] != sorted[p - 1]) {
        sorted[k++] = sorted[p];
      }
    }
    return Arrays.copyOf(sorted, k);
  }
}
