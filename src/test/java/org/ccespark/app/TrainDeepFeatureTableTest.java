package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.ImageShape;
import org.ccespark.data.PixelInput;
import org.ccespark.deep.DeepInput;
import org.ccespark.deep.TrainingImages;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-deep} on a feature table read with Spark: the Parquet pixel features that
 * {@code convert --to parquet} writes, and the errors of a table that is not images.
 */
class TrainDeepFeatureTableTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session(); // Main.run reuses it
  }

  @Test
  void parquetCopyTrainsExactlyLikeTheDatasetItCameFrom() throws Exception {
    Path parquet = tmp.resolve("digits");
    var c = InProcess.run("convert", "--input", "demo", "--to", "parquet", "--limit", "200",
        "--seed", "1", "--output", parquet.toString());
    assertEquals(Main.OK, c.status(), c.err());
    String[] common = {"--epochs", "1", "--batch-size", "100", "--augmentation-weight", "0",
        "--device", "cpu", "--seed", "1"};

    Path fromTable = tmp.resolve("table");
    var t = InProcess.run(concat(common, "train-deep", "--input", parquet.toString(), "--output",
        fromTable.toString()));
    assertEquals(Main.OK, t.status(), t.err());
    assertTrue(t.out().contains("parquet feature table"), t.out());
    JsonNode metrics = JSON.readTree(fromTable.resolve("metrics.json").toFile());
    assertEquals(200, metrics.get("images").asInt());
    assertEquals(200, metrics.get("scoredRows").asInt());
    assertEquals(201, Files.readAllLines(fromTable.resolve("predictions.csv")).size());
    assertTrue(Files.isDirectory(fromTable.resolve("features")));
    assertTrue(Files.isRegularFile(fromTable.resolve("model/network.params")));

    // The same 200 images read as a dataset: the convert sample and train-deep's --limit sample
    // are the same seeded selection in dataset order, so both runs see the same images in the
    // same order with bit-identical pixels (b / 255.0 rounded to float equals b / 255f for every
    // byte) and train with the same seed: the predictions must be equal, row by row.
    Path fromDataset = tmp.resolve("dataset");
    var d = InProcess.run(concat(common, "train-deep", "--input", "demo", "--limit", "200",
        "--output", fromDataset.toString()));
    assertEquals(Main.OK, d.status(), d.err());
    List<Row> a = predictions(fromTable);
    List<Row> b = predictions(fromDataset);
    assertEquals(200, a.size());
    assertEquals(b, a);
    JsonNode datasetMetrics = JSON.readTree(fromDataset.resolve("metrics.json").toFile());
    assertEquals(datasetMetrics.get("imageShape"), metrics.get("imageShape")); // 1x28x28 inferred
    assertEquals(datasetMetrics.get("acc"), metrics.get("acc"));
  }

  @Test
  void aTableThatIsNotImagesIsAClearErrorAndWritesNothing() throws Exception {
    Path csv = tmp.resolve("x.csv");
    Files.writeString(csv, "a,b,c\n0.1,0.2,0.3\n0.5,1.5,0\n");
    Path out = tmp.resolve("never");

    var length = InProcess.run("train-deep", "--input", csv.toString(), "--output",
        out.toString());
    assertEquals(Main.USAGE, length.status(), length.err());
    assertTrue(length.err().contains("3 values") && length.err().contains("--image-shape"),
        length.err());

    var mismatch = InProcess.run("train-deep", "--input", csv.toString(), "--image-shape",
        "3,2,2", "--output", out.toString());
    assertEquals(Main.USAGE, mismatch.status(), mismatch.err());
    assertTrue(mismatch.err().contains("have 3"), mismatch.err());

    var range = InProcess.run("train-deep", "--input", csv.toString(), "--image-shape", "1,1,3",
        "--output", out.toString());
    assertEquals(Main.FAILED, range.status(), range.err());
    assertTrue(range.err().contains("Row 1 of") && range.err().contains("1.5")
        && range.err().contains("[0, 1]"), range.err());

    var convert = InProcess.run("train-deep", "--input", csv.toString(), "--image-shape",
        "1,1,3", "--image-size", "28", "--output", out.toString());
    assertEquals(Main.USAGE, convert.status(), convert.err());
    assertTrue(convert.err().contains("feature table"), convert.err());

    var shapeOfDataset = InProcess.run("train-deep", "--input", "demo", "--image-shape",
        "1,28,28", "--output", out.toString());
    assertEquals(Main.USAGE, shapeOfDataset.status(), shapeOfDataset.err());
    assertTrue(shapeOfDataset.err().contains("image dataset"), shapeOfDataset.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void tablePixelsGoFromHeightWidthChannelToChannelMajorWithLabelsAndIds() throws Exception {
    // two 1x2 colour images, samples in HWC order: (r, g, b) of pixel 0, then of pixel 1
    Path csv = tmp.resolve("rgb.csv");
    Files.writeString(csv, "id,label,s0,s1,s2,s3,s4,s5\n"
        + "first,4,0.1,0.2,0.3,0.4,0.5,0.6\n"
        + "second,,1,0,0.5,0.25,0.75,0\n");
    try (DeepInput in = DeepInput.open(PixelInput.open(SharedSpark.session(), csv.toString(),
        ImageFrames.Selection.ALL, new PixelInput.Options("auto", 0, 0,
            ImageShape.parse("3,1,2", "--image-shape"), null, null), null))) {
      TrainingImages images = in.images();
      assertEquals(2, images.size());
      assertEquals(6, images.floatsPerImage());
      float[] x = new float[12];
      images.read(0, x, 0);
      images.read(1, x, 6);
      assertArrayEquals(new float[] {0.1f, 0.4f, 0.2f, 0.5f, 0.3f, 0.6f,
          1f, 0.25f, 0f, 0.75f, 0.5f, 0f}, x);
      assertEquals(4, images.label(0));
      assertEquals(-1, images.label(1)); // an empty label is unlabelled
      assertEquals("first", images.id(0));
      assertEquals("second", images.id(1));
    }
  }

  private static List<Row> predictions(Path run) {
    return SharedSpark.session().read().parquet(run.resolve("predictions").toString())
        .orderBy("row").collectAsList();
  }

  private static String[] concat(String[] tail, String... head) {
    String[] all = new String[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }
}
