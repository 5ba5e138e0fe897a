package org.ccespark.data.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Opens image datasets from files by format, or guesses the format from the path.
 *
 * <table>
 *   <caption>Formats</caption>
 *   <tr><th>format</th><th>path</th><th>recognised by {@code auto}</th></tr>
 *   <tr><td>{@code idx}</td><td>an images file; its labels file is the same name with {@code
 *       images} → {@code labels} and {@code idx3} → {@code idx1}, read when present</td>
 *       <td>name contains {@code idx3-ubyte} or {@code idx4-ubyte}</td></tr>
 *   <tr><td>{@code cifar10}</td><td>a batch file, or a folder: all its {@code data_batch_N.bin}
 *       in order of N (the training set)</td><td>{@code data_batch_N.bin}, {@code test_batch.bin},
 *       a folder holding {@code data_batch_1.bin}</td></tr>
 *   <tr><td>{@code cifar100}, {@code cifar100-coarse}</td><td>{@code train.bin} or {@code
 *       test.bin}; fine (100) or coarse (20) labels</td><td>{@code train.bin}, {@code test.bin}
 *       (fine labels)</td></tr>
 *   <tr><td>{@code stl10}</td><td>{@code train_X.bin}, {@code test_X.bin} (labels from {@code
 *       *_y.bin} beside it), {@code unlabeled_X.bin}</td><td>name ends in {@code _X.bin} or is
 *       {@code unlabeled.bin}</td></tr>
 *   <tr><td>{@code folder}</td><td>a folder of PNG/JPEG images, a sub-folder per class</td>
 *       <td>any other folder</td></tr>
 * </table>
 */
public final class ImageDatasets {
  /** The accepted format names, {@code auto} first. */
  public static final List<String> FORMATS =
      List.of("auto", "idx", "cifar10", "cifar100", "cifar100-coarse", "stl10", "folder");

  private static final Pattern CIFAR10_BATCH = Pattern.compile("data_batch_(\\d+)\\.bin");

  private ImageDatasets() {}

  /**
   * Opens a dataset.
   *
   * @param path a file or folder, as described in the class comment
   * @param format one of {@link #FORMATS} (case-insensitive); null means {@code auto}
   * @return the dataset; close it when done
   * @throws IllegalArgumentException if the path does not exist, the format is unknown or cannot be
   *     guessed, or the files are not in the format (wrong magic number, truncated, labels and
   *     images counts differ, ...)
   */
  public static ImageDataset open(String path, String format) {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("No dataset path was given.");
    }
    String f = format == null ? "auto" : format.trim().toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(f)) {
      throw new IllegalArgumentException("Unknown image format '" + format + "' for '" + path
          + "': use " + String.join(", ", FORMATS) + ".");
    }
    Path p = Path.of(path);
    if (!Files.exists(p)) {
      throw new IllegalArgumentException("Dataset path '" + path + "' does not exist.");
    }
    if (f.equals("auto")) {
      f = guessFormat(p);
    }
    String name = p.getFileName() == null ? path : p.getFileName().toString();
    switch (f) {
      case "idx":
        requireFile(p, "idx");
        Path labels = idxLabelsFile(p);
        return IdxDataset.open(p, labels != null && Files.isRegularFile(labels) ? labels : null,
            name, List.of());
      case "cifar10":
        return CifarDataset.open(Files.isDirectory(p) ? cifar10TrainingBatches(p) : List.of(p),
            CifarDataset.Variant.CIFAR10, name);
      case "cifar100":
        requireFile(p, f);
        return CifarDataset.open(List.of(p), CifarDataset.Variant.CIFAR100_FINE, name);
      case "cifar100-coarse":
        requireFile(p, f);
        return CifarDataset.open(List.of(p), CifarDataset.Variant.CIFAR100_COARSE, name);
      case "stl10":
        requireFile(p, f);
        return Stl10Dataset.open(p, stlLabelsFile(p), name);
      case "folder":
        return ImageFolderDataset.open(p, name);
      default:
        throw new IllegalStateException(f);
    }
  }

  /**
   * Whether {@link #open} reads {@code path} as a folder of image files (format {@code folder}, or
   * {@code auto} on a folder that is not a CIFAR-10 one), whose images' ids are their paths
   * relative to it.
   *
   * @param path a path as for {@link #open}
   * @param format as for {@link #open}
   * @return false for a file, a missing path (a dataset name) or another format
   */
  public static boolean isImageFolder(String path, String format) {
    String f = format == null ? "auto" : format.trim().toLowerCase(Locale.ROOT);
    Path p = Path.of(path);
    if (!Files.isDirectory(p)) {
      return false;
    }
    return f.equals("folder") || (f.equals("auto") && guessFormat(p).equals("folder"));
  }

  /**
   * The format {@code auto} chooses for an existing path.
   *
   * @param p the path
   * @return a format other than {@code auto}
   * @throws IllegalArgumentException if the file's name does not tell
   */
  static String guessFormat(Path p) {
    if (Files.isDirectory(p)) {
      return Files.isRegularFile(p.resolve("data_batch_1.bin")) ? "cifar10" : "folder";
    }
    String n = p.getFileName().toString();
    String lower = n.toLowerCase(Locale.ROOT);
    if (lower.contains("idx3-ubyte") || lower.contains("idx4-ubyte")) {
      return "idx";
    }
    if (CIFAR10_BATCH.matcher(n).matches() || n.equals("test_batch.bin")) {
      return "cifar10";
    }
    if (n.equals("train.bin") || n.equals("test.bin")) {
      return "cifar100";
    }
    if (n.endsWith("_X.bin") || n.equals("unlabeled.bin")) {
      return "stl10";
    }
    throw new IllegalArgumentException("Cannot tell the image format of '" + p + "' from its name:"
        + " pass a format (" + String.join(", ", FORMATS.subList(1, FORMATS.size())) + ").");
  }

  /**
   * The labels file that goes with an IDX images file: {@code images} becomes {@code labels} and
   * {@code idx3}/{@code idx4} becomes {@code idx1} in the file name ({@code
   * train-images-idx3-ubyte.gz} → {@code train-labels-idx1-ubyte.gz}), with or without {@code .gz}
   * (the name as derived unless only the other one exists); null when the name has neither.
   *
   * @param images the images file
   * @return the labels file, which may not exist, or null
   */
  public static Path idxLabelsFile(Path images) {
    String n = images.getFileName().toString();
    String l = n.replace("images", "labels").replace("idx3", "idx1").replace("idx4", "idx1");
    if (l.equals(n)) {
      return null;
    }
    Path labels = images.resolveSibling(l);
    // Accept a labels file compressed differently from the images file.
    Path other = images.resolveSibling(l.endsWith(".gz") ? l.substring(0, l.length() - 3)
        : l + ".gz");
    return !Files.exists(labels) && Files.isRegularFile(other) ? other : labels;
  }

  private static Path stlLabelsFile(Path images) {
    String n = images.getFileName().toString();
    if (!n.endsWith("_X.bin") || n.startsWith("unlabeled")) {
      return null;
    }
    Path labels = images.resolveSibling(n.substring(0, n.length() - "_X.bin".length()) + "_y.bin");
    if (!Files.isRegularFile(labels)) {
      throw new IllegalArgumentException("STL-10 images file " + images + " has no labels file "
          + labels.getFileName() + " beside it.");
    }
    return labels;
  }

  private static List<Path> cifar10TrainingBatches(Path dir) {
    List<Path> batches = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.filter(q -> CIFAR10_BATCH.matcher(q.getFileName().toString()).matches())
          .forEach(batches::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("CIFAR-10 folder " + dir + " holds no data_batch_N.bin.");
    }
    batches.sort((a, b) -> Integer.compare(batchNumber(a), batchNumber(b)));
    return batches;
  }

  private static int batchNumber(Path p) {
    Matcher m = CIFAR10_BATCH.matcher(p.getFileName().toString());
    m.matches();
    return Integer.parseInt(m.group(1));
  }

  private static void requireFile(Path p, String format) {
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("Format " + format + " reads a file, but '" + p
          + "' is a folder.");
    }
  }
}
