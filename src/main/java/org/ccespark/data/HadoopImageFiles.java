package org.ccespark.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.ccespark.data.images.Image;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.ImageFiles;
import org.ccespark.data.images.ImageFolderDataset;
import org.ccespark.data.images.LabeledImage;

/**
 * PNG and JPEG files on any file system Hadoop reads ({@code file:}, {@code hdfs:}, {@code s3a:},
 * ...), given as a folder, a file or a glob. The files are listed once, on the driver: a glob is
 * expanded by Hadoop's {@code globStatus} (as Spark does), then Spark's {@code binaryFile} source
 * lists the matches recursively (a matched folder contributes every file below it; its listing
 * skips names that start with {@code .} or {@code _}), and only names ending in
 * {@code .png}, {@code .jpg} or {@code .jpeg} (any case) are kept. Each image is read through
 * Hadoop's {@code FileSystem} when asked for, on whichever JVM holds this object (it is
 * serializable: executors read their own images), and decoded by {@link ImageFiles#decode}.
 *
 * <p>Ids and labels are those of {@link ImageFolderDataset}, relative to the <em>root</em>: the
 * folder itself; a file's parent folder; for a glob, the part before the first component that
 * holds a glob character ({@code /data/photos} for {@code /data/photos/*}{@code /*.jpg}). Each
 * image's first folder below the root is its class; images directly in it have no label. Order:
 * sorted by id.
 */
public final class HadoopImageFiles implements ImageDataset, ImageInputs.Source {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String prefix;
  private final String[] files;
  private final String[] ids;
  private final int[] labels;
  private final ArrayList<String> classNames;
  private final SerializableConfiguration conf;

  private HadoopImageFiles(String name, String prefix, String[] files, String[] ids, int[] labels,
      List<String> classNames, Configuration conf) {
    this.name = name;
    this.prefix = prefix;
    this.files = files;
    this.ids = ids;
    this.labels = labels;
    this.classNames = new ArrayList<>(classNames);
    this.conf = new SerializableConfiguration(conf);
  }

  /**
   * Lists the image files of a Hadoop path.
   *
   * @param spark the session (its Hadoop configuration reaches the file system)
   * @param input a folder, file or glob, with or without a scheme
   * @return the images, none decoded yet
   * @throws IllegalArgumentException if the path or glob matches nothing, holds no image file, or
   *     its file system cannot be reached (naming {@code input})
   */
  public static HadoopImageFiles list(SparkSession spark, String input) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ImageInputs.Root root = root(conf, input);
    String[] paths = {input};
    if (ImageInputs.isGlob(input)) {
      // Expanded here, as Spark would (Hadoop's globStatus), so that Spark is given existing
      // paths (a glob makes it log a warning with a stack trace) and an empty match is ours to
      // report. Characters that Hadoop globs treat specially are escaped in the matches.
      FileStatus[] matches;
      try {
        Path glob = new Path(input);
        matches = glob.getFileSystem(conf).globStatus(glob);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("Cannot expand the glob '" + input + "': "
            + e.getMessage(), e);
      }
      if (matches == null || matches.length == 0) {
        throw new IllegalArgumentException("'" + input + "' matches no file or folder (glob).");
      }
      paths = new String[matches.length];
      for (int i = 0; i < matches.length; i++) {
        paths[i] = escapeGlob(matches[i].getPath().toString());
      }
    }
    String[] listed;
    try {
      listed = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
          .load(paths).inputFiles();
    } catch (Exception e) { // AnalysisException is checked in Java's eyes
      if (e instanceof AnalysisException a && "PATH_NOT_FOUND".equals(a.getCondition())) {
        throw new IllegalArgumentException("'" + input + "' matches no file or folder.", e);
      }
      throw new IllegalArgumentException("Cannot list '" + input + "': " + e.getMessage(), e);
    }
    String rootPath = withSlash(root.qualified().toUri().getPath());
    List<String[]> found = new ArrayList<>();
    for (String f : listed) {
      // Spark gives each file's URI, percent-encoded
      String path = URI.create(f).getPath();
      if (!path.startsWith(rootPath)) {
        throw new IllegalStateException("Listed file " + f + " is not under " + rootPath);
      }
      String id = path.substring(rootPath.length());
      if (ImageFolderDataset.isImageName(id) && !hidden(id)) {
        found.add(new String[] {id, f});
      }
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException("'" + input + "' holds no .png, .jpg or .jpeg file ("
          + listed.length + " other file" + (listed.length == 1 ? "" : "s") + ").");
    }
    found.sort((a, b) -> a[0].compareTo(b[0]));
    String[] ids = new String[found.size()];
    String[] files = new String[found.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = found.get(i)[0];
      files[i] = found.get(i)[1];
    }
    ImageFolderDataset.Classes classes = ImageFolderDataset.classesOf(Arrays.asList(ids));
    return new HadoopImageFiles(input, root.prefix(), files, ids, classes.labels(),
        classes.names(), conf);
  }

  /**
   * The root of a Hadoop path: for a glob the part before the component holding the first glob
   * character, otherwise the folder itself or a file's parent.
   *
   * @throws IllegalArgumentException if its file system cannot be reached or a non-glob path does
   *     not exist
   */
  static ImageInputs.Root root(Configuration conf, String input) {
    String given = input;
    boolean glob = ImageInputs.isGlob(input);
    if (glob) {
      int first = 0;
      while (first < input.length() && "*?[{".indexOf(input.charAt(first)) < 0) {
        first++;
      }
      int slash = input.lastIndexOf('/', first);
      given = slash < 0 ? "." : slash == 0 ? "/" : input.substring(0, slash);
    }
    while (given.length() > 1 && given.endsWith("/") && !given.endsWith(":/")
        && !given.endsWith("//")) {
      given = given.substring(0, given.length() - 1);
    }
    Path p;
    FileSystem fs;
    try {
      p = new Path(given);
      fs = p.getFileSystem(conf);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("Cannot reach the file system of '" + input + "': "
          + e.getMessage() + " (is its Hadoop connector, e.g. hadoop-aws for s3a:, on the class"
          + " path and configured?)", e);
    }
    Path qualified = fs.makeQualified(p);
    if (!glob) {
      FileStatus status = ImageInputs.status(fs, qualified, input);
      if (status == null) {
        throw new IllegalArgumentException("'" + input + "' does not exist.");
      }
      if (status.isFile()) {
        qualified = qualified.getParent();
        int slash = given.lastIndexOf('/');
        given = slash <= 0 ? qualified.toUri().getPath() : given.substring(0, slash);
      }
    }
    return new ImageInputs.Root(given, qualified);
  }

  /** A path with the characters that Hadoop's globs give a meaning escaped by a backslash. */
  static String escapeGlob(String path) {
    StringBuilder b = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if ("\\*?[]{}".indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  private static String withSlash(String path) {
    return path.endsWith("/") ? path : path + "/";
  }

  private static boolean hidden(String id) {
    for (String part : id.split("/")) {
      if (part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public ImageDataset open() {
    return this;
  }

  @Override
  public String pathPrefix() {
    return prefix;
  }

  /**
   * The full path or URI of image {@code index}'s file: {@link #pathPrefix} and its id.
   *
   * @param index the image
   * @return its path
   */
  public String path(int index) {
    return prefix + ids[index];
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return ids.length;
  }

  @Override
  public List<String> classNames() {
    return List.copyOf(classNames);
  }

  @Override
  public LabeledImage get(int index) {
    Path file = new Path(URI.create(files[index]));
    String where = path(index) + " (image " + index + ")";
    Image image;
    try (InputStream in = file.getFileSystem(conf.value()).open(file)) {
      image = ImageFiles.decode(in, where);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read image file " + where + ": " + e.getMessage(), e);
    }
    return new LabeledImage(ids[index], labels[index], image);
  }

  /** Nothing to release: each image's stream is closed once read. */
  @Override
  public void close() {}
}
