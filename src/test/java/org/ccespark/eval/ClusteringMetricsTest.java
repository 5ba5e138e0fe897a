package org.ccespark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClusteringMetricsTest {
  private static final double EPS = 1e-12;
  private static final double LN2 = Math.log(2);
  private static final double LN3 = Math.log(3);

  /**
   * labels [0,0,0,1,1,1], clusters [0,0,1,1,2,2]. Table rows (labels) × columns (clusters):
   * <pre>
   *   label 0: 2 1 0   a_0 = 3
   *   label 1: 0 1 2   a_1 = 3
   *   b_j    : 2 2 2   n = 6
   * </pre>
   * ACC: map cluster 0 → label 0 (2 points) and cluster 2 → label 1 (2 points); cluster 1 is left
   * over: 4/6.
   *
   * <p>ARI: Σ C(n_ij,2) = C(2,2) + C(2,2) = 2; Σ C(a_i,2) = 3 + 3 = 6; Σ C(b_j,2) = 1 + 1 + 1 = 3;
   * C(6,2) = 15; E = 6·3/15 = 1.2; max = (6+3)/2 = 4.5; ARI = (2 - 1.2)/(4.5 - 1.2) = 0.8/3.3 = 8/33
   * = 0.2424…; scikit-learn: 0.24242424242424246 (older versions, this formula) or 0.24242424242424243
   * (1.x, the equivalent pair-counting form); both are within EPS of 8/33.
   *
   * <p>NMI: I = 2·(2/6) ln(6·2/(3·2)) + 2·(1/6) ln(6·1/(3·2)) = (2/3) ln 2; H(U) = ln 2,
   * H(V) = ln 3; NMI = (2/3) ln 2 / ((ln 2 + ln 3)/2) = (4/3) ln 2 / ln 6 = 0.51580…; scikit-learn
   * (average_method="arithmetic"): 0.5158037429793889.
   */
  @Test
  void sixPointHandExample() {
    int[] labels = {0, 0, 0, 1, 1, 1};
    int[] clusters = {0, 0, 1, 1, 2, 2};
    assertEquals(4.0 / 6, ClusteringMetrics.accuracy(labels, clusters), EPS);
    assertEquals(8.0 / 33, ClusteringMetrics.ari(labels, clusters), EPS);
    assertEquals(0.24242424242424246, ClusteringMetrics.ari(labels, clusters), EPS);
    assertEquals(4.0 / 3 * LN2 / Math.log(6), ClusteringMetrics.nmi(labels, clusters), EPS);
    assertEquals(0.5158037429793889, ClusteringMetrics.nmi(labels, clusters), EPS);
    assertEquals(2.0 / 3 * LN2, ClusteringMetrics.mutualInformation(ContingencyTable.of(labels, clusters)), EPS);
  }

  @Test
  void perfectClusteringScoresOneWhateverTheIds() {
    int[] labels = {0, 0, 1, 1, 1, 2, 2, 2, 2};
    int[] clusters = {42, 42, -3, -3, -3, 7, 7, 7, 7};
    assertEquals(1.0, ClusteringMetrics.accuracy(labels, clusters), EPS);
    assertEquals(1.0, ClusteringMetrics.nmi(labels, clusters), EPS);
    assertEquals(1.0, ClusteringMetrics.ari(labels, clusters), EPS);
  }

  @Test
  void invariantUnderRenamingClustersAndLabels() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int trial = 0; trial < 50; trial++) {
      int n = 200;
      int[] labels = randomLabels(rnd, n, 4);
      int[] clusters = randomLabels(rnd, n, 6);
      // Cluster id c becomes 1000 - 17·perm[c]; label id l becomes perm2[l] - 2.
      int[] perm = permutation(rnd, 6);
      int[] perm2 = permutation(rnd, 4);
      int[] renamedClusters = new int[n];
      int[] renamedLabels = new int[n];
      for (int p = 0; p < n; p++) {
        renamedClusters[p] = 1000 - 17 * perm[clusters[p]];
        renamedLabels[p] = perm2[labels[p]] - 2;
      }
      double acc = ClusteringMetrics.accuracy(labels, clusters);
      double nmi = ClusteringMetrics.nmi(labels, clusters);
      double ari = ClusteringMetrics.ari(labels, clusters);
      assertEquals(acc, ClusteringMetrics.accuracy(renamedLabels, renamedClusters), EPS);
      assertEquals(nmi, ClusteringMetrics.nmi(renamedLabels, renamedClusters), EPS);
      assertEquals(ari, ClusteringMetrics.ari(renamedLabels, renamedClusters), EPS);
      // All three are symmetric in the two partitions.
      assertEquals(acc, ClusteringMetrics.accuracy(clusters, labels), EPS);
      assertEquals(nmi, ClusteringMetrics.nmi(clusters, labels), EPS);
      assertEquals(ari, ClusteringMetrics.ari(clusters, labels), EPS);
      assertTrue(nmi >= 0 && nmi <= 1, "nmi " + nmi);
      assertTrue(acc > 0 && acc <= 1, "acc " + acc);
    }
  }

  @Test
  void accuracyMatchesBruteForceOverMappings() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (int trial = 0; trial < 100; trial++) {
      int k = 2 + rnd.nextInt(4);
      int c = 2 + rnd.nextInt(4);
      int[] labels = randomLabels(rnd, 60, k);
      int[] clusters = randomLabels(rnd, 60, c);
      ContingencyTable t = ContingencyTable.of(labels, clusters);
      double best = bestMatchedCount(t, 0, new boolean[t.numClusters()]) / (double) t.total();
      assertEquals(best, ClusteringMetrics.accuracy(t), EPS, "trial " + trial);
    }
  }

  @Test
  void ariMatchesPairCountingOverAllPairs() {
    // ARI in the pair-counting form 2(TP·TN - FN·FP) / ((TP+FN)(FN+TN) + (TP+FP)(FP+TN)), with the
    // four counts taken directly over all pairs of points, an independent route to the same number.
    SplittableRandom rnd = new SplittableRandom(13);
    for (int trial = 0; trial < 50; trial++) {
      int n = 30 + rnd.nextInt(50);
      int[] labels = randomLabels(rnd, n, 2 + rnd.nextInt(4));
      int[] clusters = randomLabels(rnd, n, 2 + rnd.nextInt(5));
      long tp = 0;
      long fn = 0;
      long fp = 0;
      long tn = 0;
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          boolean sameLabel = labels[p] == labels[q];
          boolean sameCluster = clusters[p] == clusters[q];
          if (sameLabel && sameCluster) {
            tp++;
          } else if (sameLabel) {
            fn++;
          } else if (sameCluster) {
            fp++;
          } else {
            tn++;
          }
        }
      }
      double expected = 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
      assertEquals(expected, ClusteringMetrics.ari(labels, clusters), EPS, "trial " + trial);
    }
  }

  @Test
  void tableFromTriplesGivesTheSameMetricsAsArrays() {
    SplittableRandom rnd = new SplittableRandom(17);
    int n = 500;
    int[] labels = randomLabels(rnd, n, 5);
    int[] clusters = randomLabels(rnd, n, 7);
    // Aggregate as a group-by would, then list the non-zero (label, cluster, count) triples.
    long[][] counts = new long[5][7];
    for (int p = 0; p < n; p++) {
      counts[labels[p]][clusters[p]]++;
    }
    int[] li = new int[35];
    int[] ci = new int[35];
    long[] c = new long[35];
    int t = 0;
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 7; j++) {
        if (counts[i][j] > 0) {
          li[t] = i;
          ci[t] = j;
          c[t++] = counts[i][j];
        }
      }
    }
    ContingencyTable fromTriples = ContingencyTable.fromTriples(5, 7,
        Arrays.copyOf(li, t), Arrays.copyOf(ci, t), Arrays.copyOf(c, t));
    assertEquals(ClusteringMetrics.accuracy(labels, clusters), ClusteringMetrics.accuracy(fromTriples));
    assertEquals(ClusteringMetrics.nmi(labels, clusters), ClusteringMetrics.nmi(fromTriples));
    assertEquals(ClusteringMetrics.ari(labels, clusters), ClusteringMetrics.ari(fromTriples));
  }

  /**
   * Everything in one cluster: labels [0,0,0,1,1,1], clusters all 0.
   * ACC: the one cluster maps to one label: 3/6. NMI: H(V) = 0 and H(U) = ln 2 > 0, so only one
   * side is single-cluster: 0. ARI: Σ C(n_ij,2) = 3 + 3 = 6 = Σ C(a_i,2); Σ C(b_j,2) = C(6,2) = 15;
   * E = 6·15/15 = 6; ARI = (6 - 6)/((6+15)/2 - 6) = 0.
   */
  @Test
  void everythingInOneCluster() {
    int[] labels = {0, 0, 0, 1, 1, 1};
    int[] clusters = {0, 0, 0, 0, 0, 0};
    assertEquals(0.5, ClusteringMetrics.accuracy(labels, clusters), EPS);
    assertEquals(0.0, ClusteringMetrics.nmi(labels, clusters));
    assertEquals(0.0, ClusteringMetrics.ari(labels, clusters), EPS);
    assertEquals(0.0, ClusteringMetrics.nmi(clusters, labels));
  }

  /**
   * Every point its own cluster: labels [0,0,0,1,1,1], clusters [0..5].
   * ACC: one singleton per label is matched: 2/6. ARI: Σ C(n_ij,2) = 0, Σ C(a_i,2) = 6,
   * Σ C(b_j,2) = 0, E = 0, ARI = 0/((6+0)/2) = 0. NMI: V determines U, so I = H(U) = ln 2;
   * H(V) = ln 6; NMI = ln 2 / ((ln 2 + ln 6)/2) = 2 ln 2 / ln 12 = 0.5578…
   */
  @Test
  void everyPointItsOwnCluster() {
    int[] labels = {0, 0, 0, 1, 1, 1};
    int[] clusters = {0, 1, 2, 3, 4, 5};
    assertEquals(2.0 / 6, ClusteringMetrics.accuracy(labels, clusters), EPS);
    assertEquals(0.0, ClusteringMetrics.ari(labels, clusters), EPS);
    assertEquals(2 * LN2 / Math.log(12), ClusteringMetrics.nmi(labels, clusters), EPS);
  }

  /**
   * Special cases of scikit-learn: both partitions a single cluster, or both all singletons, give
   * 1 for NMI and ARI (ARI's 0/0; NMI's 0/0 for the single cluster). ACC is 1 as the partitions are
   * equal. One point, and the empty table, are also perfect agreement for NMI and ARI.
   */
  @Test
  void degenerateIdenticalPartitions() {
    int[] one = {4, 4, 4, 4, 4};
    int[] alsoOne = {9, 9, 9, 9, 9};
    assertEquals(1.0, ClusteringMetrics.accuracy(one, alsoOne));
    assertEquals(1.0, ClusteringMetrics.nmi(one, alsoOne));
    assertEquals(1.0, ClusteringMetrics.ari(one, alsoOne));

    int[] singletons = {0, 1, 2, 3, 4};
    int[] otherSingletons = {8, 6, 4, 2, 0};
    assertEquals(1.0, ClusteringMetrics.accuracy(singletons, otherSingletons));
    assertEquals(1.0, ClusteringMetrics.nmi(singletons, otherSingletons), EPS);
    assertEquals(1.0, ClusteringMetrics.ari(singletons, otherSingletons));

    assertEquals(1.0, ClusteringMetrics.accuracy(new int[] {3}, new int[] {5}));
    assertEquals(1.0, ClusteringMetrics.nmi(new int[] {3}, new int[] {5}));
    assertEquals(1.0, ClusteringMetrics.ari(new int[] {3}, new int[] {5}));

    assertEquals(1.0, ClusteringMetrics.nmi(new int[0], new int[0]));
    assertEquals(1.0, ClusteringMetrics.ari(new int[0], new int[0]));
    assertThrows(IllegalArgumentException.class, () -> ClusteringMetrics.accuracy(new int[0], new int[0]));
  }

  /**
   * One label, every point a singleton cluster: labels [0,0,0,0], clusters [0,1,2,3]. NMI: only U is
   * single-cluster: 0. ARI: Σ C(n_ij,2) = 0, Σ C(a_i,2) = 6, Σ C(b_j,2) = 0, E = 0, ARI = 0/3 = 0.
   * ACC: 1/4.
   */
  @Test
  void oneLabelAgainstSingletons() {
    int[] labels = {0, 0, 0, 0};
    int[] clusters = {0, 1, 2, 3};
    assertEquals(0.25, ClusteringMetrics.accuracy(labels, clusters), EPS);
    assertEquals(0.0, ClusteringMetrics.nmi(labels, clusters));
    assertEquals(0.0, ClusteringMetrics.ari(labels, clusters), EPS);
  }

  /**
   * More clusters than labels: labels [0,0,0,0,1,1,1,1], clusters [0,0,1,1,2,2,3,3] (each label split
   * in two halves). Table: label 0: 2 2 0 0; label 1: 0 0 2 2.
   * ACC: only two clusters can be matched, each holding 2 points: 4/8.
   * ARI: Σ C(n_ij,2) = 4·1 = 4; Σ C(a_i,2) = 6 + 6 = 12; Σ C(b_j,2) = 4; C(8,2) = 28;
   * E = 12·4/28 = 12/7; max = 8; ARI = (4 - 12/7)/(8 - 12/7) = (16/7)/(44/7) = 4/11.
   * NMI: I = 4·(2/8) ln(8·2/(4·2)) = ln 2; H(U) = ln 2; H(V) = ln 4 = 2 ln 2; NMI = ln 2/(1.5 ln 2) = 2/3.
   * Swapping the roles (fewer clusters than labels) gives the same three values.
   */
  @Test
  void moreClustersThanLabelsAndViceVersa() {
    int[] labels = {0, 0, 0, 0, 1, 1, 1, 1};
    int[] clusters = {0, 0, 1, 1, 2, 2, 3, 3};
    assertEquals(0.5, ClusteringMetrics.accuracy(labels, clusters), EPS);
    assertEquals(4.0 / 11, ClusteringMetrics.ari(labels, clusters), EPS);
    assertEquals(2.0 / 3, ClusteringMetrics.nmi(labels, clusters), EPS);

    assertEquals(0.5, ClusteringMetrics.accuracy(clusters, labels), EPS);
    assertEquals(4.0 / 11, ClusteringMetrics.ari(clusters, labels), EPS);
    assertEquals(2.0 / 3, ClusteringMetrics.nmi(clusters, labels), EPS);
  }

  /**
   * Fewer clusters than labels: labels [0,0,1,1,2,2], clusters [0,0,0,0,1,1] (labels 0 and 1 merged).
   * Table: label 0: 2 0; label 1: 2 0; label 2: 0 2.
   * ACC: cluster 0 → label 0 (or 1), cluster 1 → label 2: (2 + 2)/6 = 4/6.
   * ARI: Σ C(n_ij,2) = 1+1+1 = 3; Σ C(a_i,2) = 3; Σ C(b_j,2) = 6 + 1 = 7; C(6,2) = 15;
   * E = 3·7/15 = 1.4; max = 5; ARI = 1.6/3.6 = 4/9.
   * NMI: V is a function of U, so I = H(V) = (2/3) ln(3/2) + (1/3) ln 3; H(U) = ln 3;
   * NMI = 2 H(V)/(ln 3 + H(V)) = 0.73368…
   */
  @Test
  void fewerClustersThanLabels() {
    int[] labels = {0, 0, 1, 1, 2, 2};
    int[] clusters = {0, 0, 0, 0, 1, 1};
    double hv = 2.0 / 3 * Math.log(1.5) + LN3 / 3;
    assertEquals(4.0 / 6, ClusteringMetrics.accuracy(labels, clusters), EPS);
    assertEquals(4.0 / 9, ClusteringMetrics.ari(labels, clusters), EPS);
    assertEquals(2 * hv / (LN3 + hv), ClusteringMetrics.nmi(labels, clusters), EPS);
  }

  /** ACC where an extra cluster is small: labels [0,0,0,1,1,1], clusters [0,0,0,1,1,2]: 5/6. */
  @Test
  void smallExtraClusterCostsOnlyItsPoints() {
    assertEquals(5.0 / 6,
        ClusteringMetrics.accuracy(new int[] {0, 0, 0, 1, 1, 1}, new int[] {0, 0, 0, 1, 1, 2}), EPS);
  }

  @Test
  void independentRandomClusteringsScoreNearZero() {
    SplittableRandom rnd = new SplittableRandom(3);
    int n = 20000;
    int[] labels = randomLabels(rnd, n, 10);
    int[] clusters = randomLabels(rnd, n, 10);
    assertEquals(0.0, ClusteringMetrics.ari(labels, clusters), 0.01);
    assertEquals(0.0, ClusteringMetrics.nmi(labels, clusters), 0.01);
  }

  private static long bestMatchedCount(ContingencyTable t, int label, boolean[] usedCluster) {
    if (label == t.numLabels()) {
      return 0;
    }
    long best = bestMatchedCount(t, label + 1, usedCluster); // label left unmatched
    for (int j = 0; j < usedCluster.length; j++) {
      if (!usedCluster[j]) {
        usedCluster[j] = true;
        best = Math.max(best, t.count(label, j) + bestMatchedCount(t, label + 1, usedCluster));
        usedCluster[j] = false;
      }
    }
    return best;
  }

  private static int[] randomLabels(SplittableRandom rnd, int n, int k) {
    int[] a = new int[n];
    for (int p = 0; p < n; p++) {
      a[p] = rnd.nextInt(k);
    }
    return a;
  }

  private static int[] permutation(SplittableRandom rnd, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int k = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[k];
      p[k] = t;
    }
    return p;
  }
}
