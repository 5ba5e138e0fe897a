package org.ccespark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input at the reader ({@link FeatureInput}): invalid rows left out with {@code skipInvalid}
 * (counted, keeping the input's row indices), malformed CSV values named by row, and malformed
 * LibSVM lines named by file and line number.
 */
class FeatureInputBadInputTest {
  private final SparkSession spark = SharedSpark.session();

  @TempDir Path dir;

  private Path write(String name, String... lines) throws IOException {
    return Files.write(dir.resolve(name), List.of(lines));
  }

  private static List<Row> rows(LoadedInput in) {
    List<Row> r = new ArrayList<>(in.data().collectAsList());
    r.sort(Comparator.comparingLong(x -> x.getLong(0)));
    return r;
  }

  private static List<Long> indices(LoadedInput in) {
    return rows(in).stream().map(r -> r.getLong(0)).toList();
  }

  private IllegalArgumentException fails(Path path, boolean skip) {
    return assertThrows(IllegalArgumentException.class,
        () -> FeatureInput.read(spark, path.toString(), "auto", null, null, null, skip));
  }

  private static void assertMentions(Throwable e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part),
          "message should mention '" + part + "': " + e.getMessage());
    }
  }

  @Test
  void skipLeavesOutInvalidVectorsAndKeepsTheRowIndices() {
    StructType s = new StructType().add("y", DataTypes.IntegerType)
        .add("features", SQLDataTypes.VectorType());
    Path p = dir.resolve("mixed.parquet");
    List<Row> data = List.of(
        RowFactory.create(0, null), // null vector: skipped; the length comes from row 1
        RowFactory.create(1, Vectors.dense(1, 2, 3)),
        RowFactory.create(2, Vectors.dense(1, Double.NaN, 3)),
        RowFactory.create(3, Vectors.dense(4, 5, 6)),
        RowFactory.create(4, Vectors.dense(4, 5)), // wrong length
        RowFactory.create(5, Vectors.dense(Double.NEGATIVE_INFINITY, 0, 0)),
        RowFactory.create(6, Vectors.sparse(3, new int[] {2}, new double[] {7})));
    spark.createDataFrame(data, s).coalesce(1).write().parquet(p.toString());

    // without a length in row 0, error mode checks only the values (row 4 is not reached)
    IllegalArgumentException strict = fails(p, false);
    assertMentions(strict, "Row 0 of", "null value", "(first offending rows: 0, 2, 5)");

    LoadedInput in = FeatureInput.read(spark, p.toString(), "auto", null, "y", null, true);
    assertEquals(4, in.skippedRows());
    assertEquals(3, in.numRows());
    assertEquals(3, in.numFeatures());
    assertEquals(List.of(1L, 3L, 6L), indices(in));
    List<Row> kept = rows(in);
    for (Row r : kept) {
      assertEquals(r.getLong(0), (long) r.getInt(1), "label follows its row");
    }
    assertArrayEquals(new double[] {0, 0, 7}, ((Vector) kept.get(2).get(2)).toArray());
    assertEquals(3, in.data().count());
  }

  @Test
  void skipWithNoValidRowFails() throws IOException {
    Path csv = write("allbad.csv", "a,b", "1,NaN", "x,2", ",3");
    assertMentions(fails(csv, true), "has no valid row", "all 3 rows", csv.toString());
  }

  @Test
  void malformedCsvValuesAreNamedByRowOrSkipped() throws IOException {
    // line 4 has a word in a numeric column, line 5 one field too few (null), line 6 infinity
    Path csv = write("malformed.csv", "a,b,label", "1,2,0", "3,4,1", "5,abc,0", "7", "8,Infinity,1",
        "9,10,0");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureInput.read(spark, csv.toString(), "csv", null, "label", null, false));
    assertMentions(e, "Row 2 of '" + csv + "' has a non-numeric value 'abc' in feature column 'b'",
        "(first offending rows: 2, 3, 4)");

    LoadedInput in = FeatureInput.read(spark, csv.toString(), "csv", null, "label", null, true);
    assertEquals(3, in.skippedRows());
    assertEquals(List.of(0L, 1L, 5L), indices(in));
    assertArrayEquals(new double[] {9, 10}, ((Vector) rows(in).get(2).get(2)).toArray());
  }

  @Test
  void aTextColumnIsNamedWithItsFirstRow() throws IOException {
    Path csv = write("text.csv", "a,name", "1,x", "2,y");
    assertMentions(fails(csv, false),
        "Row 0 of", "non-numeric value 'x' in feature column 'name'", "(first offending rows: 0, 1)");
  }

  @Test
  void malformedLibSvmLinesAreNamedByFileAndLine() throws IOException {
    String[][] cases = {
        {"1 1:0.5 2:1", "# comment", "", "0 1:x", "value 'x' of index 1 is not a number"},
        {"1 1:0.5 2:1", "0 2:1 1:3", "index 1 does not follow 2"},
        {"1 1:0.5", "1 1:1", "abc 1:1", "label 'abc' is not a number"},
        {"1 1:0.5", "1 0:1", "index 0 is not between 1"},
        {"1 1:0.5", "1 a:1", "index 'a' is not an integer"},
        {"1 1:0.5", "1 7", "'7' is not index:value"},
    };
    for (int c = 0; c < cases.length; c++) {
      String[] lines = Arrays.copyOf(cases[c], cases[c].length - 1);
      Path p = write("bad" + c + ".libsvm", lines);
      IllegalArgumentException e = fails(p, false);
      assertMentions(e, "Line " + lines.length + " of '", p.getFileName().toString(),
          "is not a LibSVM line", cases[c][cases[c].length - 1],
          "'" + lines[lines.length - 1] + "'");
      // Skipping does not apply to a line Spark cannot parse: it fails the same way.
      assertEquals(e.getMessage(), fails(p, true).getMessage());
    }
  }

  @Test
  void libSvmLineCheckAcceptsWhatSparkAccepts() {
    for (String ok : new String[] {"", "  ", "# x", "1", "-1 1:2", "0 1:1e-3 3:-2 10:NaN",
        "2.5 4:1   5:2"}) {
      assertNull(LibSvmLines.problem(ok), ok);
    }
  }
}
