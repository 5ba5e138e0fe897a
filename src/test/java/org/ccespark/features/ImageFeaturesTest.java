package org.ccespark.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageFiles;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extraction from an image folder: driver and executors modes give identical rows, in the
 * dataset's order, with the folder's labels and the extractor's features; an unreadable file fails
 * naming it, or is skipped and counted.
 */
class ImageFeaturesTest {
  @TempDir static Path dir;
  private static Path clean;
  private static Path dirty;
  /** The decoded images of the clean folder, in the dataset's order (class folder, file name). */
  private static final List<Image> IMAGES = new ArrayList<>();

  @BeforeAll
  static void writeFolders() throws IOException {
    clean = dir.resolve("clean");
    dirty = dir.resolve("dirty");
    int i = 0;
    for (String cls : List.of("cat", "dog")) {
      Files.createDirectories(clean.resolve(cls));
      Files.createDirectories(dirty.resolve(cls));
      for (int j = 0; j < 5; j++, i++) {
        Image img = TinyCnn.synthetic(i, 26 + j, 30 - j, i % 3 == 0 ? 1 : 3);
        String name = cls + "/img" + j + ".png";
        for (Path root : List.of(clean, dirty)) {
          try (OutputStream out = Files.newOutputStream(root.resolve(name))) {
            ImageFiles.writePng(img, out);
          }
        }
        IMAGES.add(img);
      }
    }
    Files.write(dirty.resolve("dog/img2b.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1});
  }

  private static ImageFeatures.Extraction extract(Path folder, String mode, int batch,
      int partitions, boolean skip) {
    return ImageFeatures.extract(SharedSpark.session(), folder.toString(), "folder",
        TinyCnn.spec("0"), new ImageFeatures.Options(mode, batch, partitions, skip), line -> { });
  }

  @Test
  void driverAndExecutorsGiveIdenticalRowsWithLabelsAndTheExtractorsFeatures() {
    ImageFeatures.Extraction driver = extract(clean, "driver", 3, 0, false);
    ImageFeatures.Extraction executors = extract(clean, "executors", 3, 3, false);
    List<Row> a = driver.rows().collectAsList();
    List<Row> b = executors.rows().collectAsList();
    assertEquals(10, a.size());
    assertEquals(a, b, "driver and executors modes differ");
    assertEquals(3, executors.rows().rdd().getNumPartitions());
    assertTrue(driver.hasLabel());
    assertEquals(List.of("cat", "dog"), driver.classNames());
    assertEquals(List.of("id", "label", "features"), List.of(driver.rows().columns()));
    assertEquals(TinyCnn.DIMENSION, executors.dimension());
    assertEquals(10, executors.processed());

    Preprocessing p = TinyCnn.spec("0").preprocessing();
    float[] batch = new float[IMAGES.size() * p.floatsPerImage()];
    for (int i = 0; i < IMAGES.size(); i++) {
      p.apply(IMAGES.get(i), batch, i * p.floatsPerImage());
    }
    float[][] expected;
    try (FeatureExtractor fx = FeatureExtractor.load(TinyCnn.spec("0"))) {
      expected = fx.extract(batch, IMAGES.size());
    }
    for (int i = 0; i < 10; i++) {
      Row r = a.get(i);
      assertEquals((i < 5 ? "cat" : "dog") + "/img" + (i % 5) + ".png", r.getString(0));
      assertEquals(i < 5 ? 0 : 1, r.getInt(1));
      double[] v = ((Vector) r.get(2)).toArray();
      for (int j = 0; j < v.length; j++) {
        assertEquals(expected[i][j], v[j], 1e-6, "image " + i + " feature " + j);
      }
    }
  }

  @Test
  void anUnreadableFileFailsNamingItOrIsSkippedAndCounted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> extract(dirty, "driver", 4, 0, false));
    assertTrue(e.getMessage().contains("img2b.png") && e.getMessage().contains("--skip-unreadable"),
        e.getMessage());
    Exception fromTask = assertThrows(Exception.class,
        () -> extract(dirty, "executors", 4, 2, false).rows().collectAsList());
    String m = ImageFeatureTransformerTest.messages(fromTask);
    assertTrue(m.contains("img2b.png"), m);

    for (String mode : List.of("driver", "executors")) {
      ImageFeatures.Extraction ex = extract(dirty, mode, 4, 2, true);
      List<Row> rows = ex.rows().collectAsList();
      assertEquals(10, rows.size(), mode);
      assertEquals(1, ex.skipped(), mode);
      assertEquals(11, ex.size(), mode);
      assertTrue(ex.skippedExamples().get(0).contains("img2b.png"), ex.skippedExamples().toString());
      assertFalse(rows.stream().anyMatch(r -> r.getString(0).contains("img2b")));
      // the other images keep their batches: same features as in the clean folder
      List<Row> cleanRows = extract(clean, "driver", 4, 0, false).rows().collectAsList();
      for (int i = 0; i < 10; i++) {
        assertEquals(cleanRows.get(i).getString(0), rows.get(i).getString(0));
        assertArrayEquals(((Vector) cleanRows.get(i).get(2)).toArray(),
            ((Vector) rows.get(i).get(2)).toArray(), 1e-6);
      }
    }
  }

  @Test
  void badOptionsFailClearly() {
    SparkSession spark = SharedSpark.session();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ImageFeatures.Options("gpu", 4, 0, false));
    assertTrue(e.getMessage().contains("driver, executors"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ImageFeatures.extract(spark, dir.resolve("none").toString(), "folder",
            TinyCnn.spec("0"), new ImageFeatures.Options("driver", 4, 0, false), l -> { }));
    assertTrue(e.getMessage().contains("none"), e.getMessage());
  }
}
