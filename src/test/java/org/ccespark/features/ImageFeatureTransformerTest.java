package org.ccespark.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageFiles;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transformer on PNG files read three ways (Spark's image source, binaryFile bytes, paths)
 * gives the features the extractor computes from the same pixels; it saves, loads and runs in a
 * Pipeline; unreadable images fail naming the file or are dropped.
 */
class ImageFeatureTransformerTest {
  @TempDir static Path dir;
  private static Path images;
  /** Expected features by file name. */
  private static final Map<String, float[]> EXPECTED = new HashMap<>();
  private static final int N = 6;

  @BeforeAll
  static void writeImages() throws IOException {
    images = Files.createDirectories(dir.resolve("images"));
    Preprocessing p = new Preprocessing(TinyCnn.INPUT_SIZE, TinyCnn.RESIZE);
    float[] batch = new float[N * p.floatsPerImage()];
    List<String> names = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      int channels = i % 2 == 0 ? 3 : 1;
      Image img = TinyCnn.synthetic(i, 28 + 2 * i, 40 - i, channels);
      String name = "img" + i + ".png";
      ImageIO.write(ImageFiles.toBufferedImage(img), "png", images.resolve(name).toFile());
      p.apply(img, batch, i * p.floatsPerImage());
      names.add(name);
    }
    try (FeatureExtractor fx = FeatureExtractor.load(TinyCnn.spec("0"))) {
      float[][] f = fx.extract(batch, N);
      for (int i = 0; i < N; i++) {
        EXPECTED.put(names.get(i), f[i]);
      }
    }
  }

  private static ImageFeatureTransformer transformer(String inputCol) {
    return new ImageFeatureTransformer().setInputCol(inputCol).setModel(TinyCnn.path())
        .setInputSize(TinyCnn.INPUT_SIZE).setResize(TinyCnn.RESIZE).setDevice("cpu")
        .setBatchSize(4);
  }

  private static String fileName(String pathOrUri) {
    return pathOrUri.substring(pathOrUri.lastIndexOf('/') + 1);
  }

  private static void assertFeatures(Dataset<Row> out, String pathCol, int expectedRows) {
    List<Row> rows = out.select(pathCol, "features").collectAsList();
    assertEquals(expectedRows, rows.size());
    for (Row r : rows) {
      String name = fileName(r.getString(0));
      float[] expected = EXPECTED.get(name);
      double[] actual = ((Vector) r.get(1)).toArray();
      assertEquals(TinyCnn.DIMENSION, actual.length);
      for (int j = 0; j < actual.length; j++) {
        assertEquals(expected[j], actual[j], 1e-6, name + "[" + j + "]");
      }
    }
  }

  @Test
  void sparkImageSourceBinaryFilesAndPathsGiveTheExtractorsFeatures() {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> img = spark.read().format("image").load(images.toString()).repartition(2);
    assertFeatures(transformer("image").transform(img).select("image.origin", "features"),
        "origin", N);
    Dataset<Row> bin = spark.read().format("binaryFile").load(images.toString());
    Dataset<Row> fromBytes = transformer("content").transform(bin);
    assertEquals(List.of("path", "modificationTime", "length", "content", "features"),
        List.of(fromBytes.columns()));
    assertFeatures(fromBytes, "path", N);
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      paths.add(images.resolve("img" + i + ".png").toString());
    }
    Dataset<Row> pathRows = spark.createDataset(paths, Encoders.STRING()).toDF("file");
    assertFeatures(transformer("file").transform(pathRows), "file", N);
  }

  @Test
  void savedLoadedAndReusedInAPipeline() throws IOException {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> bin = spark.read().format("binaryFile").load(images.toString());
    ImageFeatureTransformer t = transformer("content").setSeed(3).setHandleInvalid("skip");
    String saved = dir.resolve("transformer").toString();
    t.save(saved);
    ImageFeatureTransformer loaded = ImageFeatureTransformer.load(saved);
    assertEquals(t.uid(), loaded.uid());
    assertEquals(t.modelSpec(), loaded.modelSpec());
    assertEquals("skip", loaded.getHandleInvalid());
    assertFeatures(loaded.transform(bin), "path", N);

    CollisionClustering cce = new CollisionClustering().setK(2).setMaxIter(2).setBatchSize(3)
        .setSeed(1);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {t, cce});
    PipelineModel model = pipeline.fit(bin);
    String pipelinePath = dir.resolve("pipeline").toString();
    model.write().overwrite().save(pipelinePath);
    PipelineModel reloaded = PipelineModel.load(pipelinePath);
    assertTrue(reloaded.stages()[0] instanceof ImageFeatureTransformer);
    List<Row> a = model.transform(bin).orderBy("path").select("path", "prediction").collectAsList();
    Dataset<Row> again = reloaded.transform(bin).orderBy("path");
    assertEquals(a, again.select("path", "prediction").collectAsList());
    assertFeatures(again, "path", N);
  }

  @Test
  void unreadableImagesFailNamingTheFileOrAreSkipped() throws IOException {
    SparkSession spark = SharedSpark.session();
    Path mixed = Files.createDirectories(dir.resolve("mixed"));
    Files.copy(images.resolve("img0.png"), mixed.resolve("img0.png"));
    Files.write(mixed.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Dataset<Row> bin = spark.read().format("binaryFile").load(mixed.toString());
    Exception e = assertThrows(Exception.class,
        () -> transformer("content").transform(bin).collectAsList());
    String message = messages(e);
    assertTrue(message.contains("broken.png") && message.contains("handleInvalid"), message);
    List<Row> kept = transformer("content").setHandleInvalid("skip").transform(bin)
        .select("path").collectAsList();
    assertEquals(1, kept.size());
    assertTrue(kept.get(0).getString(0).endsWith("img0.png"));
  }

  /** The messages of an exception and its causes (a Spark job failure wraps the task's). */
  static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      sb.append(t.getMessage()).append(" | ");
    }
    return sb.toString();
  }

  @Test
  void schemaChecksNameTheColumn() {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> df = spark.range(3).toDF("n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> transformer("image").transform(df));
    assertTrue(e.getMessage().contains("'image' does not exist"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> transformer("n").transform(df));
    assertTrue(e.getMessage().contains("type bigint"), e.getMessage());
    assertArrayEquals(new String[] {"n"}, df.columns());
  }
}
