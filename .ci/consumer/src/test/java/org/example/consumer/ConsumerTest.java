package org.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.ccespark.ml.ClusteringMetricsEvaluator;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.ml.CollisionClusteringModel;
import org.junit.jupiter.api.Test;

/**
 * cce-spark used as a library from another Maven project: the estimator fits three well
 * separated Gaussian blobs in a real local Spark session and finds them.
 */
class ConsumerTest {
  @Test
  void fitsTheEstimatorOnATinyDataset() {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("cce-spark-consumer")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Random random = new Random(7);
      double[][] centres = {{0, 0}, {8, 0}, {0, 8}};
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        int label = i % 3;
        rows.add(RowFactory.create(label, Vectors.dense(
            centres[label][0] + random.nextGaussian(), centres[label][1] + random.nextGaussian())));
      }
      StructType schema = new StructType(new StructField[] {
          DataTypes.createStructField("label", DataTypes.IntegerType, false),
          DataTypes.createStructField("features", SQLDataTypes.VectorType(), false)});
      Dataset<Row> data = spark.createDataFrame(rows, schema).repartition(2);

      CollisionClusteringModel model = new CollisionClustering().setK(3).setMaxIter(10)
          .setSeed(1).fit(data);
      Dataset<Row> clustered = model.transform(data);
      double acc = new ClusteringMetricsEvaluator().setMetricName("acc").evaluate(clustered);
      System.out.println("cce-spark as a library: " + model + ", ACC " + acc);
      assertEquals(300, clustered.count());
      assertEquals(1.0, acc, 0.05, "three separated blobs are found");
      // cce-spark's own code and DJL's Java code are inherited, libtorch's natives are not
      // (the jar ai.djl.pytorch:pytorch-native-cpu holds native/lib/pytorch.properties).
      ClassLoader loader = ConsumerTest.class.getClassLoader();
      assertNotNull(loader.getResource("ai/djl/engine/Engine.class"), "DJL's api is inherited");
      assertNull(loader.getResource("native/lib/pytorch.properties"), "libtorch is not inherited");
    } finally {
      spark.stop();
    }
  }
}
