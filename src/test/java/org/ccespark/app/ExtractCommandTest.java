package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.imageio.ImageIO;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.ImageFiles;
import org.ccespark.data.images.LabeledImage;
import org.ccespark.features.ModelSpec;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code extract} on the bundled 2,000 MNIST digits (IDX) with the TorchScript test model writes a
 * Parquet folder that {@code cluster} reads directly; its errors are one clear line.
 */
class ExtractCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  private static MainTest.Outcome run(String... args) {
    return MainTest.run(args);
  }

  private static String resource(String name) throws URISyntaxException {
    return Paths.get(ExtractCommandTest.class.getResource(name).toURI()).toString();
  }

  @Test
  void extractsTheDemoDigitsAndClusterReadsTheOutput() throws Exception {
    Path features = tmp.resolve("features");
    var ex = run("extract", "--input", resource(DatasetCatalog.DEMO_IMAGES_RESOURCE),
        "--format", "idx", "--model", resource("/org/ccespark/features/tiny-cnn.pt"),
        "--input-size", "32", "--resize", "36", "--device", "cpu", "--batch-size", "128",
        "--partitions", "2", "--output", features.toString());
    assertEquals(0, ex.status(), ex.err());
    assertTrue(ex.out().contains("extracted 2,000 images x 16 features"), ex.out());
    JsonNode meta = JSON.readTree(features.resolve("_extract.json").toFile());
    assertEquals(2000, meta.get("images").asInt());
    assertEquals(16, meta.get("dimension").asInt());
    assertEquals("executors", meta.get("mode").asText());
    Dataset<Row> rows = SharedSpark.session().read().parquet(features.toString());
    assertEquals(2000, rows.count());
    assertEquals(200, rows.where("label = 3").count());
    assertEquals(1, rows.where("id = 'mnist-2000-images-idx3-ubyte.gz#1999'").count());

    Path clusters = tmp.resolve("clusters");
    var cl = run("cluster", "--input", features.toString(), "--label-col", "label", "--k",
        "10", "--epochs", "2", "--em-max-iter", "50", "--output", clusters.toString());
    assertEquals(0, cl.status(), cl.err());
    JsonNode metrics = JSON.readTree(clusters.resolve("metrics.json").toFile());
    assertEquals(2000, metrics.get("rows").asInt());
    assertEquals(16, metrics.get("input").get("features").asInt());
    // The labels came through: scores against them (the test CNN's random features do not make
    // good clusters, so no level is asserted).
    assertTrue(metrics.has("acc") && metrics.has("nmi"), metrics.toString());
  }

  @Test
  void errorsAreOneClearLine() throws Exception {
    Path out = tmp.resolve("out");
    var gpu = run("extract", "--input", resource(DatasetCatalog.DEMO_IMAGES_RESOURCE),
        "--model", resource("/org/ccespark/features/tiny-cnn.pt"), "--device", "gpu",
        "--output", out.toString());
    assertEquals(Main.FAILED, gpu.status());
    assertTrue(gpu.err().startsWith("error: Device 'gpu' was asked for"), gpu.err());
    var missing = run("extract", "--input", tmp.resolve("nothing").toString(), "--model",
        ModelSpec.RANDOM_RESNET50, "--output", out.toString());
    assertEquals(Main.FAILED, missing.status());
    assertTrue(missing.err().contains("nothing") && missing.err().contains("neither an existing file"),
        missing.err());
    var badLayer = run("extract", "--input", "x", "--model", ModelSpec.RANDOM_RESNET50,
        "--layer", "3", "--output", out.toString());
    assertEquals(Main.USAGE, badLayer.status());
    // The default model (resnet50) is refused before Spark starts, saying how to export the
    // 2048 pooled features (DJL's model-zoo ResNet-50 gives only the 1000 class scores).
    var zoo = run("extract", "--input", resource(DatasetCatalog.DEMO_IMAGES_RESOURCE),
        "--device", "cpu", "--mode", "driver", "--output", out.toString());
    assertEquals(Main.USAGE, zoo.status());
    assertTrue(zoo.err().startsWith("error: --model resnet50 (the default)")
        && zoo.err().contains("1000 class scores")
        && zoo.err().contains("Export torchvision's ResNet-50")
        && zoo.err().contains("src/tools/export-resnet50.py"), zoo.err());
    assertFalse(Files.exists(out));
  }

  /**
   * A train-deep model folder (the committed supervised backbone of the strong-feature benchmark)
   * as --model: its 512 backbone features of every image, computed on the driver, as a feature
   * folder; the options of ImageNet-style models are refused.
   */
  @Test
  void extractsWithATrainDeepModelFolder() throws Exception {
    // 24 of the bundled digits as a folder of PNG files, a sub-folder per class (0, 1, 2)
    Path images = tmp.resolve("images");
    try (ImageDataset digits = DatasetCatalog.open("demo")) {
      int written = 0;
      for (int i = 0; written < 24; i++) {
        LabeledImage im = digits.get(i);
        if (im.label() < 3) {
          Path file = images.resolve(im.label() + "/" + i + ".png");
          Files.createDirectories(file.getParent());
          ImageIO.write(ImageFiles.toBufferedImage(im.image()), "png", file.toFile());
          written++;
        }
      }
    }
    String model = "conf/models/fashion-mnist-vgg4-slim";
    Path features = tmp.resolve("strong");
    var ex = run("extract", "--input", images.toString(), "--model", model, "--device", "cpu",
        "--output", features.toString());
    assertEquals(0, ex.status(), ex.err());
    assertTrue(ex.out().contains("extracted 24 images x 512 features (vgg4-grey28-slim)"),
        ex.out());
    JsonNode meta = JSON.readTree(features.resolve("_extract.json").toFile());
    assertEquals(512, meta.get("dimension").asInt());
    assertEquals("driver", meta.get("mode").asText());
    assertEquals("vgg4-grey28-slim", meta.get("model").get("network").asText());
    Dataset<Row> rows = SharedSpark.session().read().parquet(features.toString());
    assertEquals(24, rows.count());
    assertEquals(3, rows.select("label").distinct().count());
    assertEquals(512, rows.first().<Vector>getAs("features").size());

    Path bad = tmp.resolve("bad");
    var size = run("extract", "--input", "demo", "--model", model, "--input-size", "32",
        "--output", bad.toString());
    assertEquals(Main.USAGE, size.status());
    assertTrue(size.err().contains("--input-size does not apply to a network trained by"
        + " train-deep"), size.err());
    assertFalse(Files.exists(bad));
  }
}
