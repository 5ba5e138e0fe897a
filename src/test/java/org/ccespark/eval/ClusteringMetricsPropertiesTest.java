package org.ccespark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based tests (jqwik) of ACC, NMI and ARI on random labelings of up to 300 points with up
 * to 12 labels and clusters: each lies in its range and is never NaN, NMI, ARI and ACC are
 * symmetric in their two arguments, every metric is invariant to renaming the clusters (and the
 * labels), and a labeling compared with itself scores 1.
 */
class ClusteringMetricsPropertiesTest {
  /** Two labelings of the same points, and a seed for a renaming. */
  record Labelings(int[] labels, int[] clusters, long seed) {}

  @Provide
  Arbitrary<Labelings> labelings() {
    Arbitrary<Integer> n = Arbitraries.integers().between(1, 300);
    Arbitrary<Integer> numLabels = Arbitraries.integers().between(1, 12);
    Arbitrary<Integer> numClusters = Arbitraries.integers().between(1, 12);
    Arbitrary<Long> seed = Arbitraries.longs();
    return Combinators.combine(n, numLabels, numClusters, seed).flatAs((size, l, c, s) ->
        Combinators.combine(
            Arbitraries.integers().between(0, l - 1).array(int[].class).ofSize(size),
            Arbitraries.integers().between(0, c - 1).array(int[].class).ofSize(size))
            .as((a, b) -> new Labelings(a, b, s)));
  }

  /** Renames the ids of {@code ids} by a random injection into [-1000, 1000). */
  private static int[] rename(int[] ids, long seed) {
    List<Integer> targets = new ArrayList<>();
    for (int v = -1000; v < 1000; v++) {
      targets.add(v);
    }
    Collections.shuffle(targets, new Random(seed));
    int[] out = new int[ids.length];
    for (int p = 0; p < ids.length; p++) {
      out[p] = targets.get(ids[p]);
    }
    return out;
  }

  private static final double TOL = 1e-12;

  @Property(tries = 200)
  void metricsLieInTheirRanges(@ForAll("labelings") Labelings x) {
    double acc = ClusteringMetrics.accuracy(x.labels(), x.clusters());
    double nmi = ClusteringMetrics.nmi(x.labels(), x.clusters());
    double ari = ClusteringMetrics.ari(x.labels(), x.clusters());
    assertTrue(acc > 0 && acc <= 1 + TOL, "ACC " + acc);
    // ACC is at least the share of the largest (label, cluster) cell: one matched pair
    ContingencyTable t = ContingencyTable.of(x.labels(), x.clusters());
    long largest = 0;
    for (int i = 0; i < t.numLabels(); i++) {
      for (int j = 0; j < t.numClusters(); j++) {
        largest = Math.max(largest, t.count(i, j));
      }
    }
    assertTrue(acc >= (double) largest / t.total() - TOL, "ACC " + acc + " below largest cell");
    assertTrue(nmi >= -TOL && nmi <= 1 + TOL, "NMI " + nmi);
    assertTrue(ari >= -1 - TOL && ari <= 1 + TOL, "ARI " + ari);
  }

  @Property(tries = 200)
  void metricsAreSymmetric(@ForAll("labelings") Labelings x) {
    assertEquals(ClusteringMetrics.nmi(x.labels(), x.clusters()),
        ClusteringMetrics.nmi(x.clusters(), x.labels()), TOL, "NMI");
    assertEquals(ClusteringMetrics.ari(x.labels(), x.clusters()),
        ClusteringMetrics.ari(x.clusters(), x.labels()), TOL, "ARI");
    assertEquals(ClusteringMetrics.accuracy(x.labels(), x.clusters()),
        ClusteringMetrics.accuracy(x.clusters(), x.labels()), TOL, "ACC");
  }

  @Property(tries = 200)
  void metricsAreInvariantToRenamingClustersAndLabels(@ForAll("labelings") Labelings x) {
    int[] clusters = rename(x.clusters(), x.seed());
    int[] labels = rename(x.labels(), ~x.seed());
    assertEquals(ClusteringMetrics.accuracy(x.labels(), x.clusters()),
        ClusteringMetrics.accuracy(labels, clusters), TOL, "ACC");
    assertEquals(ClusteringMetrics.nmi(x.labels(), x.clusters()),
        ClusteringMetrics.nmi(labels, clusters), TOL, "NMI");
    assertEquals(ClusteringMetrics.ari(x.labels(), x.clusters()),
        ClusteringMetrics.ari(labels, clusters), TOL, "ARI");
  }

  @Property(tries = 100)
  void aLabelingComparedWithARenamingOfItselfScoresOne(@ForAll("labelings") Labelings x) {
    int[] renamed = rename(x.labels(), x.seed());
    assertEquals(1.0, ClusteringMetrics.accuracy(x.labels(), renamed), TOL, "ACC");
    assertEquals(1.0, ClusteringMetrics.nmi(x.labels(), renamed), TOL, "NMI");
    assertEquals(1.0, ClusteringMetrics.ari(x.labels(), renamed), TOL, "ARI");
  }
}
