package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
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
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code array<double>} and {@code array<float>} feature columns work wherever a vector column
 * does, as MLlib's clustering estimators accept them (MLTestingUtils' array-feature check: the
 * same data as vectors and as arrays gives the same model and predictions).
 */
class ArrayFeaturesTest {
  private static final int ROWS = 150;
  private static final int DIM = 3;

  /** Columns id, vec (vector), dbl (array<double>), flt (array<float>) and fvec (vector of the
   * float-rounded values). */
  private static Dataset<Row> data;

  @BeforeAll
  static void makeData() {
    Random rnd = new Random(11L);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      double[] x = new double[DIM];
      Double[] boxed = new Double[DIM];
      Float[] floats = new Float[DIM];
      double[] rounded = new double[DIM];
      for (int d = 0; d < DIM; d++) {
        x[d] = rnd.nextGaussian() + (d == i % DIM ? 5 : 0);
        boxed[d] = x[d];
        floats[d] = (float) x[d];
        rounded[d] = floats[d];
      }
      rows.add(RowFactory.create(i, Vectors.dense(x), boxed, floats, Vectors.dense(rounded)));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("vec", SQLDataTypes.VectorType())
        .add("dbl", DataTypes.createArrayType(DataTypes.DoubleType, false))
        .add("flt", DataTypes.createArrayType(DataTypes.FloatType, false))
        .add("fvec", SQLDataTypes.VectorType());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.session().sparkContext());
    data = SharedSpark.session().createDataFrame(jsc.parallelize(rows, 2), schema);
  }

  private static CollisionClustering estimator(String featuresCol) {
    return new CollisionClustering().setK(DIM).setMaxIter(3).setBatchSize(50).setSeed(3)
        .setFeaturesCol(featuresCol);
  }

  private static List<Row> output(CollisionClusteringModel m) {
    return m.transform(data).orderBy("id").select("prediction", "probability").collectAsList();
  }

  @Test
  void arrayOfDoublesFitsAndTransformsLikeTheVectors() {
    CollisionClusteringModel fromVectors = estimator("vec").fit(data);
    CollisionClusteringModel fromArrays = estimator("dbl").fit(data);
    assertArrayEquals(fromVectors.weights(), fromArrays.weights(), 0);
    assertArrayEquals(fromVectors.bias(), fromArrays.bias(), 0);
    assertEquals(output(fromVectors), output(fromArrays.setFeaturesCol("dbl")));
    assertEquals(output(fromVectors), output(fromVectors.copy(
        new org.apache.spark.ml.param.ParamMap()).setFeaturesCol("dbl")));
  }

  @Test
  void arrayOfFloatsFitsAndTransformsLikeItsValuesAsVectors() {
    CollisionClusteringModel fromVectors = estimator("fvec").fit(data);
    CollisionClusteringModel fromFloats = estimator("flt").fit(data);
    assertArrayEquals(fromVectors.weights(), fromFloats.weights(), 0);
    assertEquals(output(fromVectors), output(fromFloats.setFeaturesCol("flt")));
    assertEquals(ROWS, fromFloats.summary().predictions().count());
  }

  @Test
  void aNullElementIsReportedWithItsRowAndIndex() {
    List<Row> rows = List.of(RowFactory.create((Object) new Double[] {1.0, 2.0}),
        RowFactory.create((Object) new Double[] {3.0, null}),
        RowFactory.create((Object) new Double[] {0.5, 1.0}));
    Dataset<Row> bad = SharedSpark.session().createDataFrame(rows, new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, true)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CollisionClustering().setK(2).fit(bad));
    assertTrue(e.getMessage().contains("features column 'features': row 1 has a null value at"
        + " index 1"), e.getMessage());
  }

  @Test
  void otherArrayTypesAreRefusedNamingTheAcceptedTypes() {
    Dataset<Row> ints = SharedSpark.session().createDataFrame(
        List.of(RowFactory.create((Object) new Integer[] {1, 2})),
        new StructType().add("features", DataTypes.createArrayType(DataTypes.IntegerType)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CollisionClustering().setK(2).fit(ints));
    assertTrue(e.getMessage().contains("array<double> or array<float> but was actually"
        + " array<int>"), e.getMessage());
    assertTrue(Arrays.asList(data.columns()).contains("flt"));
  }
}
