package org.ccespark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureInputTest {
  private final SparkSession spark = SharedSpark.session();

  @TempDir Path dir;

  // ------------------------------------------------------------------------------ helpers

  private Path write(String name, String... lines) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, String.join("\n", lines) + "\n");
    return p;
  }

  /** Writes rows as one Parquet file and returns its directory. */
  private Path parquet(String name, StructType schema, Row... rows) {
    Path p = dir.resolve(name);
    spark.createDataFrame(Arrays.asList(rows), schema).coalesce(1).write().parquet(p.toString());
    return p;
  }

  private static StructType schema(String featuresName, DataType featuresType) {
    return new StructType()
        .add("y", DataTypes.IntegerType)
        .add(featuresName, featuresType);
  }

  private static List<Row> rows(LoadedInput in) {
    List<Row> r = new ArrayList<>(in.data().collectAsList());
    r.sort(Comparator.comparingLong(x -> x.getLong(0)));
    return r;
  }

  private static double[] vec(Row r, String col) {
    Object v = r.get(r.fieldIndex(col));
    assertTrue(v instanceof DenseVector, "features must be dense, was " + v);
    return ((Vector) v).toArray();
  }

  private IllegalArgumentException fails(String path, String format, String features,
      String label) {
    return assertThrows(IllegalArgumentException.class,
        () -> FeatureInput.read(spark, path, format, features, label));
  }

  private static void assertMentions(Throwable e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part),
          "message should mention '" + part + "': " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------- CSV

  @Test
  void csvNumericColumnsBecomeFeaturesAndLabelIsExcluded() throws IOException {
    Path csv = write("points.csv",
        "a,kind,b,c",
        "1,cat,2.5,-1",
        "3,dog,4.0,0",
        "5,cat,6.5,7");
    LoadedInput in = FeatureInput.read(spark, csv.toString(), "auto", null, "kind");
    assertEquals("csv", in.format());
    assertEquals(List.of("row", "label", "features"), List.of(in.data().columns()));
    assertEquals(DataTypes.StringType, in.data().schema().apply("label").dataType());
    assertEquals(SQLDataTypes.VectorType(), in.data().schema().apply("features").dataType());
    assertEquals(List.of("a", "b", "c"), in.featureNames());
    assertEquals(3, in.numFeatures());
    assertEquals(3, in.numRows());
    List<Row> r = rows(in);
    assertEquals(List.of(0L, 1L, 2L), r.stream().map(x -> x.getLong(0)).toList());
    assertEquals(List.of("cat", "dog", "cat"), r.stream().map(x -> x.getString(1)).toList());
    assertArrayEquals(new double[] {1, 2.5, -1}, vec(r.get(0), "features"));
    assertArrayEquals(new double[] {5, 6.5, 7}, vec(r.get(2), "features"));
  }

  @Test
  void csvNumericLabelIsKeptAndNotAFeature() throws IOException {
    Path csv = write("numeric-label.csv", "x1,class,x2", "0.5,3,1", "1.5,7,2");
    LoadedInput in = FeatureInput.read(spark, csv.toString(), "csv", "vec", "class");
    assertEquals(List.of("row", "label", "vec"), List.of(in.data().columns()));
    assertEquals(DataTypes.IntegerType, in.data().schema().apply("label").dataType());
    List<Row> r = rows(in);
    assertEquals(7, r.get(1).getInt(1));
    assertArrayEquals(new double[] {1.5, 2}, vec(r.get(1), "vec"));
  }

  @Test
  void csvWithoutLabelUsesEveryColumn() throws IOException {
    Path csv = write("nolabel.csv", "p,q", "1,2", "3,4");
    LoadedInput in = FeatureInput.read(spark, csv.toString(), null, null, null);
    assertFalse(in.hasLabel());
    assertNull(in.labelCol());
    assertEquals(List.of("row", "features"), List.of(in.data().columns()));
    assertArrayEquals(new double[] {3, 4}, vec(rows(in).get(1), "features"));
  }

  @Test
  void rowIndexFollowsFileOrderAcrossSplitsAndFiles() throws IOException {
    // Three CSV files of different sizes, read in many small splits: Spark schedules the splits
    // largest first, but the row index must follow the file names and the lines of each file.
    Path csvDir = Files.createDirectories(dir.resolve("parts"));
    int[] sizes = {300, 50, 700};
    long id = 0;
    for (int f = 0; f < sizes.length; f++) {
      List<String> lines = new ArrayList<>(List.of("id,v"));
      for (int i = 0; i < sizes[f]; i++, id++) {
        lines.add(id + "," + (id % 7) + ".25");
      }
      Files.write(csvDir.resolve(String.format("part-%05d.csv", f)), lines);
    }
    String oldMax = spark.conf().get("spark.sql.files.maxPartitionBytes");
    String oldOpen = spark.conf().get("spark.sql.files.openCostInBytes");
    try {
      spark.conf().set("spark.sql.files.maxPartitionBytes", "2048");
      spark.conf().set("spark.sql.files.openCostInBytes", "0");
      LoadedInput in = FeatureInput.read(spark, csvDir.toString(), "auto", null, null);
      assertTrue(in.data().rdd().getNumPartitions() > 3, "expected several splits");
      assertEquals(id, in.numRows());
      List<Row> r = rows(in);
      for (int i = 0; i < r.size(); i++) {
        assertEquals(i, r.get(i).getLong(0));
        assertEquals(i, vec(r.get(i), "features")[0], "row " + i);
      }
    } finally {
      spark.conf().set("spark.sql.files.maxPartitionBytes", oldMax);
      spark.conf().set("spark.sql.files.openCostInBytes", oldOpen);
    }
  }

  // ------------------------------------------------------------------------------ Parquet

  @Test
  void parquetVectorColumnBecomesDense() {
    Path p = parquet("vectors.parquet", schema("emb", SQLDataTypes.VectorType()),
        RowFactory.create(4, Vectors.sparse(3, new int[] {1}, new double[] {2.0})),
        RowFactory.create(5, Vectors.dense(1, 2, 3)));
    LoadedInput in = FeatureInput.read(spark, p.toString(), "auto", "emb", "y");
    assertEquals("parquet", in.format());
    assertEquals(List.of("row", "label", "emb"), List.of(in.data().columns()));
    List<Row> r = rows(in);
    assertEquals(4, r.get(0).getInt(1));
    assertArrayEquals(new double[] {0, 2, 0}, vec(r.get(0), "emb"));
    assertArrayEquals(new double[] {1, 2, 3}, vec(r.get(1), "emb"));
  }

  @Test
  void parquetArrayColumnsOfAnyNumberTypeAreConverted() {
    StructType s = new StructType()
        .add("floats", DataTypes.createArrayType(DataTypes.FloatType))
        .add("doubles", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("ints", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("longs", DataTypes.createArrayType(DataTypes.LongType));
    Path p = parquet("arrays.parquet", s,
        RowFactory.create(new Float[] {0.5f, 1f}, new Double[] {0.5, 1.0}, new Integer[] {1, 2},
            new Long[] {1L, 2L}),
        RowFactory.create(new Float[] {2f, -3.25f}, new Double[] {2.0, -3.25},
            new Integer[] {3, 4}, new Long[] {3L, 4L}));
    for (String column : s.fieldNames()) {
      LoadedInput in = FeatureInput.read(spark, p.toString(), "parquet", column, null);
      assertEquals(2, in.numFeatures());
      List<Row> r = rows(in);
      assertEquals(List.of("row", column), List.of(in.data().columns()));
      boolean integral = column.equals("ints") || column.equals("longs");
      double[] expected = integral ? new double[] {3, 4} : new double[] {2, -3.25};
      assertArrayEquals(expected, vec(r.get(1), column), column);
    }
  }

  @Test
  void parquetRowsFollowPartOrderNotSizeOrder() throws IOException {
    StructType s = schema("features", DataTypes.createArrayType(DataTypes.DoubleType));
    List<Row> small = new ArrayList<>();
    List<Row> large = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      small.add(RowFactory.create(i, new Double[] {(double) i}));
    }
    for (int i = 5; i < 400; i++) {
      large.add(RowFactory.create(i, new Double[] {(double) i}));
    }
    Path a = parquet("a", s, small.toArray(new Row[0]));
    Path b = parquet("b", s, large.toArray(new Row[0]));
    Path parts = Files.createDirectories(dir.resolve("table"));
    Files.copy(onlyParquetFile(a), parts.resolve("part-00000.snappy.parquet"));
    Files.copy(onlyParquetFile(b), parts.resolve("part-00001.snappy.parquet"));
    LoadedInput in = FeatureInput.read(spark, parts.toString(), "auto", null, "y");
    assertEquals("parquet", in.format());
    for (Row r : in.data().collectAsList()) {
      assertEquals(r.getLong(0), (long) r.getInt(1));
      assertEquals(r.getLong(0), vec(r, "features")[0]);
    }
    assertEquals(400, in.numRows());
  }

  private static Path onlyParquetFile(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst()
          .orElseThrow();
    }
  }

  // ------------------------------------------------------------------------------- LibSVM

  @Test
  void libsvmIsReadDenseWithItsLabels() throws IOException {
    Path p = write("data.svm", "1 1:0.5 3:2", "0 2:1.5", "2 1:1 2:2 3:3");
    LoadedInput in = FeatureInput.read(spark, p.toString(), "auto", null, "class");
    assertEquals("libsvm", in.format());
    assertEquals(3, in.numFeatures());
    List<Row> r = rows(in);
    assertEquals(List.of(1.0, 0.0, 2.0), r.stream().map(x -> x.getDouble(1)).toList());
    assertArrayEquals(new double[] {0.5, 0, 2}, vec(r.get(0), "features"));
    assertArrayEquals(new double[] {0, 1.5, 0}, vec(r.get(1), "features"));

    LoadedInput noLabel = FeatureInput.read(spark, p.toString(), "libsvm", "x", null);
    assertEquals(List.of("row", "x"), List.of(noLabel.data().columns()));
  }

  @Test
  void autoFormatFollowsTheExtension() {
    assertEquals("parquet", FeatureInput.formatOfName("part-0001-abc.snappy.parquet"));
    assertEquals("csv", FeatureInput.formatOfName("DATA.CSV"));
    assertEquals("csv", FeatureInput.formatOfName("data.csv.gz"));
    assertEquals("libsvm", FeatureInput.formatOfName("a.libsvm"));
    assertEquals("libsvm", FeatureInput.formatOfName("a.svm"));
    assertEquals("libsvm", FeatureInput.formatOfName("a.txt"));
    assertNull(FeatureInput.formatOfName("a.json"));
  }

  // ------------------------------------------------------------------------------- errors

  @Test
  void missingPathUnknownFormatAndUnknownExtension() throws IOException {
    String missing = dir.resolve("nope.csv").toString();
    assertMentions(fails(missing, "auto", null, null), "does not exist", missing);
    Path csv = write("ok.csv", "a", "1");
    assertMentions(fails(csv.toString(), "json", null, null), "Unknown input format 'json'",
        csv.toString());
    Path dat = write("points.dat", "a", "1");
    assertMentions(fails(dat.toString(), "auto", null, null), "Cannot infer the format",
        dat.toString());
    assertMentions(fails(" ", "auto", null, null), "No input path");
  }

  @Test
  void missingColumnsAreNamed() throws IOException {
    Path p = parquet("cols.parquet", schema("features", SQLDataTypes.VectorType()),
        RowFactory.create(1, Vectors.dense(1, 2)));
    assertMentions(fails(p.toString(), "parquet", "emb", null),
        "Features column 'emb'", p.toString(), "'y', 'features'");
    assertMentions(fails(p.toString(), "parquet", null, "target"), "Label column 'target'");
    Path csv = write("cols.csv", "a,b", "1,2");
    assertMentions(fails(csv.toString(), "csv", null, "target"), "Label column 'target'",
        csv.toString());
  }

  @Test
  void wrongFeatureTypesAreNamed() throws IOException {
    Path csv = write("mixed.csv", "a,name,b,city,label", "1,x,2,y,0", "3,z,4,w,1");
    assertMentions(fails(csv.toString(), "csv", null, "label"),
        "Row 0 of '" + csv + "' has a non-numeric value 'x' in feature column 'name'");
    Path p = parquet("strings.parquet", schema("features", DataTypes.StringType),
        RowFactory.create(1, "x"));
    assertMentions(fails(p.toString(), "parquet", null, null), "Features column 'features'",
        "string");
  }

  @Test
  void nullAndNonFiniteCsvValuesNameRowAndColumn() throws IOException {
    Path nulls = write("nulls.csv", "a,b,c", "1,2,3", "4,5,6", "7,,9", "1,2,3", "1,,3");
    assertMentions(fails(nulls.toString(), "csv", null, null),
        "Row 2 of", nulls.toString(), "null value", "feature column 'b'", "rows: 2, 4");
    Path nan = write("nan.csv", "a,b", "1,2", "3,4", "NaN,5");
    assertMentions(fails(nan.toString(), "csv", null, null),
        "Row 2 of", "NaN", "feature column 'a'");
  }

  @Test
  void nullAndNonFiniteVectorValuesNameRowAndElement() {
    // One file, one defect per column: each read names the features column it was asked for.
    DataType doubles = DataTypes.createArrayType(DataTypes.DoubleType);
    StructType s = new StructType()
        .add("inf", doubles)
        .add("nullElement", doubles)
        .add("nullArray", doubles)
        .add("nanVector", SQLDataTypes.VectorType());
    Path p = parquet("defects.parquet", s,
        RowFactory.create(new Double[] {1.0, 2.0}, new Double[] {1.0, 2.0}, new Double[] {1.0},
            Vectors.dense(1, 2, 3)),
        RowFactory.create(new Double[] {1.0, Double.POSITIVE_INFINITY}, new Double[] {3.0, 4.0},
            null, Vectors.sparse(3, new int[] {2}, new double[] {Double.NaN})),
        RowFactory.create(new Double[] {1.0, 2.0}, new Double[] {null, 2.0}, new Double[] {2.0},
            Vectors.dense(1, 2, 3)));
    assertMentions(fails(p.toString(), "parquet", "inf", null),
        "Row 1 of '" + p + "' has a non-finite value (Infinity) in element 1 of features column"
            + " 'inf'.");
    assertMentions(fails(p.toString(), "parquet", "nullElement", null),
        "Row 2 of", "null value in element 0 of features column 'nullElement'");
    assertMentions(fails(p.toString(), "parquet", "nullArray", null),
        "Row 1 of", "null value in features column 'nullArray'");
    assertMentions(fails(p.toString(), "auto", "nanVector", null),
        "Row 1 of", "NaN", "element 2 of features column 'nanVector'");
  }

  @Test
  void wrongLengthVectorsNameRowAndBothLengths() {
    StructType s = new StructType()
        .add("vec", SQLDataTypes.VectorType())
        .add("arr", DataTypes.createArrayType(DataTypes.IntegerType));
    Path p = parquet("ragged.parquet", s,
        RowFactory.create(Vectors.dense(1, 2, 3, 4), new Integer[] {1, 2}),
        RowFactory.create(Vectors.dense(1, 2, 3, 4), new Integer[] {1, 2, 3}),
        RowFactory.create(Vectors.dense(1, 2, 3), new Integer[] {1, 2}),
        RowFactory.create(Vectors.sparse(4, new int[] {0}, new double[] {1}), new Integer[] {1}));
    assertMentions(fails(p.toString(), "parquet", "vec", null),
        "Row 2 of '" + p + "' has 3 values in features column 'vec' but row 0 has 4.");
    assertMentions(fails(p.toString(), "parquet", "arr", null),
        "Row 1 of", "3 values", "row 0 has 2", "(first offending rows: 1, 3)");
  }

  @Test
  void emptyInputsAreRejected() throws IOException {
    Path headerOnly = write("empty.csv", "a,b");
    assertMentions(fails(headerOnly.toString(), "csv", null, null), "has no rows",
        headerOnly.toString());
    Path p = parquet("empty.parquet", schema("features", SQLDataTypes.VectorType()));
    assertMentions(fails(p.toString(), "parquet", null, null), "has no rows", p.toString());
    Path svm = write("empty.libsvm", "");
    assertMentions(fails(svm.toString(), "auto", null, null), "has no rows", svm.toString());
  }
}
