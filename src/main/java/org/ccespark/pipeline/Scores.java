package org.ccespark.pipeline;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.eval.ContingencyTable;

/**
 * ACC, NMI and ARI of a clustering against the true labels: the one place the command line and the
 * experiments compute them, from labels and predictions, a contingency table, or a Dataset (one
 * Spark aggregation). The kernels are {@link ClusteringMetrics}'.
 *
 * @param acc clustering accuracy under the best one-to-one matching of clusters to classes
 * @param nmi normalised mutual information
 * @param ari adjusted Rand index
 */
public record Scores(double acc, double nmi, double ari) {

  /** The scores of a contingency table of labels (rows) by clusters (columns). */
  public static Scores of(ContingencyTable table) {
    return new Scores(ClusteringMetrics.accuracy(table), ClusteringMetrics.nmi(table),
        ClusteringMetrics.ari(table));
  }

  /**
   * The scores of predictions against labels, position by position.
   *
   * @param labels the true class of each point
   * @param predictions the cluster of each point
   */
  public static Scores of(int[] labels, int[] predictions) {
    return of(ContingencyTable.of(labels, predictions));
  }

  /**
   * The scores of a Dataset's predictions against its labels: one group-by of the (label,
   * prediction) pairs, collected as a contingency table. Labels and predictions may be of any
   * orderable type; no value may be null.
   *
   * @throws IllegalArgumentException if the Dataset is empty or a value is null
   */
  public static Scores of(Dataset<Row> data, String labelCol, String predictionCol) {
    List<Row> groups = data.groupBy(functions.col(labelCol), functions.col(predictionCol))
        .count().collectAsList();
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("cannot score a clustering of no rows");
    }
    Map<Object, Integer> labels = new TreeMap<>();
    Map<Object, Integer> clusters = new TreeMap<>();
    for (Row row : groups) {
      if (row.isNullAt(0) || row.isNullAt(1)) {
        throw new IllegalArgumentException("cannot score a null " + (row.isNullAt(0) ? labelCol
            : predictionCol));
      }
      labels.put(row.get(0), 0);
      clusters.put(row.get(1), 0);
    }
    number(labels);
    number(clusters);
    int[] l = new int[groups.size()];
    int[] c = new int[groups.size()];
    long[] n = new long[groups.size()];
    for (int i = 0; i < n.length; i++) {
      Row row = groups.get(i);
      l[i] = labels.get(row.get(0));
      c[i] = clusters.get(row.get(1));
      n[i] = row.getLong(2);
    }
    return of(ContingencyTable.fromTriples(labels.size(), clusters.size(), l, c, n));
  }

  private static void number(Map<Object, Integer> values) {
    int i = 0;
    for (Map.Entry<Object, Integer> e : values.entrySet()) {
      e.setValue(i++);
    }
  }
}
