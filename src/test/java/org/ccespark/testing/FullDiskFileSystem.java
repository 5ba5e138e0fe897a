package org.ccespark.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}) on which the files whose path matches a pattern live
 * on a full disk: such a file is created as a symbolic link to {@code /dev/full}, whose every write
 * fails in the kernel with {@code ENOSPC} ("No space left on device"), and is then opened by
 * Hadoop's own {@link RawLocalFileSystem} code, so the failure reaches the program exactly as on a
 * real full disk (Hadoop turns it into an {@code FSError}). Needs no root and no mount; a test
 * skips where {@link #available()} is false.
 *
 * <p>Used in a child JVM: {@code -Dspark.hadoop.fs.file.impl=} this class and
 * {@code -D}{@value #PATTERN_PROPERTY}{@code =REGEX}, matched against the whole local path of each
 * file created. Every other file is written normally.
 */
public final class FullDiskFileSystem extends LocalFileSystem {
  /** System property: a regular expression matched against the absolute path of a new file. */
  public static final String PATTERN_PROPERTY = "cce.test.fullDisk";
  private static final java.nio.file.Path DEV_FULL = java.nio.file.Path.of("/dev/full");

  /** The local file system with the full-disk files of {@value #PATTERN_PROPERTY}. */
  public FullDiskFileSystem() {
    super(new Raw());
  }

  /**
   * Whether this machine has a writable {@code /dev/full} (Linux) to stand in for a full disk.
   *
   * @return true if the files can be redirected
   */
  public static boolean available() {
    return Files.exists(DEV_FULL) && Files.isWritable(DEV_FULL);
  }

  /** The raw local file system that creates matching files on {@code /dev/full}. */
  static final class Raw extends RawLocalFileSystem {
    private final Pattern full = Pattern.compile(System.getProperty(PATTERN_PROPERTY, "(?!)"));

    @Override
    protected OutputStream createOutputStreamWithMode(Path f, boolean append,
        FsPermission permission) throws IOException {
      java.nio.file.Path file = pathToFile(f).toPath();
      if (full.matcher(file.toString()).matches()) {
        Files.deleteIfExists(file);
        Files.createSymbolicLink(file, DEV_FULL);
      }
      return super.createOutputStreamWithMode(f, append, permission);
    }

    /** Leaves {@code /dev/full} itself alone: the link's permissions are not the file's. */
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      File file = pathToFile(p);
      if (!Files.isSymbolicLink(file.toPath())) {
        super.setPermission(p, permission);
      }
    }
  }
}
