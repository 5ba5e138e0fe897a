package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.spark.TrainingConfig;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** Figure 2's supervised training on soft targets, on three Gaussian blobs (train 300, test 150). */
class SoftTargetClassificationTest {
  /** Full-batch steps, enough of them for small features: 60 epochs of one batch, step 1. */
  private static final TrainingConfig SETTINGS = TrainingConfig.builder().k(3).lambda(0)
      .epochs(60).batchSize(300).stepSize(1.0).weightDecay(0.001).optimizer("sgd").momentum(0)
      .emMaxIter(1).emTol(1).seed(1L).schedule("minibatch").build();

  private static Dataset<Row> blobs(int n, long seed) {
    Random rnd = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = i % 3;
      double[] x = new double[4];
      for (int d = 0; d < x.length; d++) {
        // small features keep the initial classifier unsure: collision cross-entropy barely
        // corrects a confident wrong prediction when the target is soft
        x[d] = 0.25 * (rnd.nextGaussian() + (d == label ? 4.0 : 0.0));
      }
      rows.add(RowFactory.create(label, Vectors.dense(x)));
    }
    StructType schema = new StructType().add("label", DataTypes.IntegerType)
        .add("features", SQLDataTypes.VectorType());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    return SharedSpark.session().createDataFrame(jsc.parallelize(rows, 2), schema);
  }

  @Test
  void bothLossesLearnCleanLabelsAndCollisionSurvivesNoise() {
    Dataset<Row> train = blobs(300, 1);
    Dataset<Row> test = blobs(150, 2);
    for (String loss : SoftTargetClassification.LOSSES) {
      double acc = SoftTargetClassification.testAccuracy(train, test, "features", "label", 3, loss,
          0, 1, SETTINGS);
      assertTrue(acc >= 0.95, loss + " clean test accuracy " + acc);
    }
    double noisy = SoftTargetClassification.testAccuracy(train, test, "features", "label", 3,
        "collision", 0.5, 1, SETTINGS);
    assertTrue(noisy >= 0.8, "collision at eta 0.5: " + noisy);
  }

  /**
   * The estimator's supervised methods train on the targets' cross-entropy alone: the seed-label
   * weight of the semi-supervised mode does not apply (it would scale Shannon's loss and add
   * Shannon's term to the collision loss).
   */
  @Test
  void supervisedMethodsIgnoreTheSeedLabelWeight() {
    Dataset<Row> train = blobs(90, 4);
    for (String method : List.of("supervised-collision", "supervised-shannon")) {
      double[] w0 = supervised(train, method, 0).weights();
      double[] w2 = supervised(train, method, 2).weights();
      org.junit.jupiter.api.Assertions.assertArrayEquals(w0, w2, 0.0, method);
    }
  }

  private static CollisionClusteringModel supervised(Dataset<Row> train, String method,
      double weight) {
    return new CollisionClustering().setK(3).setMethod(method).setSeedLabelCol("label")
        .setSeedLabelWeight(weight).setMaxIter(2).setBatchSize(30).setSeed(5).fit(train);
  }

  @Test
  void invalidArgumentsAreRejected() {
    Dataset<Row> d = blobs(30, 3);
    assertThrows(IllegalArgumentException.class, () -> SoftTargetClassification.testAccuracy(d, d,
        "features", "label", 3, "hinge", 0, 1, SETTINGS));
    assertThrows(IllegalArgumentException.class, () -> SoftTargetClassification.testAccuracy(d, d,
        "features", "label", 3, "shannon", 1.5, 1, SETTINGS));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SoftTargetClassification.testAccuracy(d, d, "features", "label", 2, "shannon", 0, 1,
            SoftTargetClassification.defaults(2, 1)));
    assertTrue(SoftTargetClassification.defaults(2, 1).epochs() == 10);
    assertTrue(e.getMessage().contains("row 2"), e.getMessage());
  }
}
