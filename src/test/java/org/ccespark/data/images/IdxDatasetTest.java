package org.ccespark.data.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDatasetTest {
  @TempDir Path dir;

  /** An IDX file of unsigned bytes: magic 0x0000080R, the sizes, then the values. */
  static byte[] idx(int[] dims, byte[] values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000800 | dims.length);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(values);
    out.flush();
    return bytes.toByteArray();
  }

  static void write(Path file, byte[] data, boolean gzip) throws IOException {
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file))
        : Files.newOutputStream(file)) {
      out.write(data);
    }
  }

  /** Three 2x4 images whose pixel (y, x) of image i is 10*i + 4*y + x, labels 7, 0, 3. */
  private Path writeSample(String prefix, boolean gzip) throws IOException {
    byte[] px = new byte[3 * 2 * 4];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (10 * (i / 8) + i % 8);
    }
    px[23] = (byte) 255;
    String gz = gzip ? ".gz" : "";
    Path images = dir.resolve(prefix + "-images-idx3-ubyte" + gz);
    write(images, idx(new int[] {3, 2, 4}, px), gzip);
    write(dir.resolve(prefix + "-labels-idx1-ubyte" + gz), idx(new int[] {3}, new byte[] {7, 0, 3}),
        gzip);
    return images;
  }

  @Test
  void readsGzippedAndPlainFilesWithTheirLabelsBeside() throws IOException {
    for (boolean gzip : new boolean[] {true, false}) {
      Path images = writeSample(gzip ? "gz" : "plain", gzip);
      try (ImageDataset d = ImageDatasets.open(images.toString(), "auto")) {
        assertTrue(d instanceof IdxDataset);
        assertEquals(images.getFileName().toString(), d.name());
        assertEquals(3, d.size());
        assertEquals(List.of(), d.classNames());
        LabeledImage second = d.get(1);
        assertEquals(images.getFileName() + "#1", second.id());
        assertEquals(0, second.label());
        assertEquals(new Image(2, 4, 1, new byte[] {10, 11, 12, 13, 14, 15, 16, 17}),
            second.image());
        assertEquals(3, d.get(2).label());
        assertEquals(255, d.get(2).image().sample(1, 3, 0), "bytes are unsigned");
        assertEquals(7, d.get(0).label());
        assertThrows(IndexOutOfBoundsException.class, () -> d.get(3));
      }
    }
  }

  @Test
  void imagesWithoutALabelsFileAreUnlabelled() throws IOException {
    Path images = writeSample("x", true);
    Files.delete(dir.resolve("x-labels-idx1-ubyte.gz"));
    try (ImageDataset d = ImageDatasets.open(images.toString(), "idx")) {
      assertEquals(3, d.size());
      assertEquals(LabeledImage.UNKNOWN, d.get(0).label());
      assertFalse(d.get(0).hasLabel());
    }
  }

  @Test
  void labelsFileMayBeCompressedDifferently() throws IOException {
    Path images = writeSample("y", false);
    Path plain = dir.resolve("y-labels-idx1-ubyte");
    write(dir.resolve("y-labels-idx1-ubyte.gz"), Files.readAllBytes(plain), true);
    Files.delete(plain);
    try (ImageDataset d = ImageDatasets.open(images.toString(), "auto")) {
      assertEquals(7, d.get(0).label());
    }
  }

  @Test
  void rgbIdx4IsReadAsHwc() throws IOException {
    byte[] px = {1, 2, 3, 4, 5, 6};
    Path images = dir.resolve("rgb-images-idx4-ubyte");
    write(images, idx(new int[] {1, 1, 2, 3}, px), false);
    try (ImageDataset d = ImageDatasets.open(images.toString(), "auto")) {
      Image im = d.get(0).image();
      assertEquals(3, im.channels());
      assertEquals(5, im.sample(0, 1, 1));
    }
  }

  @Test
  void wrongMagicNumberIsNamed() throws IOException {
    Path images = writeSample("m", true);
    // A labels file where the images should be.
    Files.copy(dir.resolve("m-labels-idx1-ubyte.gz"), images,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(images.toString(), "auto"));
    assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("0x00000801"), e.getMessage());
    assertTrue(e.getMessage().contains("0x00000803"), e.getMessage());
  }

  @Test
  void truncatedFilesAreReportedPlainOrGzipped() throws IOException {
    for (boolean gzip : new boolean[] {true, false}) {
      Path images = writeSample(gzip ? "tg" : "tp", false);
      byte[] whole = Files.readAllBytes(images);
      write(images, Arrays.copyOf(whole, whole.length - 5), gzip);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ImageDatasets.open(images.toString(), "idx"));
      assertTrue(e.getMessage().contains("is truncated"), e.getMessage());
      assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("3 images of 2 x 4"), e.getMessage());
    }
    // A gzip stream cut short (not a complete gzip file).
    Path images = writeSample("tz", true);
    byte[] whole = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(whole, whole.length - 12));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(images.toString(), "idx"));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void trailingBytesAreAnError() throws IOException {
    Path images = writeSample("tb", false);
    byte[] whole = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(whole, whole.length + 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(images.toString(), "idx"));
    assertTrue(e.getMessage().contains("bytes after"), e.getMessage());
  }

  @Test
  void labelCountMismatchNamesBothFiles() throws IOException {
    Path images = writeSample("c", true);
    Path labels = dir.resolve("c-labels-idx1-ubyte.gz");
    write(labels, idx(new int[] {2}, new byte[] {1, 2}), true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(images.toString(), "auto"));
    assertTrue(e.getMessage().contains("has 2 labels"), e.getMessage());
    assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
  }

  @Test
  void missingFileAndUnknownFormatAreClear() {
    Path missing = dir.resolve("none-images-idx3-ubyte.gz");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(missing.toString(), "auto"));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ImageDatasets.open(dir.toString(), "tiff"));
    assertTrue(e.getMessage().contains("Unknown image format 'tiff'"), e.getMessage());
  }

  @Test
  void realFashionMnistTestSet() {
    Path images = DatasetCatalog.DEBIAN_FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz");
    assumeTrue(Files.isRegularFile(images), "Fashion-MNIST is not installed (apt-get install"
        + " dataset-fashion-mnist); skipping the real-file test");
    try (ImageDataset d = ImageDatasets.open(images.toString(), "auto")) {
      assertEquals(10_000, d.size());
      int[] perClass = new int[10];
      long sum = 0;
      for (int i = 0; i < d.size(); i++) {
        LabeledImage im = d.get(i);
        perClass[im.label()]++;
        assertEquals(28, im.image().height());
        assertEquals(28, im.image().width());
        for (byte b : im.image().pixels()) {
          sum += b & 0xff;
        }
      }
      int[] thousand = new int[10];
      Arrays.fill(thousand, 1000);
      assertArrayEquals(thousand, perClass, "Fashion-MNIST's test set is balanced");
      // Fashion-MNIST's mean pixel is about 0.286 of 255.
      double mean = sum / (10_000.0 * 784 * 255);
      assertTrue(mean > 0.27 && mean < 0.30, "mean pixel " + mean);
      // Test image 0 is an ankle boot (label 9) in the published files.
      assertEquals(9, d.get(0).label());
    }
  }
}
