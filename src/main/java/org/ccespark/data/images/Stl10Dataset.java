package org.ccespark.data.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * STL-10 in its binary version: {@code train_X.bin}, {@code test_X.bin} and {@code
 * unlabeled_X.bin} hold 96 x 96 RGB images of 27,648 bytes each, every channel plane stored
 * column-major (red, then green, then blue); {@code train_y.bin} and {@code test_y.bin} hold one
 * label byte per image, 1-10; {@code class_names.txt} names the classes. The images are read from
 * disk on demand and the labels into memory.
 *
 * <p>Ids are {@code <file name>#<index>}; the label of image {@code i} is the file's byte minus 1.
 */
public final class Stl10Dataset implements ImageDataset {
  /** Image side. */
  public static final int SIDE = 96;
  /** Number of classes. */
  public static final int NUM_CLASSES = 10;
  private static final int PLANE = SIDE * SIDE;
  private static final int PIXELS = 3 * PLANE;

  private final String name;
  private final RecordFiles records;
  private final byte[] labels;
  private final List<String> classNames;

  private Stl10Dataset(String name, RecordFiles records, byte[] labels, List<String> classNames) {
    this.name = name;
    this.records = records;
    this.labels = labels;
    this.classNames = classNames;
  }

  /**
   * Opens an STL-10 images file and its labels file.
   *
   * @param images an {@code *_X.bin} file
   * @param labels its {@code *_y.bin} file, or null for unlabelled images
   * @param name the dataset's name
   * @return the dataset
   * @throws IllegalArgumentException if a file is missing, not a whole number of images, a label is
   *     outside 1-10, or the counts differ
   */
  public static Stl10Dataset open(Path images, Path labels, String name) {
    RecordFiles records = new RecordFiles(List.of(images), PIXELS, "STL-10",
        "96 x 96 x 3 bytes per image");
    try {
      byte[] y = null;
      if (labels != null) {
        if (!Files.isRegularFile(labels)) {
          throw new IllegalArgumentException("STL-10 labels file " + labels + " does not exist.");
        }
        y = Files.readAllBytes(labels);
        if (y.length != records.size()) {
          throw new IllegalArgumentException("STL-10 labels file " + labels + " has " + y.length
              + " labels but images file " + images + " has " + records.size() + " images.");
        }
        for (int i = 0; i < y.length; i++) {
          int v = y[i] & 0xff;
          if (v < 1 || v > NUM_CLASSES) {
            throw new IllegalArgumentException("Label " + i + " of STL-10 labels file " + labels
                + " is " + v + "; STL-10 labels run from 1 to " + NUM_CLASSES + ".");
          }
        }
      }
      Path dir = images.toAbsolutePath().getParent();
      List<String> names = CifarDataset.readClassNames(dir.resolve("class_names.txt"),
          NUM_CLASSES);
      return new Stl10Dataset(name, records, y, names);
    } catch (IOException e) {
      records.close();
      throw new UncheckedIOException("Cannot read STL-10 labels file " + labels, e);
    } catch (RuntimeException e) {
      records.close();
      throw e;
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
    byte[] raw = records.read(index);
    byte[] hwc = new byte[PIXELS];
    // Plane c holds pixel (row y, column x) at x * SIDE + y (column-major).
    for (int c = 0; c < 3; c++) {
      int plane = c * PLANE;
      for (int x = 0; x < SIDE; x++) {
        for (int y = 0; y < SIDE; y++) {
          hwc[(y * SIDE + x) * 3 + c] = raw[plane + x * SIDE + y];
        }
      }
    }
    int label = labels == null ? LabeledImage.UNKNOWN : (labels[index] & 0xff) - 1;
    return new LabeledImage(records.file(index).getFileName() + "#" + index, label,
        new Image(SIDE, SIDE, 3, hwc));
  }

  @Override
  public void close() {
    records.close();
  }
}
