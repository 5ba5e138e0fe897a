package org.ccespark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.BinaryAttribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import scala.Option;

/**
 * Output column metadata as MLlib's clustering models write it, checked the way MLlib's own
 * {@code MLTest.checkNominalOnDF} and {@code checkVectorSizeOnDF} do (reproduced here: MLTest does
 * not load on Spark 4.2).
 */
class OutputMetadataTest {
  private static final int D = 2;
  private static final int K = 3;

  /** MLTest.checkNominalOnDF: the column is a nominal (or binary) attribute with numValues. */
  static void checkNominalOnDF(StructType schema, String column, int numValues) {
    Attribute attr = Attribute.fromStructField(schema.apply(column));
    Option<Object> n = attr instanceof BinaryAttribute ? Option.apply(2)
        : attr instanceof NominalAttribute nominal ? nominal.getNumValues() : Option.empty();
    assertTrue(n.isDefined() && ((Integer) n.get()) == numValues,
        "the number of values of column " + column + " is not set correctly: " + attr);
  }

  /** MLTest.checkVectorSizeOnDF: the column's attribute group has the vector size. */
  static void checkVectorSizeOnDF(StructType schema, String column, int vectorSize) {
    assertEquals(vectorSize, AttributeGroup.fromStructField(schema.apply(column)).size(),
        "the vector size of column " + column + " is not set correctly");
  }

  private static Dataset<Row> frame() {
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create(Vectors.dense(1, 0)));
    rows.add(RowFactory.create(Vectors.dense(0, 1)));
    return SharedSpark.session().createDataFrame(rows,
        new StructType().add("features", SQLDataTypes.VectorType()));
  }

  @Test
  void transformWritesNominalPredictionAndSizedProbability() {
    CollisionClusteringModel model = new CollisionClusteringModel("ccm_meta", D, K,
        new double[] {1, 0, -1, 0, 1, 0}, new double[K]);
    StructType out = model.transform(frame()).schema();
    checkNominalOnDF(out, "prediction", K);
    checkVectorSizeOnDF(out, "probability", K);
    assertEquals("prediction", Attribute.fromStructField(out.apply("prediction")).name().get());
  }

  @Test
  void predictionAloneCarriesItsMetadataToo() {
    CollisionClusteringModel model = new CollisionClusteringModel("ccm_meta", D, K,
        new double[D * K], new double[K]).setProbabilityCol("").setPredictionCol("cluster");
    StructType out = model.transform(frame()).schema();
    checkNominalOnDF(out, "cluster", K);
  }

  @Test
  void transformSchemaAnnouncesTheSameMetadata() {
    CollisionClustering est = new CollisionClustering().setK(5);
    StructType schema = est.transformSchema(frame().schema());
    checkNominalOnDF(schema, "prediction", 5);
    checkVectorSizeOnDF(schema, "probability", 5);
  }
}
