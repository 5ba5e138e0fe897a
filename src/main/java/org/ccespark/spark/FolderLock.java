package org.ccespark.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run at a time per checkpoint folder: a lock file {@value #FILE} in the folder names the
 * process that uses it (pid, host, start time), created atomically. A folder whose lock names
 * another process that may still be running is refused; a lock left by a process that is
 * certainly gone (a killed run on this host) is taken over, with a warning. Used by the
 * estimator's checkpoints ({@link TrainingCheckpoint}) and by {@code train-deep}'s.
 */
public final class FolderLock implements AutoCloseable {
  /** The lock file's name inside the folder. */
  public static final String FILE = "_cce-lock.json";
  private static final Logger LOG = LoggerFactory.getLogger(FolderLock.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FileSystem fs;
  private final Path dir;
  private boolean locked;

  private FolderLock(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  /**
   * Takes {@code dir} (created if missing) for this process.
   *
   * @throws IllegalArgumentException if another process that may still be running holds it
   */
  static FolderLock take(FileSystem fs, Path dir) throws IOException {
    FolderLock lock = new FolderLock(fs, dir);
    lock.lock();
    return lock;
  }

  /**
   * Takes a local folder (created if missing) for this process.
   *
   * @throws IllegalArgumentException if another process that may still be running holds it
   */
  public static FolderLock takeLocal(java.nio.file.Path dir) {
    try {
      Path p = new Path(dir.toAbsolutePath().toUri());
      FileSystem fs = p.getFileSystem(new Configuration());
      if (fs instanceof LocalFileSystem local) {
        fs = local.getRawFileSystem();
      }
      return take(fs, fs.makeQualified(p));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot take checkpoint folder '" + dir + "'", e);
    }
  }

  private void lock() throws IOException {
    fs.mkdirs(dir);
    Path lock = new Path(dir, FILE);
    ProcessOwner self = ProcessOwner.current();
    byte[] mine = JSON.writeValueAsBytes(self);
    for (int attempt = 0; attempt < 3; attempt++) {
      if (createNew(lock, mine)) {
        locked = true;
        return;
      }
      ProcessOwner holder = null;
      try (InputStream in = fs.open(lock)) {
        holder = JSON.readValue(in, ProcessOwner.class);
      } catch (IOException e) {
        // being written, or not ours: judged below as an unknown process
      }
      if (self.equals(holder)) {
        locked = true;
        return;
      }
      if (holder != null && holder.gone()) {
        LOG.warn("taking over checkpoint folder {}: its lock names {}, which is no longer running",
            dir, holder.describe());
        fs.delete(lock, false);
        continue;
      }
      throw new IllegalArgumentException("Checkpoint folder '" + dir + "' is in use by another"
          + " run (" + (holder == null ? "an unknown process" : holder.describe()) + ", lock file "
          + FILE + "): two runs cannot share a checkpoint folder. Wait for that run to end or"
          + " choose another folder; if no run uses it any more, delete " + lock + ".");
    }
    throw new IOException("cannot take the lock " + lock);
  }

  /** Creates {@code file} with {@code bytes} if it does not exist, atomically; false if it does. */
  private boolean createNew(Path file, byte[] bytes) throws IOException {
    if (fs instanceof RawLocalFileSystem) {
      try (OutputStream out = java.nio.file.Files.newOutputStream(
          java.nio.file.Path.of(file.toUri()), java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE)) {
        out.write(bytes);
        return true;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(file, false)) {
      out.write(bytes);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  /** Releases the folder: deletes the lock file if this process took it. */
  @Override
  public void close() {
    if (!locked) {
      return;
    }
    locked = false;
    try {
      fs.delete(new Path(dir, FILE), false);
    } catch (IOException e) {
      LOG.warn("could not delete the lock file in {}: {}", dir, e.toString());
    }
  }
}
