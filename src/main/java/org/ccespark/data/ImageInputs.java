package org.ccespark.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.ImageDatasets;

/**
 * The one place that opens the image input of {@code extract}, {@code convert} and {@code
 * train-deep}: a dataset name or local path as before ({@link DatasetCatalog#openPathOrName}:
 * IDX, CIFAR, STL-10 files, a local folder of images), or a <em>Hadoop path</em> to image files
 * ({@link HadoopImageFiles}): a URI with a scheme ({@code file:///data/photos}, {@code
 * hdfs://namenode/photos}, {@code s3a://bucket/photos}, any file system Hadoop is configured
 * for) or a glob ({@code /data/photos/*}{@code /*.jpg}, {@code file:///data/2024-*}), listed with
 * Spark's {@code binaryFile} source and read through Hadoop's {@code FileSystem}.
 */
public final class ImageInputs {
  /** A URI scheme: letters, digits, {@code + - .}, then {@code :/}. */
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:/.*");
  /** The characters that make a Hadoop path a glob. */
  private static final String GLOB_CHARS = "*?[{";

  private ImageInputs() {}

  /**
   * Opens an image input where it is used: on the driver, or (serialized with a task) on an
   * executor. A Hadoop path's files are listed once, on the driver, and the listing travels with
   * the source.
   */
  public interface Source extends Serializable {
    /**
     * Opens the images.
     *
     * @return the dataset; close it when done
     */
    ImageDataset open();

    /**
     * The prefix that, followed by an image's id, gives the full path or URI of its file: for a
     * local folder its absolute path and {@code /}, for a Hadoop path the folder the ids are
     * relative to (as given: a URI keeps its scheme) and {@code /}; null when images are stored
     * in dataset files (their id names the file and the index).
     *
     * @return the prefix or null
     */
    String pathPrefix();
  }

  /**
   * Whether {@code input} is read as a Hadoop path: it has a URI scheme ({@code file:}, {@code
   * hdfs:}, {@code s3a:}, ...) or contains a glob character ({@code * ? [ {}) and is not an
   * existing local file or folder.
   *
   * @param input a path or dataset name
   * @return true for a Hadoop path
   */
  public static boolean isHadoopPath(String input) {
    if (input == null || input.isBlank()) {
      return false;
    }
    if (SCHEME.matcher(input).matches()) {
      return true;
    }
    return isGlob(input) && !existsLocally(input);
  }

  /**
   * Prepares an image input: lists a Hadoop path's files (with the session), or checks nothing
   * for other inputs (they are opened by {@link Source#open}).
   *
   * @param spark the session; used for Hadoop paths only (may be null otherwise)
   * @param input a path, a Hadoop path or a dataset name
   * @param format the format, see {@link ImageDatasets#FORMATS}; a Hadoop path takes {@code auto}
   *     or {@code folder}
   * @return the source
   * @throws IllegalArgumentException for a Hadoop path that matches nothing or holds no image
   *     file, a Hadoop path with another format, or a file system that cannot be reached (naming
   *     the input)
   */
  public static Source source(SparkSession spark, String input, String format) {
    if (isHadoopPath(input)) {
      checkHadoopFormat(input, format);
      if (spark == null) {
        throw new IllegalStateException("A Spark session is needed to list " + input);
      }
      return HadoopImageFiles.list(spark, input);
    }
    return new LocalSource(input, format);
  }

  /**
   * Opens an image input on the driver ({@link #source} then {@link Source#open}).
   *
   * @param spark the session; used for Hadoop paths only (may be null otherwise)
   * @param input a path, a Hadoop path or a dataset name
   * @param format the format
   * @return the dataset; close it when done
   */
  public static ImageDataset open(SparkSession spark, String input, String format) {
    return source(spark, input, format).open();
  }

  /**
   * The {@link Source#pathPrefix} of an input, without listing a Hadoop path's files (one status
   * call tells whether a non-glob path is a file or a folder).
   *
   * @param conf Hadoop's configuration (the session's)
   * @param input a path, a Hadoop path or a dataset name
   * @param format the format
   * @return the prefix, or null for images stored in dataset files and dataset names
   */
  public static String pathPrefix(Configuration conf, String input, String format) {
    if (isHadoopPath(input)) {
      checkHadoopFormat(input, format);
      return HadoopImageFiles.root(conf, input).prefix();
    }
    return LocalSource.prefix(input, format);
  }

  /** Whether a path string contains a glob character. */
  static boolean isGlob(String path) {
    for (int i = 0; i < path.length(); i++) {
      if (GLOB_CHARS.indexOf(path.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean existsLocally(String input) {
    try {
      return Files.exists(java.nio.file.Path.of(input));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static void checkHadoopFormat(String input, String format) {
    String f = format == null ? "auto" : format.trim().toLowerCase(Locale.ROOT);
    if (!f.equals("auto") && !f.equals("folder")) {
      throw new IllegalArgumentException("Format " + f + " reads a local file or folder; '"
          + input + "' is a Hadoop path (URI or glob), which is read as PNG/JPEG image files"
          + " (format auto or folder). Copy the dataset's files to a local path to read them as "
          + f + ".");
    }
  }

  /**
   * The folder a Hadoop path's image ids are relative to, as given and qualified.
   *
   * @param given the folder as the user wrote it (scheme and authority kept), no trailing slash
   * @param qualified the folder qualified by its file system
   */
  record Root(String given, Path qualified) {
    /** The path-column prefix: the folder as given, or its absolute path without scheme. */
    String prefix() {
      String base = SCHEME.matcher(given).matches() ? given : qualified.toUri().getPath();
      return base.endsWith("/") ? base : base + "/";
    }
  }

  /** A dataset name or local path, opened on each use. */
  static final class LocalSource implements Source {
    private static final long serialVersionUID = 1L;
    private final String input;
    private final String format;

    LocalSource(String input, String format) {
      this.input = input;
      this.format = format;
    }

    @Override
    public ImageDataset open() {
      return DatasetCatalog.openPathOrName(input, format);
    }

    @Override
    public String pathPrefix() {
      return prefix(input, format);
    }

    static String prefix(String input, String format) {
      if (input == null || !ImageDatasets.isImageFolder(input, format)) {
        return null;
      }
      String folder = java.nio.file.Path.of(input).toAbsolutePath().normalize().toString();
      return folder.endsWith("/") ? folder : folder + "/";
    }
  }

  /** The status of a path, or null when it does not exist. */
  static FileStatus status(FileSystem fs, Path p, String input) {
    try {
      return fs.getFileStatus(p);
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read '" + input + "': " + e.getMessage(), e);
    }
  }
}
