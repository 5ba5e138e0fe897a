package org.ccespark.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.ShutdownHookManager;
import org.ccespark.data.SettingException;
import org.ccespark.data.FeatureInput;
import org.ccespark.spark.ProcessOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output folder that appears only when complete. Everything is written into a temporary folder
 * {@code .NAME.tmp-<random>} beside the destination {@code NAME}; {@link #commit} renames it into
 * place (replacing an existing destination only when overwriting was asked for), and {@link #close}
 * deletes it if it was not committed. Paths go through Hadoop's {@link FileSystem}, so the
 * destination may be local or on any file system Spark can write to (HDFS, S3A, ...).
 *
 * <p>Interruptions: on SIGTERM or Ctrl-C a shutdown hook (run after Spark has stopped, before
 * Hadoop closes its file systems) deletes the temporary folder, refuses any later commit and prints
 * {@code interrupted: output NAME not written; temporary folder ... removed}. After SIGKILL or a
 * crash of the machine the temporary folder stays; it holds a marker {@value #OWNER} naming the
 * process that wrote it, and the next {@link #open} of the same destination deletes every
 * {@code .NAME.tmp-<8 hex digits>} folder whose marker names a process of this host that is no
 * longer running, logging each. Folders of a live process, of another host or without a marker
 * are left alone, with a warning.
 *
 * <p>What may be written and replaced is decided here, for every command ({@link #open}): every
 * finished folder holds the marker {@value #MARKER}, and {@code --overwrite} replaces only a
 * folder that has it; the output is never an input, a folder holding one or inside one, the
 * working folder or a parent of it. A replaced output that cannot be deleted is reported on
 * standard error, left as {@code .NAME.old-<8 hex digits>}, and removed by the next {@link #open}.
 */
public final class OutputDir implements AutoCloseable {
  /** The tool named in messages. */
  private static final String PROGRAM = "cce";

  private static final Logger LOG = LoggerFactory.getLogger(OutputDir.class);
  /** Jackson comes with Spark; NaN and infinite numbers are written as strings. */
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The marker file in the temporary folder: pid, host and start time of the writing process. */
  public static final String OWNER = "_cce-owner.json";
  /**
   * The marker in every finished output folder of this tool. {@code --overwrite} replaces only a
   * folder that has it; hidden (a leading dot), so Spark and the input readers skip it.
   */
  public static final String MARKER = ".cce-output";
  /**
   * Hadoop shutdown-hook priority: below Spark's hooks (priority FileSystem's + 30), so running
   * jobs have been stopped, and above {@link FileSystem#SHUTDOWN_HOOK_PRIORITY}, so the file
   * system is still open.
   */
  private static final int SHUTDOWN_PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 20;
  /** The name of a temporary folder, {@code .NAME.tmp-<8 hex digits>}; group 1 is NAME. */
  private static final Pattern TEMPORARY = Pattern.compile("\\.(.+)\\.tmp-[0-9a-f]{8}");

  private final FileSystem fs;
  private final Path target;
  private final Path tmp;
  private final boolean overwrite;
  private final Runnable shutdownHook = this::interrupted;
  private boolean committed;
  private boolean interrupted;

  private OutputDir(FileSystem fs, Path target, Path tmp, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.tmp = tmp;
    this.overwrite = overwrite;
  }

  /**
   * A path the command reads or writes besides its output, named by its option: the output may
   * not be it, contain it or lie inside it.
   *
   * @param option the option that names it, e.g. {@code --input}
   * @param path the path as given (null: none)
   * @param existingOnly whether only existing paths count: an input may also be a dataset name or
   *     a Hadoop glob (then its matches count), and a missing input fails later on its own
   * @param regular whether what it names must be regular files or folders (data read through
   *     Hadoop and Spark, which read a named pipe or a device as empty)
   */
  public record Other(String option, String path, boolean existingOnly, boolean regular) {
    /**
     * Data the command reads through Hadoop or Spark: a file, folder or glob (or a dataset name,
     * which does not count).
     */
    public static Other input(String option, String path) {
      return new Other(option, path, true, true);
    }

    /**
     * A file the command reads itself, such as a configuration file: it may also be a named pipe
     * ({@code --config <(...)} in bash).
     */
    public static Other text(String option, String path) {
      return new Other(option, path, true, false);
    }

    /** A folder the command writes besides its output, such as {@code --checkpoint-dir}. */
    public static Other folder(String option, String path) {
      return new Other(option, path, false, false);
    }
  }

  /**
   * Checks the destination and creates the temporary folder beside it. This is the one place that
   * decides where a command may write and what {@code --overwrite} may replace: the destination
   * must not be a file-system root, the working folder or one of its parents, and must not be,
   * contain or lie inside any of {@code others}; the inputs among {@code others} must name regular
   * files or folders; an existing destination is replaced only with {@code overwrite}, and only
   * if it is a folder written by this tool (it holds {@value #MARKER}).
   *
   * @param conf Hadoop configuration (Spark's)
   * @param dir the destination folder, as given to {@code --output}
   * @param overwrite whether an existing destination may be replaced
   * @param others the command's inputs and other folders, which the destination must keep apart
   *     from
   * @throws SettingException if the destination may not be written or an input is a named pipe,
   *     a device or a socket (nothing is touched)
   * @throws IllegalArgumentException if the destination exists and {@code overwrite} is false
   */
  public static OutputDir open(Configuration conf, String dir, boolean overwrite, Other... others) {
    if (dir == null || dir.isBlank()) {
      throw new SettingException("--output is empty: name the folder to create");
    }
    Path p;
    try {
      p = FeatureInput.hadoopPath(dir, "--output");
    } catch (IllegalArgumentException e) {
      throw new SettingException(e.getMessage());
    }
    try {
      FileSystem fs = p.getFileSystem(conf);
      if (fs instanceof LocalFileSystem local) {
        // Bypass the checksum layer: no .crc files beside ours, which would make an edited
        // predictions.csv unreadable to Hadoop later.
        fs = local.getRawFileSystem();
      }
      Path target = fs.makeQualified(p);
      if (target.getParent() == null) {
        throw new SettingException("--output '" + dir + "' is a file-system root: name a new folder"
            + " to create.");
      }
      OutputDir out = new OutputDir(fs, target, new Path(target.getParent(),
          "." + target.getName() + ".tmp-" + UUID.randomUUID().toString().substring(0, 8)),
          overwrite);
      out.checkPlace(conf, dir, others);
      out.checkTarget();
      out.removeStale();
      if (!fs.mkdirs(out.tmp)) {
        throw new IOException("cannot create " + out.tmp);
      }
      out.writeBytes(OWNER, JSON.writeValueAsBytes(ProcessOwner.current()));
      ShutdownHookManager.get().addShutdownHook(out.shutdownHook, SHUTDOWN_PRIORITY);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create output folder beside '" + dir + "'", e);
    }
  }

  /**
   * Refuses a destination that is the working folder or one of its parents, or that is, contains
   * or lies inside one of {@code others}, and an input that names a named pipe, a device or a
   * socket ({@link Other#regular()}). Paths are compared after resolving symbolic links (local
   * files) or as fully qualified URIs (other file systems).
   */
  private void checkPlace(Configuration conf, String given, Other... others) throws IOException {
    String here = key(fs, fs.getWorkingDirectory());
    String there = key(fs, target);
    if (here.equals(there) || inside(here, there)) {
      throw new SettingException("--output '" + given + "' is " + (here.equals(there)
          ? "the working folder" : "a parent of the working folder") + " (" + display()
          + "): name a new folder to create.");
    }
    for (Other o : others) {
      if (o == null || o.path() == null || o.path().isBlank()) {
        continue;
      }
      Path p;
      try {
        p = new Path(o.path());
      } catch (IllegalArgumentException e) {
        continue; // not a path Hadoop can read: reading it fails with its own message
      }
      FileSystem ofs = p.getFileSystem(conf);
      List<Path> paths = new ArrayList<>();
      FileStatus[] matches = null;
      try {
        matches = ofs.globStatus(p);
      } catch (IOException | IllegalArgumentException e) {
        // not a valid glob: the path as given
      }
      if (matches != null && o.regular()) {
        try {
          FeatureInput.requireFilesOrFolders(o.option(), o.path(), matches);
        } catch (IllegalArgumentException e) {
          throw new SettingException(e.getMessage());
        }
      }
      if (matches != null) {
        for (int i = 0; i < matches.length && i < 10_000; i++) {
          paths.add(matches[i].getPath());
        }
      }
      if (!o.existingOnly() || (paths.isEmpty() && ofs.exists(p))) {
        paths.add(ofs.makeQualified(p));
      }
      for (Path q : paths) {
        String k = key(ofs, q);
        String relation = k.equals(there) ? "is"
            : inside(k, there) ? "contains"
            : inside(there, k) ? "lies inside" : null;
        if (relation != null) {
          throw new SettingException("--output '" + given + "' " + relation + " " + o.option()
              + " '" + o.path() + "'" + (q.toString().equals(ofs.makeQualified(p).toString())
                  ? "" : " (" + q + ")") + ": the output must be a folder apart from it.");
        }
      }
    }
  }

  /** A path as a comparable string: local paths resolved (symbolic links, {@code ..}), others as URIs. */
  private static String key(FileSystem fs, Path p) throws IOException {
    Path q = fs.makeQualified(p);
    if ("file".equals(q.toUri().getScheme())) {
      return "file:" + new java.io.File(q.toUri().getPath()).getCanonicalPath();
    }
    String s = q.toUri().normalize().toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** Whether path key {@code inner} lies strictly inside path key {@code outer}. */
  private static boolean inside(String inner, String outer) {
    return inner.startsWith(outer.endsWith("/") ? outer : outer + "/");
  }

  private void checkTarget() throws IOException {
    if (!fs.exists(target)) {
      return;
    }
    if (!overwrite) {
      throw new IllegalArgumentException("Output '" + display() + "' already exists; pass --overwrite"
          + " to replace it or choose another --output.");
    }
    if (!fs.getFileStatus(target).isDirectory()) {
      throw new SettingException("--output '" + display() + "' is a file, not an output folder of "
          + PROGRAM + ", so it is not replaced: delete or move it yourself, or choose"
          + " another --output.");
    }
    if (!fs.exists(new Path(target, MARKER))) {
      throw new SettingException("--output '" + display() + "' exists but is not an output folder"
          + " of " + PROGRAM + " (it has no " + MARKER + " file), so it is not"
          + " replaced: delete or move it yourself, or choose another --output.");
    }
  }

  /**
   * Deletes the temporary folders beside the destination that interrupted runs left behind
   * ({@code .NAME.tmp-<8 hex digits>} whose owner is {@link ProcessOwner#gone() gone}); warns about the
   * others of that pattern.
   */
  private void removeStale() throws IOException {
    Pattern pattern = Pattern.compile(Pattern.quote("." + target.getName() + ".tmp-")
        + "[0-9a-f]{8}");
    Pattern previous = Pattern.compile(Pattern.quote("." + target.getName() + ".old-")
        + "[0-9a-f]{8}");
    if (!fs.exists(target.getParent())) {
      return;
    }
    for (FileStatus s : fs.listStatus(target.getParent())) {
      if (s.isDirectory() && previous.matcher(s.getPath().getName()).matches()) {
        // only commit() makes such a folder: an output replaced by --overwrite that could not
        // be deleted then
        if (fs.delete(s.getPath(), true)) {
          LOG.warn("removed {}: the previous output replaced by an earlier --overwrite",
              s.getPath());
        } else {
          LOG.warn("could not remove {} (the previous output replaced by an earlier --overwrite):"
              + " delete it by hand", s.getPath());
        }
        continue;
      }
      if (!s.isDirectory() || !pattern.matcher(s.getPath().getName()).matches()) {
        continue;
      }
      ProcessOwner owner = null;
      try (InputStream in = fs.open(new Path(s.getPath(), OWNER))) {
        owner = JSON.readValue(in, ProcessOwner.class);
      } catch (IOException e) {
        // no marker, or unreadable: not ours to judge
      }
      if (owner != null && owner.gone()) {
        fs.delete(s.getPath(), true);
        LOG.warn("removed stale temporary folder {} left by an interrupted run ({}, no longer"
            + " running)", s.getPath(), owner.describe());
      } else {
        LOG.warn("temporary folder {} belongs to {}; left alone (delete it by hand if no run is"
            + " writing {})", s.getPath(), owner == null ? "an unknown process"
                : owner.describe(), display());
      }
    }
  }

  /**
   * The shutdown hook: deletes the unfinished folder and says so, unless committed. It runs only if
   * the JVM shuts down while the folder is open, or while it is being closed after Spark's own
   * shutdown hooks stopped the running jobs.
   */
  private synchronized void interrupted() {
    if (committed) {
      return;
    }
    interrupted = true;
    try {
      fs.delete(tmp, true);
    } catch (IOException e) {
      // reported below as not removed
    }
    boolean removed;
    try {
      removed = !fs.exists(tmp);
    } catch (IOException e) {
      removed = false;
    }
    System.err.println("interrupted: output " + display() + " not written; temporary folder "
        + tmp.getName() + (removed ? " removed" : " could not be removed"));
    System.err.flush();
  }

  /**
   * The output folder whose temporary folder holds {@code path}, for a message about a file being
   * written there.
   *
   * @param path a file or folder, as a path or URI
   * @return the output beside the temporary folder ({@code /data/out} for
   *     {@code file:/data/.out.tmp-1a2b3c4d/part-0.csv}), or null if {@code path} is not inside one
   */
  public static String outputOf(String path) {
    Path p;
    try {
      p = new Path(path);
    } catch (IllegalArgumentException e) {
      return null;
    }
    for (; p != null && p.getParent() != null; p = p.getParent()) {
      Matcher m = TEMPORARY.matcher(p.getName());
      if (m.matches()) {
        Path out = new Path(p.getParent(), m.group(1));
        return "file".equals(out.toUri().getScheme()) ? out.toUri().getPath() : out.toString();
      }
    }
    return null;
  }

  /** @return the destination: a plain path for the local file system, else the full URI */
  public String display() {
    return "file".equals(target.toUri().getScheme()) ? target.toUri().getPath() : target.toString();
  }

  /**
   * @param name a relative path inside the folder
   * @return where to write it now (inside the temporary folder), as a string for Spark writers
   */
  public String path(String name) {
    return new Path(tmp, name).toString();
  }

  /** The temporary folder itself, for a Spark writer that fills the whole output (mode append). */
  public String root() {
    return tmp.toString();
  }

  /** Writes a UTF-8 text file {@code name} into the folder. */
  public void writeText(String name, String text) {
    writeBytes(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes the bytes of file {@code name} (a relative path, parent folders created) into the folder. */
  public void writeBytes(String name, byte[] bytes) {
    try (OutputStream os = fs.create(new Path(tmp, name), false)) {
      os.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + name + " into " + tmp, e);
    } catch (FSError e) { // Hadoop's local file system: a full disk, for example
      throw new IllegalStateException("Cannot write " + name + " into " + tmp, e);
    }
  }

  /**
   * Creates a file {@code name} (a relative path; parent folders are created) in the folder.
   *
   * @return the stream to write it through; the caller closes it
   */
  public OutputStream create(String name) {
    try {
      Path file = new Path(tmp, name);
      if (fs instanceof RawLocalFileSystem) {
        // Hadoop's local create sets permissions by running chmod per file without its native
        // library: too slow for thousands of small files (convert --to png).
        java.nio.file.Path local = java.nio.file.Path.of(file.toUri());
        Files.createDirectories(local.getParent());
        return Files.newOutputStream(local, StandardOpenOption.CREATE_NEW);
      }
      return fs.create(file, false);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + name + " in " + tmp, e);
    }
  }

  /** Writes {@code value} (maps, lists, arrays, numbers, strings) as pretty-printed JSON. */
  public void writeJson(String name, Object value) {
    try {
      writeText(name, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot format " + name + " as JSON", e);
    }
  }

  /**
   * Replaces the Spark output folder {@code sparkDir} (inside this folder) by its single part file
   * named {@code name}, e.g. {@code predictions.csv}.
   *
   * @throws IllegalStateException if the Spark folder does not hold exactly one part file
   */
  public void keepSinglePart(String sparkDir, String name) {
    try {
      Path dir = new Path(tmp, sparkDir);
      List<Path> parts = new ArrayList<>();
      for (FileStatus s : fs.listStatus(dir)) {
        if (s.isFile() && s.getPath().getName().startsWith("part-")) {
          parts.add(s.getPath());
        }
      }
      if (parts.size() != 1) {
        throw new IllegalStateException("Expected one part file in " + dir + ", found "
            + parts.size() + ".");
      }
      if (!fs.rename(parts.get(0), new Path(tmp, name))) {
        throw new IOException("cannot rename " + parts.get(0) + " to " + name);
      }
      fs.delete(dir, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot move the part file of " + sparkDir + " to " + name, e);
    }
  }

  /**
   * Moves the finished folder to its destination. An existing destination (only when overwriting)
   * is first renamed aside and deleted once the new folder is in place.
   */
  public synchronized void commit() {
    if (interrupted) {
      throw new IllegalStateException("interrupted: output " + display() + " not written");
    }
    try {
      checkTarget();
      fs.delete(new Path(tmp, OWNER), false);
      writeText(MARKER, "This folder was written by " + PROGRAM + " (cce-spark);"
          + " --overwrite may replace it.\n");
      Path old = null;
      if (fs.exists(target)) {
        old = new Path(target.getParent(), "." + target.getName() + ".old-"
            + UUID.randomUUID().toString().substring(0, 8));
        if (!fs.rename(target, old)) {
          throw new IOException("cannot move the existing " + target + " aside");
        }
      }
      if (!fs.rename(tmp, target)) {
        if (old != null) {
          fs.rename(old, target);
        }
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
      committed = true;
      if (old != null) {
        boolean deleted;
        try {
          deleted = fs.delete(old, true) && !fs.exists(old);
        } catch (IOException e) {
          deleted = false;
        }
        if (!deleted) {
          System.err.println("warning: " + display() + " is written, but its previous version,"
              + " moved aside to " + old.getName() + ", could not be deleted completely: delete"
              + " it by hand (the next run with this --output tries again)");
          System.err.flush();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot move the output into place at '" + target + "'", e);
    }
  }

  /** Deletes the temporary folder unless {@link #commit} succeeded. */
  @Override
  public synchronized void close() {
    try {
      ShutdownHookManager.get().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down.
    }
    if (!committed) {
      try {
        fs.delete(tmp, true);
      } catch (IOException e) {
        // Best effort: the original error matters more than a leftover temporary folder.
      }
    }
  }

  /** This folder as the pipelines' {@link org.ccespark.pipeline.OutputSink}. */
  public org.ccespark.pipeline.OutputSink sink() {
    return new org.ccespark.pipeline.OutputSink() {
      @Override
      public String path(String name) {
        return OutputDir.this.path(name);
      }

      @Override
      public void keepSinglePart(String sparkOutput, String file) {
        OutputDir.this.keepSinglePart(sparkOutput, file);
      }

      @Override
      public void writeJson(String name, Object value) {
        OutputDir.this.writeJson(name, value);
      }

      @Override
      public void writeText(String name, String text) {
        OutputDir.this.writeText(name, text);
      }

      @Override
      public OutputStream create(String name) {
        return OutputDir.this.create(name);
      }
    };
  }
}
