package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.ImageFiles;
import org.ccespark.data.images.LabeledImage;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster --keep-cols}: ids carried into {@code predictions.csv} and {@code predictions/}
 * (by default {@code id} and {@code path} when the input has them), unknown or clashing columns a
 * usage error, and {@code extract} then {@code cluster} on image files keeping each image's path.
 */
class KeepColsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 30;

  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  private static InProcess.Outcome run(String... args) {
    return InProcess.run(args);
  }

  /** Two blobs in 3-D with a text id ({@code img-<i>.jpg}) first and a label last. */
  private Path csvWithIds() throws IOException {
    Random rnd = new Random(3);
    List<String> lines = new ArrayList<>(List.of("id,x0,x1,x2,label"));
    for (int i = 0; i < ROWS; i++) {
      int label = i % 2;
      lines.add(String.format("img-%d.jpg,%.4f,%.4f,%.4f,%d", i, rnd.nextGaussian() + 6 * label,
          rnd.nextGaussian(), rnd.nextGaussian() - 6 * label, label));
    }
    return Files.write(tmp.resolve("points.csv"), lines);
  }

  @Test
  void clusterKeepsTheIdColumnOfACsvByDefaultAndOnRequest() throws IOException {
    Path input = csvWithIds();
    for (List<String> keep : List.of(List.<String>of(), List.of("--keep-cols", "id"))) {
      Path out = tmp.resolve("out" + keep.size());
      List<String> args = new ArrayList<>(List.of("cluster", "--input", input.toString(),
          "--label-col", "label", "--k", "2", "--epochs", "2", "--batch-size", "10",
          "--output", out.toString()));
      args.addAll(keep);
      InProcess.Outcome r = run(args.toArray(new String[0]));
      assertEquals(Main.OK, r.status(), r.err());

      List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
      assertEquals("row,id,label,prediction", csv.get(0));
      assertEquals(ROWS + 1, csv.size());
      for (int i = 0; i < ROWS; i++) {
        String[] f = csv.get(i + 1).split(",");
        assertEquals(List.of(String.valueOf(i), "img-" + i + ".jpg", String.valueOf(i % 2)),
            List.of(f[0], f[1], f[2]), "line " + (i + 1));
      }
      Dataset<Row> parquet = SharedSpark.session().read().parquet(out.resolve("predictions")
          .toString());
      assertEquals(List.of("row", "id", "label", "prediction", "probability"),
          List.of(parquet.columns()));
      assertEquals("img-7.jpg", parquet.where("row = 7").first().<String>getAs("id"));
      JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
      assertEquals(3, metrics.get("input").get("features").asInt(), "the id is not a feature");
      assertEquals("[\"id\"]", metrics.get("input").get("keepCols").toString());
    }
  }

  @Test
  void anUnknownOrClashingKeepColumnIsAUsageError() throws IOException {
    Path input = csvWithIds();
    Path out = tmp.resolve("out");
    InProcess.Outcome unknown = run("cluster", "--input", input.toString(), "--label-col",
        "label", "--k", "2", "--keep-cols", "id,filename", "--output", out.toString());
    assertEquals(Main.USAGE, unknown.status(), unknown.err());
    assertEquals(List.of("error: --keep-cols: column 'filename' is not in '" + input
        + "', whose columns are id, x0, x1, x2, label"), unknown.errLines());
    assertFalse(Files.exists(out));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("points.csv"), s.map(p -> p.getFileName().toString()).toList(),
          "no temporary folder is left");
    }

    InProcess.Outcome label = run("cluster", "--input", input.toString(), "--label-col",
        "label", "--k", "2", "--keep-cols", "label", "--output", out.toString());
    assertEquals(Main.USAGE, label.status(), label.err());
    assertTrue(label.err().startsWith("error: --keep-cols: 'label' cannot be kept"), label.err());

    assertEquals(List.of(), ClusterCommand.keepCols("none"));
    assertEquals(List.of("id", "path"), ClusterCommand.keepCols(" id , path"));
    assertEquals(null, ClusterCommand.keepCols(null));
    assertThrows(UsageException.class, () -> ClusterCommand.keepCols("id,,path"));
    assertThrows(UsageException.class, () -> ClusterCommand.keepCols("id,id"));
  }

  /**
   * Six of the bundled digits as PNG files (a sub-folder per class), {@code extract} with the
   * TorchScript test network, then {@code cluster}: every line of {@code predictions.csv} names
   * its image's id and the absolute path of its file.
   */
  @Test
  void extractThenClusterKeepsEachImagesPathInPredictions() throws Exception {
    Path images = tmp.resolve("photos");
    Set<String> files = new HashSet<>();
    try (ImageDataset digits = DatasetCatalog.open("demo")) {
      for (int i = 0; files.size() < 6; i++) {
        LabeledImage im = digits.get(i);
        if (im.label() < 2) {
          Path file = images.resolve(im.label() + "/" + i + ".png");
          Files.createDirectories(file.getParent());
          ImageIO.write(ImageFiles.toBufferedImage(im.image()), "png", file.toFile());
          files.add(file.toAbsolutePath().toString());
        }
      }
    }
    Path features = tmp.resolve("features");
    InProcess.Outcome ex = run("extract", "--input", images.toString(), "--model",
        resource("/org/ccespark/features/tiny-cnn.pt"), "--input-size", "32", "--device", "cpu",
        "--mode", "driver", "--output", features.toString());
    assertEquals(Main.OK, ex.status(), ex.err());
    assertEquals(List.of("id", "path", "label", "features"), List.of(SharedSpark.session().read()
        .parquet(features.toString()).columns()));

    Path clusters = tmp.resolve("clusters");
    InProcess.Outcome cl = run("cluster", "--input", features.toString(), "--label-col", "label",
        "--k", "2", "--epochs", "2", "--output", clusters.toString());
    assertEquals(Main.OK, cl.status(), cl.err());
    List<String> csv = Files.readAllLines(clusters.resolve("predictions.csv"));
    assertEquals("row,id,path,label,prediction", csv.get(0));
    Set<String> paths = new HashSet<>();
    for (String line : csv.subList(1, csv.size())) {
      String[] f = line.split(",");
      assertEquals(images.toAbsolutePath().resolve(f[1]).toString(), f[2], line);
      assertEquals(f[1].substring(0, 1), f[3], "the label is the class folder: " + line);
      paths.add(f[2]);
    }
    assertEquals(files, paths);
    assertEquals(6, SharedSpark.session().read().parquet(clusters.resolve("predictions")
        .toString()).select("path").distinct().count());
  }

  private static String resource(String name) throws URISyntaxException {
    return Paths.get(KeepColsTest.class.getResource(name).toURI()).toString();
  }
}
