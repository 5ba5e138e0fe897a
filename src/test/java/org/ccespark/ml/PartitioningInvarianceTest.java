package org.ccespark.ml;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ccespark.data.DemoData;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/**
 * The fairness term of eq. 11 is over the whole mini-batch, so how the rows are partitioned
 * cannot change the objective: real digits (the bundled MNIST sample, classes 0, 1 and 6)
 * partitioned by class — every partition holds one class, the layout that made per-partition
 * balancing split each class — cluster as well as the same rows shuffled over four partitions.
 */
class PartitioningInvarianceTest {

  private static double nmi(Dataset<Row> data) {
    // the paper's random start: K-means' own start depends on the partitioning
    CollisionClusteringModel model = new CollisionClustering().setInit("random").setK(3).setMaxIter(8)
        .setBatchSize(120).setSeed(7).fit(data);
    List<Row> rows = model.transform(data).select("label", "prediction").collectAsList();
    int[] labels = rows.stream().mapToInt(r -> r.getInt(0)).toArray();
    int[] clusters = rows.stream().mapToInt(r -> r.getInt(1)).toArray();
    return ClusteringMetrics.nmi(labels, clusters);
  }

  @Test
  void classPartitionedAndShuffledInputClusterAlike() {
    Dataset<Row> digits = DemoData.load(SharedSpark.session())
        .where(col("label").isin(0, 1, 6)).cache();
    Dataset<Row> byClass = digits.repartitionByRange(3, col("label"));
    assertEquals(3, byClass.rdd().getNumPartitions());
    assertEquals(1L, byClass.selectExpr("spark_partition_id() AS p", "label").distinct()
        .groupBy("p").count().where("count > 1").count() + 1, "one class per partition");
    Dataset<Row> shuffled = digits.repartition(4);
    double a = nmi(byClass);
    double b = nmi(shuffled);
    digits.unpersist();
    assertTrue(a > 0.6 && b > 0.6, "both recover the digits: NMI " + a + ", " + b);
    assertEquals(a, b, 0.02, "class-partitioned vs shuffled NMI");
  }
}
