package org.ccespark.data.images;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Images in the IDX format of MNIST and Fashion-MNIST: an images file ({@code idx3}: count x rows x
 * columns of unsigned bytes; an {@code idx4} file with 3 channels last is read as RGB) and
 * optionally a labels file ({@code idx1}: one unsigned byte per image). Either file may be gzipped
 * (detected from its first bytes, whatever its name). Both are decoded into memory when opened
 * (Fashion-MNIST's 60,000 training images take 47 MB).
 *
 * <p>Ids are {@code <images file name>#<index>}.
 */
public final class IdxDataset implements ImageDataset {
  private static final int UBYTE = 0x08;

  private final String name;
  private final String source;
  private final int size;
  private final int height;
  private final int width;
  private final int channels;
  private final byte[] pixels;
  private final byte[] labels;
  private final List<String> classNames;

  private IdxDataset(String name, String source, int[] dims, byte[] pixels, byte[] labels,
      List<String> classNames) {
    this.name = name;
    this.source = source;
    this.size = dims[0];
    this.height = dims[1];
    this.width = dims[2];
    this.channels = dims.length == 4 ? dims[3] : 1;
    this.pixels = pixels;
    this.labels = labels;
    this.classNames = List.copyOf(classNames);
    if (labels != null && !this.classNames.isEmpty()) {
      for (int i = 0; i < labels.length; i++) {
        if ((labels[i] & 0xff) >= this.classNames.size()) {
          throw new IllegalArgumentException("Label " + (labels[i] & 0xff) + " of image " + i
              + " of " + source + " is not below the number of classes, "
              + this.classNames.size() + ".");
        }
      }
    }
  }

  /**
   * Reads an images file and, if given, its labels file.
   *
   * @param images the {@code idx3} images file, gzipped or not
   * @param labels the {@code idx1} labels file, or null for unlabelled images
   * @param name the dataset's name
   * @param classNames the class names by label, or an empty list
   * @return the dataset, in memory
   * @throws IllegalArgumentException if a file is missing, is not an IDX file of unsigned bytes of
   *     the expected rank, is truncated or has trailing bytes, or the counts differ
   */
  public static IdxDataset open(Path images, Path labels, String name, List<String> classNames) {
    Objects.requireNonNull(images, "images");
    try (InputStream im = open(images, "images");
        InputStream lb = labels == null ? null : open(labels, "labels")) {
      return read(name, images.toString(), im, labels == null ? null : labels.toString(), lb,
          classNames);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read IDX file " + images, e);
    }
  }

  /**
   * Reads IDX data from streams (for example class-path resources). The streams are read to their
   * end but not closed.
   *
   * @param name the dataset's name
   * @param imagesSource the images file's name, used in ids and messages
   * @param images the {@code idx3} (or {@code idx4} RGB) images, gzipped or not
   * @param labelsSource the labels file's name, used in messages; null when {@code labels} is null
   * @param labels the {@code idx1} labels, gzipped or not, or null
   * @param classNames the class names by label, or an empty list
   * @return the dataset, in memory
   * @throws IllegalArgumentException if the data is not IDX of unsigned bytes of the expected rank,
   *     is truncated or has trailing bytes, or the counts differ
   */
  public static IdxDataset read(String name, String imagesSource, InputStream images,
      String labelsSource, InputStream labels, List<String> classNames) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(classNames, "classNames");
    int[] dims = new int[4];
    byte[] pixels = readArray(imagesSource, images, "images", dims);
    if (dims[3] != 1 && dims[3] != 3) {
      throw new IllegalArgumentException("IDX images file " + imagesSource + " has " + dims[3]
          + " channels per pixel; 1 (grey) or 3 (RGB) are supported.");
    }
    byte[] lab = null;
    if (labels != null) {
      int[] ldims = new int[4];
      lab = readArray(labelsSource, labels, "labels", ldims);
      if (ldims[0] != dims[0]) {
        throw new IllegalArgumentException("IDX labels file " + labelsSource + " has " + ldims[0]
            + " labels but images file " + imagesSource + " has " + dims[0] + " images.");
      }
    }
    int[] shape = dims[3] == 1 ? new int[] {dims[0], dims[1], dims[2]} : dims;
    return new IdxDataset(name, fileName(imagesSource), shape, pixels, lab, classNames);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public LabeledImage get(int index) {
    Objects.checkIndex(index, size);
    int n = height * width * channels;
    byte[] image = new byte[n];
    System.arraycopy(pixels, index * n, image, 0, n);
    int label = labels == null ? LabeledImage.UNKNOWN : labels[index] & 0xff;
    return new LabeledImage(source + "#" + index, label, new Image(height, width, channels, image));
  }

  /**
   * Whether the images were read with labels.
   *
   * @return true when a labels file was read
   */
  public boolean hasLabels() {
    return labels != null;
  }

  @Override
  public void close() {}

  // ---------------------------------------------------------------------------------- parsing

  /**
   * Reads one IDX array of unsigned bytes. {@code dims} receives count, rows, columns, channels
   * (1 when absent) for images, or just the count for labels.
   */
  private static byte[] readArray(String source, InputStream raw, String kind, int[] dims) {
    try {
      InputStream in = maybeGunzip(raw);
      byte[] header = new byte[4];
      int got = in.readNBytes(header, 0, 4);
      if (got < 4) {
        throw new IllegalArgumentException("IDX " + kind + " file " + source + " is truncated: it"
            + " has " + got + " bytes, fewer than the 4 of the magic number.");
      }
      int magic = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16)
          | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
      int rank = header[3] & 0xff;
      boolean images = kind.equals("images");
      boolean rankOk = images ? rank == 3 || rank == 4 : rank == 1;
      if (header[0] != 0 || header[1] != 0 || (header[2] & 0xff) != UBYTE || !rankOk) {
        throw new IllegalArgumentException(String.format("%s is not an IDX %s file of unsigned"
            + " bytes: it starts with magic number 0x%08x, expected %s.", source, kind, magic,
            images ? "0x00000803 (or 0x00000804 for RGB)" : "0x00000801"));
      }
      byte[] sizes = new byte[4 * rank];
      got = in.readNBytes(sizes, 0, sizes.length);
      if (got < sizes.length) {
        throw new IllegalArgumentException("IDX " + kind + " file " + source + " is truncated"
            + " within its header.");
      }
      long n = 1;
      dims[1] = dims[2] = dims[3] = 1;
      for (int i = 0; i < rank; i++) {
        int d = ((sizes[4 * i] & 0xff) << 24) | ((sizes[4 * i + 1] & 0xff) << 16)
            | ((sizes[4 * i + 2] & 0xff) << 8) | (sizes[4 * i + 3] & 0xff);
        if (d < 0 || (d == 0 && i > 0)) {
          throw new IllegalArgumentException("IDX " + kind + " file " + source + " declares size "
              + Integer.toUnsignedString(d) + " in dimension " + i + ".");
        }
        dims[i] = d;
        n *= d;
      }
      if (n > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("IDX " + kind + " file " + source + " declares " + n
            + " values, more than one array can hold.");
      }
      byte[] data = new byte[(int) n];
      int read;
      try {
        read = in.readNBytes(data, 0, data.length);
      } catch (EOFException e) {
        read = -1;
      }
      if (read != data.length) {
        throw new IllegalArgumentException("IDX " + kind + " file " + source + " is truncated: its"
            + " header announces " + describe(dims, rank) + " (" + n + " bytes) but the data ends"
            + (read < 0 ? " early." : " after " + read + " bytes."));
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException("IDX " + kind + " file " + source + " has bytes after"
            + " the " + describe(dims, rank) + " its header announces.");
      }
      return data;
    } catch (EOFException e) {
      throw new IllegalArgumentException("IDX " + kind + " file " + source + " is truncated ("
          + e.getMessage() + ").", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read IDX " + kind + " file " + source, e);
    }
  }

  private static String describe(int[] dims, int rank) {
    if (rank == 1) {
      return dims[0] + " labels";
    }
    return dims[0] + " images of " + dims[1] + " x " + dims[2] + (rank == 4 ? " x " + dims[3] : "");
  }

  /** Decompresses a gzip stream (recognised by its first two bytes); other data passes through. */
  static InputStream maybeGunzip(InputStream raw) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    return in;
  }

  private static InputStream open(Path file, String kind) throws IOException {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("IDX " + kind + " file " + file + " does not exist.");
    }
  }

  private static String fileName(String source) {
    int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
    return slash < 0 ? source : source.substring(slash + 1);
  }
}
