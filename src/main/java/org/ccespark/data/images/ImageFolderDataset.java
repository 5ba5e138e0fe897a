package org.ccespark.data.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A folder of JPEG and PNG images. Each sub-folder is a class: its name is the class name, its
 * position among the sub-folders that hold images (sorted by name) is the label, and every image
 * below it (at any depth) has that label. Images directly in the folder have label -1. Files whose
 * names do not end in {@code .png}, {@code .jpg} or {@code .jpeg} (any case) and hidden files and
 * folders are ignored.
 *
 * <p>Order: images sorted by their path relative to the folder (with {@code /} separators), which is
 * also their id. Images are decoded on demand by {@link ImageFiles#decode}: a greyscale image gives
 * 1 channel, anything else 3 RGB channels (alpha is dropped). Images may differ in size.
 */
public final class ImageFolderDataset implements ImageDataset {
  private final String name;
  private final Path root;
  private final List<String> files;
  private final int[] labels;
  private final List<String> classNames;

  private ImageFolderDataset(String name, Path root, List<String> files, int[] labels,
      List<String> classNames) {
    this.name = name;
    this.root = root;
    this.files = files;
    this.labels = labels;
    this.classNames = classNames;
  }

  /**
   * Lists the images of a folder (decoding none of them).
   *
   * @param folder the folder
   * @param name the dataset's name
   * @return the dataset
   * @throws IllegalArgumentException if the folder does not exist or holds no image
   */
  public static ImageFolderDataset open(Path folder, String name) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("Image folder " + folder + " does not exist.");
    }
    List<String> relative = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(folder)) {
      walk.filter(Files::isRegularFile)
          .map(p -> folder.relativize(p))
          .filter(ImageFolderDataset::isVisibleImage)
          .map(p -> p.toString().replace(p.getFileSystem().getSeparator(), "/"))
          .forEach(relative::add);
    } catch (IOException | UncheckedIOException e) {
      throw new UncheckedIOException("Cannot list image folder " + folder,
          e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
    }
    if (relative.isEmpty()) {
      throw new IllegalArgumentException("Image folder " + folder + " holds no .png, .jpg or .jpeg"
          + " file.");
    }
    relative.sort(null);
    Classes classes = classesOf(relative);
    return new ImageFolderDataset(name, folder, List.copyOf(relative), classes.labels(),
        classes.names());
  }

  /**
   * The classes of images given by their paths relative to a folder: each image's first folder is
   * its class (the class names sorted, the label its position), and an image directly in the
   * folder has label {@link LabeledImage#UNKNOWN}.
   *
   * @param names the class names, sorted
   * @param labels each image's label, in the order of the paths
   */
  public record Classes(List<String> names, int[] labels) {}

  /**
   * The classes of images, as {@link #open} gives them.
   *
   * @param relative the images' paths relative to the folder, {@code /}-separated, sorted
   * @return the class names and labels
   */
  public static Classes classesOf(List<String> relative) {
    List<String> classes = new ArrayList<>();
    for (String r : relative) {
      int slash = r.indexOf('/');
      if (slash > 0) {
        String c = r.substring(0, slash);
        if (classes.isEmpty() || !classes.get(classes.size() - 1).equals(c)) {
          classes.add(c);
        }
      }
    }
    // Sorted paths group each class together, and the class names come out in sorted order too.
    int[] labels = new int[relative.size()];
    int label = -1;
    String current = null;
    for (int i = 0; i < relative.size(); i++) {
      String r = relative.get(i);
      int slash = r.indexOf('/');
      if (slash < 0) {
        labels[i] = LabeledImage.UNKNOWN;
        continue;
      }
      String c = r.substring(0, slash);
      if (!c.equals(current)) {
        current = c;
        label = classes.indexOf(c);
      }
      labels[i] = label;
    }
    return new Classes(List.copyOf(classes), labels);
  }

  /**
   * Whether a file name is that of an image this reader takes: it ends in {@code .png}, {@code
   * .jpg} or {@code .jpeg}, in any case.
   *
   * @param fileName the name
   * @return whether it is read
   */
  public static boolean isImageName(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
  }

  private static boolean isVisibleImage(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return false;
      }
    }
    return isImageName(relative.getFileName().toString());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  /**
   * The file of image {@code index}.
   *
   * @param index the image
   * @return its path
   */
  public Path file(int index) {
    return root.resolve(files.get(index));
  }

  @Override
  public LabeledImage get(int index) {
    Path file = file(index);
    Image image;
    try (InputStream in = Files.newInputStream(file)) {
      image = ImageFiles.decode(in, file + " (image " + index + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read image file " + file + " (image " + index + ")", e);
    }
    return new LabeledImage(files.get(index), labels[index], image);
  }

  @Override
  public void close() {}
}
