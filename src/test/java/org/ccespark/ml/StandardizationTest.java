package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/**
 * The {@code standardization} param (issue 17): the fit does not depend on the features' scale,
 * the model lives in the original feature space exactly, and a non-finite loss fails loudly.
 */
class StandardizationTest {
  private static final int ROWS = 150;
  private static final int DIM = 4;
  private static final int K = 3;

  /**
   * Rows (id, label, features): three blobs centred at 8·e_j with unit variance, every value
   * multiplied by {@code factor}, and column 0 also by {@code column0}; column 3 constant.
   */
  private static Dataset<Row> blobs(double factor, double column0) {
    Random rnd = new Random(17L);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      int label = i % K;
      double[] x = new double[DIM];
      for (int d = 0; d < K; d++) {
        x[d] = (rnd.nextGaussian() + (d == label ? 8.0 : 0.0)) * factor;
      }
      x[0] *= column0;
      x[3] = 2.5 * factor;
      rows.add(RowFactory.create(i, label, Vectors.dense(x)));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("label", DataTypes.IntegerType).add("features", SQLDataTypes.VectorType());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    return SharedSpark.session().createDataFrame(jsc.parallelize(rows, 2), schema);
  }

  private static CollisionClustering estimator() {
    return new CollisionClustering().setK(K).setMaxIter(8).setBatchSize(50).setSeed(4);
  }

  /** Cluster ids renamed in order of first appearance (by id), so equal partitions are equal. */
  private static List<Integer> partition(CollisionClusteringModel model, Dataset<Row> data) {
    Map<Integer, Integer> names = new HashMap<>();
    List<Integer> out = new ArrayList<>();
    for (Row r : model.transform(data).orderBy("id").select("prediction").collectAsList()) {
      out.add(names.computeIfAbsent(r.getInt(0), c -> names.size()));
    }
    return out;
  }

  private static double accuracy(List<Integer> partition, Dataset<Row> data) {
    List<Integer> labels = data.orderBy("id").select("label").collectAsList().stream()
        .map(r -> r.getInt(0)).toList();
    // blobs cycle 0,1,2 from id 0, so a perfect partition names them 0,1,2 in that order
    int hits = 0;
    for (int i = 0; i < labels.size(); i++) {
      hits += partition.get(i).equals(labels.get(i)) ? 1 : 0;
    }
    return hits / (double) labels.size();
  }

  @Test
  void theClusteringDoesNotDependOnTheFeaturesScale() {
    Dataset<Row> plain = blobs(1, 1);
    List<Integer> expected = partition(estimator().fit(plain), plain);
    assertTrue(accuracy(expected, plain) >= 0.95, "accuracy " + accuracy(expected, plain));
    double[][] scales = {{1e3, 1}, {1e9, 1}, {1e-300, 1}, {1, 1e19}};
    for (double[] s : scales) {
      Dataset<Row> data = blobs(s[0], s[1]);
      CollisionClusteringModel model = estimator().fit(data);
      assertEquals(expected, partition(model, data), "features x " + s[0] + ", column 0 x "
          + s[1]);
      assertEquals(0.0, model.weights()[3 * K], "constant column: zero weights");
    }
  }

  @Test
  void theModelInTheOriginalSpaceIsExactlyTheStandardizedClassifier() {
    Dataset<Row> data = blobs(1e-300, 1e19); // column 0 near 1e-281, the others near 1e-300
    Dataset<Row> wide = blobs(1, 1e19);
    for (Dataset<Row> d : List.of(data, wide)) {
      double[] divisors = Standardization.divisors(d, "features");
      assertNotNull(divisors);
      assertEquals(0.0, divisors[3], "constant column");
      Random rnd = new Random(5L);
      double[] w = new double[DIM * K];
      double[] b = new double[K];
      for (int i = 0; i < w.length; i++) {
        w[i] = rnd.nextGaussian();
      }
      for (int c = 0; c < K; c++) {
        b[c] = rnd.nextGaussian();
      }
      CollisionClusteringModel standardized = new CollisionClusteringModel("s", DIM, K, w, b);
      CollisionClusteringModel original = new CollisionClusteringModel("o", DIM, K,
          Standardization.toOriginalSpace(w, divisors, K), b);
      List<Row> expected = standardized.transform(Standardization.scaled(d, "features", divisors))
          .orderBy("id").select("probability", "prediction").collectAsList();
      List<Row> actual = original.transform(d).orderBy("id").select("probability", "prediction")
          .collectAsList();
      assertEquals(expected, actual);
    }
  }

  @Test
  void aLossThatIsNotFiniteFailsNamingStandardization() {
    Dataset<Row> data = blobs(1, 1e300); // logits overflow without standardization
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> estimator().setStandardization(false).fit(data));
    assertTrue(e.getMessage().contains("not finite") && e.getMessage().contains("standardization"),
        e.getMessage());
  }

  @Test
  void lossProblems() {
    assertNull(Standardization.lossProblem(new double[] {2.0, 1.5, 1.4}, true));
    assertNull(Standardization.lossProblem(new double[] {2.0}, true));
    assertTrue(Standardization.lossProblem(new double[] {0.7, 0.7, 0.7}, false)
        .contains("never moved"));
    assertTrue(Standardization.lossProblem(new double[] {1, Double.NaN}, true)
        .contains("not finite"));
  }
}
