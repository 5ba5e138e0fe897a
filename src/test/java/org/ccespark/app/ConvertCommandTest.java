package org.ccespark.app;

import static org.ccespark.app.InProcess.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.ccespark.app.InProcess.Outcome;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.LoadedInput;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.ImageDatasets;
import org.ccespark.data.images.LabeledImage;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ccespark.output.OutputDir;

/** {@code convert} end to end on the bundled digits and, when installed, on Fashion-MNIST. */
class ConvertCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  @Test
  void parquetIsReadByClusterAndHoldsThePixels() throws IOException {
    Path parquet = tmp.resolve("digits");
    Outcome c = run("convert", "--input", "demo", "--to", "parquet", "--output", parquet.toString(),
        "--limit", "120", "--seed", "3", "--partitions", "3");
    assertEquals(Main.OK, c.status(), c.err());
    assertTrue(Files.isRegularFile(parquet.resolve(ConvertCommand.DATASET_JSON)));

    LoadedInput in = FeatureInput.read(SharedSpark.session(), parquet.toString(), "auto",
        null, "label");
    assertEquals(120, in.numRows());
    assertEquals(784, in.numFeatures());
    List<Row> rows = SharedSpark.session().read().parquet(parquet.toString())
        .orderBy("row").collectAsList();
    int[] picked = new ImageFrames.Selection(120, 3L).indices(2000);
    try (ImageDataset demo = DatasetCatalog.open("demo")) {
      for (int r : new int[] {0, 57, 119}) {
        Row row = rows.get(r);
        LabeledImage expected = demo.get(picked[r]);
        assertEquals(r, row.getLong(row.fieldIndex("row")));
        assertEquals(expected.label(), row.getInt(row.fieldIndex("label")));
        assertEquals(expected.id(), row.getString(row.fieldIndex("id")));
        double[] x = ((Vector) row.get(row.fieldIndex("features"))).toArray();
        for (int p = 0; p < 784; p++) {
          assertEquals((expected.image().pixels()[p] & 0xff) / 255.0, x[p], 0.0);
        }
      }
    }

    Path clustered = tmp.resolve("clustered");
    Outcome k = run("cluster", "--input", parquet.toString(), "--label-col", "label", "--k", "10",
        "--epochs", "1", "--output", clustered.toString());
    assertEquals(Main.OK, k.status(), k.err());
    JsonNode metrics = JSON.readTree(clustered.resolve("metrics.json").toFile());
    assertEquals(120, metrics.get("rows").asInt());
    assertTrue(metrics.has("acc"));
  }

  @Test
  void pngFolderReadsBackAsTheSameImagesAndLabels() throws IOException {
    Path png = tmp.resolve("png");
    Outcome c = run("convert", "--input", "demo", "--to", "png", "--output", png.toString(),
        "--limit", "25");
    assertEquals(Main.OK, c.status(), c.err());
    try (Stream<Path> top = Files.list(png)) {
      assertEquals(List.of(OutputDir.MARKER, "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
          "_dataset.json", "images.csv"), top.map(p -> p.getFileName().toString()).sorted()
          .toList());
    }
    assertTrue(Files.isRegularFile(png.resolve("3/0013.png")));
    List<String> csv = Files.readAllLines(png.resolve(ConvertCommand.IMAGES_CSV));
    assertEquals("file,id,label", csv.get(0));
    assertEquals("0/0000.png,mnist-2000-images-idx3-ubyte.gz#0,0", csv.get(1));
    assertEquals(26, csv.size());
    try (ImageDataset back = ImageDatasets.open(png.toString(), "auto");
        ImageDataset demo = DatasetCatalog.open("demo")) {
      assertEquals(25, back.size());
      for (int i = 0; i < back.size(); i++) {
        LabeledImage b = back.get(i);
        int index = Integer.parseInt(b.id().substring(b.id().indexOf('/') + 1, b.id().length() - 4));
        LabeledImage original = demo.get(index);
        assertEquals(original.label(), b.label(), b.id());
        assertEquals(original.image(), b.image(), "PNG is lossless: " + b.id());
      }
    }
  }

  @Test
  void badCommandLinesAndExistingOutputsLeaveNothingBehind() throws IOException {
    Path out = tmp.resolve("out");
    Outcome o = run("convert", "--input", "demo", "--to", "png", "--output", out.toString(),
        "--seed", "1");
    assertEquals(Main.USAGE, o.status());
    assertTrue(o.err().contains("--seed picks a sample of --limit N images"), o.err());
    o = run("convert", "--input", "demo", "--to", "jpeg", "--output", out.toString());
    assertEquals(Main.USAGE, o.status());
    o = run("convert", "--input", tmp.resolve("missing").toString(), "--to", "png", "--output",
        out.toString());
    assertEquals(Main.FAILED, o.status());
    assertTrue(o.err().contains("neither an existing file or folder nor a dataset name"), o.err());
    assertFalse(Files.exists(out));
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(List.of(), left.toList(), "no temporary folder is left");
    }
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "mine");
    o = run("convert", "--input", "demo", "--to", "png", "--output", out.toString(), "--limit",
        "3");
    assertEquals(Main.FAILED, o.status());
    assertTrue(o.err().contains("already exists"), o.err());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
  }

  @Test
  void helpDocumentsEveryOption() {
    Outcome o = run("convert", "--help");
    assertEquals(Main.OK, o.status());
    for (String option : List.of("--input", "--to", "--output", "--format", "--limit", "--seed",
        "--partitions", "--overwrite")) {
      assertTrue(o.out().contains(option), option);
    }
    assertTrue(run("--help").out().contains("convert"));
  }

  @Test
  void realFashionMnistToPngWithClassNames() throws IOException {
    assumeTrue(Files.isRegularFile(
        DatasetCatalog.DEBIAN_FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz")),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); skipping");
    Path png = tmp.resolve("fashion");
    Outcome c = run("convert", "--input", "fashion-mnist-test", "--to", "png", "--output",
        png.toString(), "--limit", "40", "--seed", "11");
    assertEquals(Main.OK, c.status(), c.err());
    try (ImageDataset back = ImageDatasets.open(png.toString(), "folder");
        ImageDataset test = DatasetCatalog.open("fashion-mnist-test")) {
      assertEquals(40, back.size());
      assertTrue(back.classNames().contains("9-Ankle_boot"), back.classNames().toString());
      assertTrue(back.classNames().contains("0-T-shirt_top"), back.classNames().toString());
      for (int i = 0; i < back.size(); i++) {
        LabeledImage b = back.get(i);
        String className = back.classNames().get(b.label());
        int label = Integer.parseInt(className.substring(0, className.indexOf('-')));
        int index = Integer.parseInt(b.id().substring(b.id().indexOf('/') + 1, b.id().length() - 4));
        assertEquals(test.get(index).label(), label);
        Image original = test.get(index).image();
        assertEquals(original, b.image());
      }
    }
  }
  /**
   * A {@code file://} URI of a folder and a glob (Hadoop paths, listed with Spark's binaryFile
   * source) convert to the same pixels, ids and labels as the local folder.
   */
  @Test
  void convertsImagesByFileUriAndByGlob() throws IOException {
    Path digits = tmp.resolve("digits");
    Outcome png = run("convert", "--input", "demo", "--to", "png", "--output", digits.toString(),
        "--limit", "30");
    assertEquals(Main.OK, png.status(), png.err());
    String uri = "file://" + digits.toAbsolutePath();

    Path local = tmp.resolve("local");
    Path viaUri = tmp.resolve("uri");
    assertEquals(Main.OK, run("convert", "--input", digits.toString(), "--to", "parquet",
        "--output", local.toString()).status());
    Outcome u = run("convert", "--input", uri, "--to", "parquet", "--output", viaUri.toString());
    assertEquals(Main.OK, u.status(), u.err());
    List<Row> a = SharedSpark.session().read().parquet(local.toString()).orderBy("row")
        .collectAsList();
    List<Row> b = SharedSpark.session().read().parquet(viaUri.toString()).orderBy("row")
        .collectAsList();
    assertEquals(30, b.size());
    for (int i = 0; i < a.size(); i++) {
      Row x = a.get(i);
      Row y = b.get(i);
      assertEquals(x.<String>getAs("id"), y.<String>getAs("id"));
      assertEquals(x.<Integer>getAs("label"), y.<Integer>getAs("label"));
      assertEquals(x.<Vector>getAs("features"), y.<Vector>getAs("features"),
          x.<String>getAs("id"));
    }
    JsonNode info = JSON.readTree(viaUri.resolve(ConvertCommand.DATASET_JSON).toFile());
    assertEquals(uri, info.get("input").asText());

    // a glob over the class folders 3 to 5, to PNG (a Spark session is started for the listing)
    Path some = tmp.resolve("some");
    Outcome g = run("convert", "--input", uri + "/[3-5]/*.png", "--to", "png", "--output",
        some.toString());
    assertEquals(Main.OK, g.status(), g.err());
    try (ImageDataset back = ImageDatasets.open(some.toString(), "folder");
        ImageDataset original = ImageDatasets.open(digits.toString(), "folder")) {
      long expected = 0;
      for (int i = 0; i < original.size(); i++) {
        String cls = original.get(i).id().substring(0, 1);
        expected += "345".contains(cls) ? 1 : 0;
      }
      assertEquals(expected, back.size());
      assertEquals(3, back.classNames().size());
    }
    List<String> csv = Files.readAllLines(some.resolve(ConvertCommand.IMAGES_CSV));
    assertTrue(csv.get(1).matches("0-3/0\\.png,3/\\d+\\.png,0"), csv.get(1));

    Path none = tmp.resolve("none");
    Outcome n = run("convert", "--input", uri + "/x[7-9]*", "--to", "png", "--output",
        none.toString());
    assertEquals(Main.FAILED, n.status());
    assertTrue(n.err().contains(uri + "/x[7-9]*' matches no file or folder"), n.err());
    assertFalse(Files.exists(none));
  }
}
