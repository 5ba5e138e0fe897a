package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

  private static InProcess.Outcome run(String... args) {
    return InProcess.run(args);
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
  /** Writes demo digit {@code index} as a PNG file (its parent folders created). */
  private static void digitPng(ImageDataset digits, int index, Path file) throws Exception {
    Files.createDirectories(file.getParent());
    ImageIO.write(ImageFiles.toBufferedImage(digits.get(index).image()), "png", file.toFile());
  }

  /**
   * A folder of photos: cat/{a.png, with space.png}, dog/{c.png, cmyk.jpg} (the YCCK JPEG
   * fixture), plus files the reader must pass over (dog/notes.txt, .hidden/x.png).
   */
  private Path photos() throws Exception {
    Path photos = tmp.resolve("photos");
    try (ImageDataset digits = DatasetCatalog.open("demo")) {
      digitPng(digits, 0, photos.resolve("cat/a.png"));
      digitPng(digits, 1, photos.resolve("cat/with space.png"));
      digitPng(digits, 2, photos.resolve("dog/c.png"));
      digitPng(digits, 3, photos.resolve(".hidden/x.png"));
    }
    Files.copy(Paths.get(resource("/org/ccespark/data/images/ycck-imagemagick.jpg")),
        photos.resolve("dog/cmyk.jpg"));
    Files.writeString(photos.resolve("dog/notes.txt"), "not an image");
    return photos;
  }

  private InProcess.Outcome extractTiny(String input, Path out, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("extract", "--input", input, "--model",
        resource("/org/ccespark/features/tiny-cnn.pt"), "--input-size", "32", "--resize", "36",
        "--device", "cpu", "--batch-size", "3", "--output", out.toString()));
    args.addAll(List.of(more));
    return run(args.toArray(new String[0]));
  }

  private static Map<String, Row> byId(Path features) {
    Map<String, Row> rows = new TreeMap<>();
    for (Row r : SharedSpark.session().read().parquet(features.toString()).collectAsList()) {
      rows.put(r.getString(r.fieldIndex("id")), r);
    }
    return rows;
  }

  /**
   * A {@code file://} URI of a folder (listed by Spark's binaryFile source, read through Hadoop's
   * FileSystem by the executors) gives the same ids, labels and features as the local folder, and
   * each row's path is the file's full URI; a glob without a scheme picks its files, with labels
   * from the first folder below its fixed part; a glob with a scheme picks folders.
   */
  @Test
  void readsImagesByFileUriAndByGlob() throws Exception {
    Path photos = photos();
    String uri = "file://" + photos.toAbsolutePath();
    Path local = tmp.resolve("local");
    var l = extractTiny(photos.toString(), local, "--mode", "driver");
    assertEquals(0, l.status(), l.err());
    Path viaUri = tmp.resolve("uri");
    var u = extractTiny(uri, viaUri, "--mode", "executors", "--partitions", "2");
    assertEquals(0, u.status(), u.err());
    assertTrue(u.out().contains("extracted 4 images x 16 features"), u.out());

    Map<String, Row> a = byId(local);
    Map<String, Row> b = byId(viaUri);
    assertEquals(List.of("cat/a.png", "cat/with space.png", "dog/c.png", "dog/cmyk.jpg"),
        new ArrayList<>(b.keySet()));
    assertEquals(a.keySet(), b.keySet());
    for (String id : b.keySet()) {
      Row x = a.get(id);
      Row y = b.get(id);
      assertEquals(x.<Integer>getAs("label"), y.<Integer>getAs("label"), id);
      assertEquals(id.startsWith("cat/") ? 0 : 1, y.<Integer>getAs("label"), id);
      assertArrayEquals(x.<Vector>getAs("features").toArray(),
          y.<Vector>getAs("features").toArray(), 1e-6, id);
      assertEquals(photos.toAbsolutePath() + "/" + id, x.<String>getAs("path"));
      assertEquals(uri + "/" + id, y.<String>getAs("path"));
    }
    JsonNode meta = JSON.readTree(viaUri.resolve("_extract.json").toFile());
    assertEquals(uri, meta.get("input").get("path").asText());
    assertEquals(List.of("cat", "dog"), List.of(meta.get("classNames").get(0).asText(),
        meta.get("classNames").get(1).asText()));

    // a glob without a scheme: only the PNG files, labels from the folders below photos/
    Path viaGlob = tmp.resolve("glob");
    var g = extractTiny(photos.toAbsolutePath() + "/*/*.png", viaGlob, "--mode", "executors");
    assertEquals(0, g.status(), g.err());
    Map<String, Row> c = byId(viaGlob);
    assertEquals(List.of("cat/a.png", "cat/with space.png", "dog/c.png"),
        new ArrayList<>(c.keySet()));
    for (String id : c.keySet()) {
      assertEquals(photos.toAbsolutePath() + "/" + id, c.get(id).<String>getAs("path"));
      assertEquals(a.get(id).<Integer>getAs("label"), c.get(id).<Integer>getAs("label"), id);
      assertArrayEquals(a.get(id).<Vector>getAs("features").toArray(),
          c.get(id).<Vector>getAs("features").toArray(), 1e-6, id);
    }

    // a glob with a scheme that matches a folder: every image below it, in driver mode
    Path viaFolderGlob = tmp.resolve("folder-glob");
    var f = extractTiny(uri + "/d?g", viaFolderGlob, "--mode", "driver");
    assertEquals(0, f.status(), f.err());
    Map<String, Row> d = byId(viaFolderGlob);
    assertEquals(List.of("dog/c.png", "dog/cmyk.jpg"), new ArrayList<>(d.keySet()));
    assertEquals(uri + "/dog/cmyk.jpg", d.get("dog/cmyk.jpg").<String>getAs("path"));
    assertEquals(0, d.get("dog/c.png").<Integer>getAs("label"), "dog is the only class");
  }

  /** Hadoop paths that match nothing, and undecodable files, fail with messages naming them. */
  @Test
  void hadoopPathErrorsNameThePathOrFile() throws Exception {
    Path photos = photos();
    String uri = "file://" + photos.toAbsolutePath();
    Path out = tmp.resolve("out");
    var none = extractTiny(uri + "/zebra*", out);
    assertEquals(Main.FAILED, none.status());
    assertTrue(none.err().contains(uri + "/zebra*") && none.err().contains("matches no file"),
        none.err());
    var missing = extractTiny(uri + "/missing", out);
    assertEquals(Main.FAILED, missing.status());
    assertTrue(missing.err().contains(uri + "/missing' does not exist"), missing.err());
    var noImages = extractTiny(uri + "/dog/*.txt", out);
    assertEquals(Main.FAILED, noImages.status());
    assertTrue(noImages.err().contains("holds no .png, .jpg or .jpeg file"), noImages.err());
    var idx = extractTiny(uri, out, "--format", "idx");
    assertEquals(Main.FAILED, idx.status());
    assertTrue(idx.err().contains("is a Hadoop path"), idx.err());

    Files.writeString(photos.resolve("dog/broken.jpg"), "not a JPEG");
    var broken = extractTiny(uri, out, "--mode", "executors");
    assertEquals(Main.FAILED, broken.status());
    assertTrue(broken.err().contains(uri + "/dog/broken.jpg"), broken.err());
    assertFalse(Files.exists(out));
    var skipped = extractTiny(uri, out, "--skip-unreadable");
    assertEquals(0, skipped.status(), skipped.err());
    assertTrue(skipped.out().contains("skipped 1 unreadable") && skipped.out().contains(
        uri + "/dog/broken.jpg"), skipped.out());
    assertEquals(4, SharedSpark.session().read().parquet(out.toString()).count());
  }
}
