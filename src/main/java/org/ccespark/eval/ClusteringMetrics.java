package org.ccespark.eval;

/**
 * External clustering metrics computed from a {@link ContingencyTable} of true labels (U, rows) and
 * clusters (V, columns): clustering accuracy (ACC), normalised mutual information (NMI) and the
 * adjusted Rand index (ARI). All three are invariant under renaming of labels and of clusters, and
 * all three are 1 for a clustering equal to the labels up to renaming. The {@code int[]} overloads
 * build the table with {@link ContingencyTable#of(int[], int[])}.
 *
 * <p>NMI and ARI follow scikit-learn's {@code normalized_mutual_info_score} (default
 * {@code average_method="arithmetic"}) and {@code adjusted_rand_score}, including their values in
 * degenerate cases. Logarithms are natural; NMI does not depend on the base.
 */
public final class ClusteringMetrics {
  private ClusteringMetrics() {}

  /**
   * Clustering accuracy: the fraction of points that agree with their label under the best
   * one-to-one mapping of clusters to labels, {@code ACC = max_m Σ_j n_{m(j), j} / n}. The mapping is
   * found with {@link HungarianMatching} (Kuhn 1955) on the contingency table, as in the unsupervised
   * clustering accuracy of Yang et al. 2010 / Xie et al. 2016 (DEC). When the numbers of labels and
   * clusters differ, only {@code min(#labels, #clusters)} pairs are matched and the points of the
   * other clusters count as errors, so ACC can be 1 only when every point is in a matched cluster.
   *
   * <p>The matching works on a dense {@code #labels × #clusters} matrix and takes
   * O(min² · max) time in its dimensions.
   *
   * @throws IllegalArgumentException if the table is empty (n = 0), where ACC is undefined
   */
  public static double accuracy(ContingencyTable table) {
    if (table.total() == 0) {
      throw new IllegalArgumentException("accuracy is undefined for an empty contingency table");
    }
    int rows = table.numLabels();
    int cols = table.numClusters();
    double[][] weight = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        weight[i][j] = table.count(i, j);
      }
    }
    int[] clusterOfLabel = HungarianMatching.maximumWeightAssignment(weight);
    long matched = 0;
    for (int i = 0; i < rows; i++) {
      if (clusterOfLabel[i] >= 0) {
        matched += table.count(i, clusterOfLabel[i]);
      }
    }
    return (double) matched / table.total();
  }

  /** {@link #accuracy(ContingencyTable)} of two labelings of the same points. */
  public static double accuracy(int[] labels, int[] clusters) {
    return accuracy(ContingencyTable.of(labels, clusters));
  }

  /**
   * Normalised mutual information with arithmetic-mean normalisation,
   * {@code NMI(U, V) = I(U; V) / ((H(U) + H(V)) / 2)}, where
   * {@code I(U; V) = Σ_ij (n_ij / n) ln(n · n_ij / (a_i b_j))} and {@code H(U) = -Σ_i (a_i / n) ln(a_i / n)}.
   * This is {@code NMI_sum = 2 I / (H(U) + H(V))} of Vinh, Epps &amp; Bailey ("Information theoretic
   * measures for clusterings comparison", JMLR 11, 2010). Strehl &amp; Ghosh ("Cluster ensembles",
   * JMLR 3, 2002) normalise by the geometric mean {@code √(H(U) H(V))} instead, which gives different
   * values whenever {@code H(U) ≠ H(V)}. The arithmetic mean is scikit-learn's default
   * ({@code average_method="arithmetic"}, since version 0.22).
   *
   * <p>Degenerate cases, as in scikit-learn: if both partitions have a single non-empty class (or the
   * table is empty), both entropies are 0 and the result is 1.0; if only one of them has a single
   * class, I = 0 and the result is 0.0.
   */
  public static double nmi(ContingencyTable table) {
    int labels = table.nonEmptyLabels();
    int clusters = table.nonEmptyClusters();
    if (labels == clusters && labels <= 1) {
      return 1.0;
    }
    if (labels == 1 || clusters == 1) {
      return 0.0;
    }
    double mi = mutualInformation(table);
    if (mi == 0) {
      return 0.0;
    }
    double mean = (entropy(table.labelTotals()) + entropy(table.clusterTotals())) / 2;
    return Math.min(1.0, mi / mean); // rounding can exceed 1 by an ulp for identical partitions
  }

  /** {@link #nmi(ContingencyTable)} of two labelings of the same points. */
  public static double nmi(int[] labels, int[] clusters) {
    return nmi(ContingencyTable.of(labels, clusters));
  }

  /**
   * Mutual information {@code I(U; V) = Σ_ij (n_ij / n) ln(n · n_ij / (a_i b_j))} in nats, summed
   * over the non-zero cells; clipped at 0 against rounding. It is 0 for an empty table.
   */
  public static double mutualInformation(ContingencyTable table) {
    long n = table.total();
    if (n == 0) {
      return 0.0;
    }
    double logN = Math.log(n);
    double[] logA = logs(table.labelTotals());
    double[] logB = logs(table.clusterTotals());
    double mi = 0;
    for (int i = 0; i < table.numLabels(); i++) {
      for (int j = 0; j < table.numClusters(); j++) {
        long nij = table.count(i, j);
        if (nij > 0) {
          mi += ((double) nij / n) * (Math.log(nij) + logN - logA[i] - logB[j]);
        }
      }
    }
    return Math.max(mi, 0.0);
  }

  /**
   * Entropy {@code -Σ_k (c_k / n) ln(c_k / n)} in nats of the distribution given by non-negative
   * counts c (zeros are skipped, n is their sum); 0 for a single non-zero count or none.
   */
  public static double entropy(long[] counts) {
    long n = 0;
    int nonZero = 0;
    for (long c : counts) {
      n += c;
      if (c > 0) {
        nonZero++;
      }
    }
    if (nonZero <= 1) {
      return 0.0;
    }
    double logN = Math.log(n);
    double h = 0;
    for (long c : counts) {
      if (c > 0) {
        h -= ((double) c / n) * (Math.log(c) - logN);
      }
    }
    return h;
  }

  /**
   * Adjusted Rand index of Hubert &amp; Arabie ("Comparing partitions", Journal of Classification 2,
   * 1985): the Rand index corrected for chance under the permutation (hypergeometric) model,
   * <pre>
   *   ARI = (Σ_ij C(n_ij, 2) - E) / (½ [Σ_i C(a_i, 2) + Σ_j C(b_j, 2)] - E),
   *   E   = Σ_i C(a_i, 2) · Σ_j C(b_j, 2) / C(n, 2),
   * </pre>
   * with {@code C(x, 2) = x(x-1)/2}. It is 1 for identical partitions, about 0 for independent
   * ones, and can be negative.
   *
   * <p>Degenerate cases, as in scikit-learn: when the two partitions put exactly the same pairs
   * together (which includes both being a single cluster, both being all singletons, n ≤ 1 and the
   * empty table) the result is 1.0. Those are the only cases where the denominator above is 0.
   */
  public static double ari(ContingencyTable table) {
    long pairsTogetherInBoth = 0;
    for (int i = 0; i < table.numLabels(); i++) {
      for (int j = 0; j < table.numClusters(); j++) {
        pairsTogetherInBoth += pairs(table.count(i, j));
      }
    }
    long pairsTogetherInLabels = 0;
    for (long a : table.labelTotals()) {
      pairsTogetherInLabels += pairs(a);
    }
    long pairsTogetherInClusters = 0;
    for (long b : table.clusterTotals()) {
      pairsTogetherInClusters += pairs(b);
    }
    if (pairsTogetherInBoth == pairsTogetherInLabels && pairsTogetherInBoth == pairsTogetherInClusters) {
      return 1.0;
    }
    double index = pairsTogetherInBoth;
    double sumA = pairsTogetherInLabels;
    double sumB = pairsTogetherInClusters;
    double expected = sumA * sumB / pairs(table.total());
    double max = (sumA + sumB) / 2;
    return (index - expected) / (max - expected);
  }

  /** {@link #ari(ContingencyTable)} of two labelings of the same points. */
  public static double ari(int[] labels, int[] clusters) {
    return ari(ContingencyTable.of(labels, clusters));
  }

  /** {@code C(x, 2) = x(x-1)/2}, the number of unordered pairs among x items. */
  private static long pairs(long x) {
    return x * (x - 1) / 2;
  }

  private static double[] logs(long[] counts) {
    double[] logs = new double[counts.length];
    for (int k = 0; k < counts.length; k++) {
      logs[k] = counts[k] > 0 ? Math.log(counts[k]) : 0.0;
    }
    return logs;
  }
}
