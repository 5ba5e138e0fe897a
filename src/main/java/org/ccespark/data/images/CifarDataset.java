package org.ccespark.data.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 and CIFAR-100 in their binary versions. A CIFAR-10 record is 1 label byte (0-9) and
 * 3,072 pixel bytes: the red, then green, then blue plane of a 32 x 32 image, each row-major (files
 * {@code data_batch_1.bin} ... {@code data_batch_5.bin}, {@code test_batch.bin}; class names in
 * {@code batches.meta.txt}). A CIFAR-100 record has 2 label bytes, coarse (0-19) then fine (0-99),
 * before the same pixels (files {@code train.bin}, {@code test.bin}; names in {@code
 * coarse_label_names.txt} and {@code fine_label_names.txt}). Records are read from disk on demand.
 *
 * <p>Ids are {@code <file name>#<record index within the file>}.
 */
public final class CifarDataset implements ImageDataset {
  /** Which labels a file holds and which one to report. */
  public enum Variant {
    /** CIFAR-10: one label byte, 10 classes. */
    CIFAR10("CIFAR-10", 1, 0, 10, "batches.meta.txt"),
    /** CIFAR-100 with its 100 fine labels. */
    CIFAR100_FINE("CIFAR-100", 2, 1, 100, "fine_label_names.txt"),
    /** CIFAR-100 with its 20 coarse labels (superclasses). */
    CIFAR100_COARSE("CIFAR-100", 2, 0, 20, "coarse_label_names.txt");

    private final String format;
    private final int labelBytes;
    private final int labelOffset;
    private final int numClasses;
    private final String namesFile;

    Variant(String format, int labelBytes, int labelOffset, int numClasses, String namesFile) {
      this.format = format;
      this.labelBytes = labelBytes;
      this.labelOffset = labelOffset;
      this.numClasses = numClasses;
      this.namesFile = namesFile;
    }

    /**
     * Bytes per record.
     *
     * @return label bytes plus 3,072
     */
    public int recordBytes() {
      return labelBytes + PIXELS;
    }
  }

  /** Image side. */
  public static final int SIDE = 32;
  private static final int PLANE = SIDE * SIDE;
  private static final int PIXELS = 3 * PLANE;

  private final String name;
  private final Variant variant;
  private final RecordFiles records;
  private final List<String> classNames;

  private CifarDataset(String name, Variant variant, RecordFiles records, List<String> classNames) {
    this.name = name;
    this.variant = variant;
    this.records = records;
    this.classNames = classNames;
  }

  /**
   * Opens CIFAR binary files. Class names are read from the variant's names file beside the first
   * file when it is there.
   *
   * @param files one or more batch files, read in the given order
   * @param variant the format and which label to report
   * @param name the dataset's name
   * @return the dataset, reading from disk on demand
   * @throws IllegalArgumentException if a file is missing or not a whole number of records
   */
  public static CifarDataset open(List<Path> files, Variant variant, String name) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("No " + variant.format + " batch files were given.");
    }
    RecordFiles records = new RecordFiles(files, variant.recordBytes(), variant.format,
        variant.labelBytes + " label byte" + (variant.labelBytes == 1 ? "" : "s")
            + " and 3,072 pixel bytes");
    Path dir = files.get(0).toAbsolutePath().getParent();
    List<String> names = readClassNames(dir.resolve(variant.namesFile), variant.numClasses);
    return new CifarDataset(name, variant, records, names);
  }

  /**
   * The class names of a CIFAR names file: its non-blank lines, trimmed; empty if the file is
   * absent.
   */
  static List<String> readClassNames(Path file, int numClasses) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      List<String> names = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          names.add(line.trim());
        }
      }
      if (names.size() != numClasses) {
        throw new IllegalArgumentException("Class names file " + file + " names " + names.size()
            + " classes, expected " + numClasses + ".");
      }
      return List.copyOf(names);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read class names file " + file, e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return records.size();
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public LabeledImage get(int index) {
    byte[] record = records.read(index);
    int label = record[variant.labelOffset] & 0xff;
    if (label >= variant.numClasses) {
      throw new IllegalArgumentException("Record " + records.indexInFile(index) + " (image " + index
          + ") of " + records.file(index) + " has label " + label + "; " + variant.format
          + " labels of this kind are below " + variant.numClasses + ".");
    }
    byte[] hwc = new byte[PIXELS];
    int base = variant.labelBytes;
    for (int p = 0; p < PLANE; p++) {
      hwc[3 * p] = record[base + p];
      hwc[3 * p + 1] = record[base + PLANE + p];
      hwc[3 * p + 2] = record[base + 2 * PLANE + p];
    }
    String id = records.file(index).getFileName() + "#" + records.indexInFile(index);
    return new LabeledImage(id, label, new Image(SIDE, SIDE, 3, hwc));
  }

  @Override
  public void close() {
    records.close();
  }
}
