package org.ccespark.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;
import org.ccespark.math.Optimizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-epoch checkpoints of a training run in a folder on any Hadoop file system, so that a run
 * whose driver died can continue from its last finished epoch and end with the same classifier,
 * bit for bit, as a run that was never interrupted.
 *
 * <p>After epoch {@code e} (1-based) the folder gets {@code epoch-00000e/}, holding {@code state}
 * (Java serialization of {@link State}: W and b, the optimiser with its internal state such as
 * momentum or Adam's moments, the loss and solver iterations of epochs 1..e, the fingerprint
 * of the run and, for {@code fulldata} with the exact solver, the dual prices its next solve
 * starts from) and, for the {@code fulldata} schedule, {@code labels/part-NNNNN}: the epoch's
 * pseudo-labels, one file per partition, written by the executors. The folder is written as
 * {@code .epoch-00000e.tmp-<random>} and renamed when complete, and older epochs are deleted only
 * after that, so the folder always holds one complete checkpoint. Nothing else is needed to
 * continue: the only randomness of training is the initialisation (replaced by the saved W, b) and
 * the batch order, which {@link BatchPlan} derives from the seed, the epoch and the partition
 * alone.
 *
 * <p>The fingerprint is every setting of {@link TrainingConfig}, the number of rows, features,
 * rows per partition and labelled rows, and a hash of the feature values and given labels: a
 * resumed run must see the same data, partitioned the same way, with the same settings, and is
 * refused naming the first setting that differs.
 *
 * <p>One run at a time may use a folder: {@link #open} creates {@value #LOCK} in it, naming the
 * process (pid, host, start time), and {@link #close} deletes it. A second process opening the
 * folder while that process runs is refused; a lock left by a process that is certainly gone (a
 * killed run on this host) is taken over, with a warning. The process holding the lock may open
 * the folder again (a fit after the command line's early check).
 */
public final class TrainingCheckpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingCheckpoint.class);
  private static final Pattern EPOCH = Pattern.compile("epoch-(\\d{6})");
  private static final Pattern TEMP = Pattern.compile("\\.epoch-\\d{6}\\.tmp-[0-9a-f]{8}");
  private static final String STATE = "state";
  private static final String LABELS = "labels";
  /** The lock file naming the process that uses the folder. */
  public static final String LOCK = FolderLock.FILE;

  private final FileSystem fs;
  private final Path dir;
  private final Configuration conf;
  private final boolean resume;
  private FolderLock folderLock;

  private TrainingCheckpoint(FileSystem fs, Path dir, Configuration conf, boolean resume) {
    this.fs = fs;
    this.dir = dir;
    this.conf = conf;
    this.resume = resume;
  }

  /**
   * What a checkpoint holds after epoch {@link #epochs()}.
   *
   * @param fingerprint the run's settings and data summary, by name
   * @param epochs finished epochs
   * @param params W then b
   * @param optimizer the optimiser, with its internal state
   * @param lossPerEpoch loss of epochs 1..epochs
   * @param emPerEpoch solver iterations of epochs 1..epochs
   * @param labels whether {@code labels/} holds the fulldata pseudo-labels
   * @param prices the dual prices of the last fulldata solve with the exact solver, from which the
   *     next epoch's solve starts; null for none (other schedules and solvers; also in checkpoints
   *     written before the prices were saved, whose resumed runs start the next solve from
   *     {@code λ·1})
   */
  record State(Map<String, String> fingerprint, int epochs, double[] params, Optimizer optimizer,
      double[] lossPerEpoch, double[] emPerEpoch, boolean labels, double[] prices)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** A loaded checkpoint: its state and, for fulldata, the pseudo-labels (checkpointed). */
  record Restored(State state, JavaRDD<double[][]> labels) {}

  /**
   * Opens a checkpoint folder and checks it before any data is read: without {@code resume} it
   * must be missing or empty (stale temporary folders of an interrupted checkpoint aside, which are
   * removed).
   *
   * @param conf Hadoop configuration (Spark's)
   * @param dir the folder, local or on any file system Spark can write to
   * @param resume whether to continue from the latest checkpoint in it
   * @throws IllegalArgumentException if the folder holds a checkpoint or other files and
   *     {@code resume} is false, is a file, or is in use by another running process
   */
  public static TrainingCheckpoint open(Configuration conf, String dir, boolean resume) {
    try {
      Path p = new Path(dir);
      FileSystem fs = p.getFileSystem(conf);
      if (fs instanceof LocalFileSystem local) {
        fs = local.getRawFileSystem(); // no .crc files beside the checkpoint's
      }
      TrainingCheckpoint c = new TrainingCheckpoint(fs, fs.makeQualified(p), conf, resume);
      try {
        c.check();
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open checkpoint folder '" + dir + "'", e);
    }
  }

  private void check() throws IOException {
    if (fs.exists(dir) && fs.getFileStatus(dir).isFile()) {
      throw new IllegalArgumentException("Checkpoint folder '" + dir + "' is a file.");
    }
    lock();
    removeTemporary();
    if (resume) {
      return;
    }
    FileStatus[] entries = Arrays.stream(fs.listStatus(dir))
        .filter(s -> !s.getPath().getName().equals(LOCK)).toArray(FileStatus[]::new);
    if (entries.length > 0) {
      int latest = latestEpoch();
      throw new IllegalArgumentException("Checkpoint folder '" + dir + "' is not empty ("
          + (latest > 0 ? "it holds the checkpoint of epoch " + latest + " of an earlier run"
              : "it holds " + entries[0].getPath().getName())
          + "): pass --resume (estimator param resume) to continue that run, or choose an empty"
          + " or new folder.");
    }
  }

  /** Takes the folder for this process ({@link FolderLock}). */
  private void lock() throws IOException {
    folderLock = FolderLock.take(fs, dir);
  }

  /** Releases the folder: deletes the lock file if this process took it. */
  @Override
  public void close() {
    if (folderLock != null) {
      folderLock.close();
      folderLock = null;
    }
  }

  /**
   * The latest checkpoint, if resuming and there is one, checked against the run's fingerprint.
   *
   * @return the checkpoint, or null to start from the first epoch
   * @throws IllegalArgumentException naming the first setting that differs from the checkpoint's
   */
  Restored restore(JavaSparkContext jsc, FeatureBlocks blocks, Map<String, String> fingerprint) {
    if (!resume) {
      return null;
    }
    try {
      int latest = fs.exists(dir) ? latestEpoch() : 0;
      if (latest == 0) {
        LOG.info("no checkpoint in {} yet: starting from the first epoch", dir);
        return null;
      }
      Path epochDir = new Path(dir, epochName(latest));
      State state;
      try (InputStream in = fs.open(new Path(epochDir, STATE));
          ObjectInputStream ois = new ObjectInputStream(in)) {
        state = (State) ois.readObject();
      } catch (ClassNotFoundException | ClassCastException e) {
        throw new IOException("unreadable checkpoint state in " + epochDir, e);
      }
      for (Map.Entry<String, String> e : fingerprint.entrySet()) {
        String saved = state.fingerprint().get(e.getKey());
        if (!e.getValue().equals(saved)) {
          throw new IllegalArgumentException("Cannot resume from " + epochDir + ": it was written"
              + " with " + e.getKey() + " = " + saved + ", but this run has " + e.getKey() + " = "
              + e.getValue() + ". Resume with the same data, partitioning and settings, or start"
              + " afresh with another checkpoint folder.");
        }
      }
      JavaRDD<double[][]> labels = null;
      if (state.labels()) {
        Broadcast<SerializableConfiguration> bc = jsc.broadcast(new SerializableConfiguration(conf));
        String labelsDir = new Path(epochDir, LABELS).toString();
        labels = blocks.rdd.mapPartitionsWithIndex((i, it) -> {
          Path part = new Path(labelsDir, partName(i));
          try (InputStream in = part.getFileSystem(bc.value().value()).open(part);
              ObjectInputStream ois = new ObjectInputStream(in)) {
            return Collections.singletonList((double[][]) ois.readObject()).iterator();
          }
        }, true);
        SelfLabelTrainer.cutLineage(jsc, labels); // as the EM iterates: no lineage to the files
        labels.count();
        // bc stays: the RDD keeps its closure, which tasks of later RDDs serialize; Spark's
        // cleaner removes it with the RDD

      }
      return new Restored(state, labels);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the checkpoint in '" + dir + "'", e);
    }
  }

  /**
   * Writes the checkpoint of finished epoch {@code state.epochs()} atomically, then deletes the
   * older ones.
   *
   * @param labels the epoch's fulldata pseudo-labels (one {@code double[][]} per partition), or
   *     null
   * @throws UncheckedIOException if a file cannot be written, or {@link IllegalStateException}
   *     if a write failed with Hadoop's {@link FSError} (a full local disk) or the executors could
   *     not write the pseudo-labels; either way the temporary folder is removed and the previous
   *     checkpoint kept
   */
  void save(JavaSparkContext jsc, State state, JavaRDD<double[][]> labels) {
    String name = epochName(state.epochs());
    Path tmp = new Path(dir, "." + name + ".tmp-" + UUID.randomUUID().toString().substring(0, 8));
    try {
      if (!fs.mkdirs(tmp)) {
        throw new IOException("cannot create " + tmp);
      }
      if (labels != null) {
        Broadcast<SerializableConfiguration> bc = jsc.broadcast(new SerializableConfiguration(conf));
        String labelsDir = new Path(tmp, LABELS).toString();
        labels.mapPartitionsWithIndex((i, it) -> {
          Path part = new Path(labelsDir, partName(i));
          try (OutputStream out = part.getFileSystem(bc.value().value()).create(part, true);
              ObjectOutputStream oos = new ObjectOutputStream(out)) {
            oos.writeObject(it.next());
          }
          return Collections.singletonList(i).iterator();
        }, true).collect();
        bc.destroy();
      }
      try (OutputStream out = fs.create(new Path(tmp, STATE), false);
          ObjectOutputStream oos = new ObjectOutputStream(out)) {
        oos.writeObject(state);
      }
      Path target = new Path(dir, name);
      if (fs.exists(target)) {
        fs.delete(target, true); // a checkpoint of the same epoch by an earlier attempt
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
      for (int epoch : epochs()) {
        if (epoch < state.epochs()) {
          fs.delete(new Path(dir, epochName(epoch)), true);
        }
      }
    } catch (Exception | FSError e) {
      // FSError: Hadoop's local file system reports a failed write (a full disk) as an Error;
      // SparkException: the executors' failure to write the pseudo-labels
      try {
        fs.delete(tmp, true);
      } catch (IOException ignored) {
        // The original error matters more.
      }
      String message = "Cannot write the checkpoint of epoch " + state.epochs() + " into '" + dir
          + "'";
      throw e instanceof IOException io ? new UncheckedIOException(message, io)
          : new IllegalStateException(message, e);
    }
  }

  /** @return the checkpoint folder, fully qualified */
  public String path() {
    return dir.toString();
  }

  /**
   * What determines a run's result besides its starting point: every setting of the
   * configuration, the data's shape, partitioning and a hash of its values.
   */
  static Map<String, String> fingerprint(TrainingConfig cfg, FeatureBlocks blocks) {
    Map<String, String> out = new LinkedHashMap<>();
    for (RecordComponent c : TrainingConfig.class.getRecordComponents()) {
      try {
        out.put(c.getName(), String.valueOf(c.getAccessor().invoke(cfg)));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    out.put("rows", Long.toString(blocks.numRows));
    out.put("features", Integer.toString(blocks.dim));
    out.put("rows per partition", Arrays.toString(blocks.partitionRows));
    out.put("labelled rows", Long.toString(blocks.labelledRows));
    long hash = 17;
    for (long h : blocks.rdd.map(TrainingCheckpoint::hash).collect()) {
      hash = hash * 1_000_003L + h;
    }
    out.put("data hash", Long.toHexString(hash));
    return out;
  }

  /** A hash of a partition's feature values and given labels. */
  private static long hash(PartitionData part) {
    long h = part.rows;
    for (double[][] arrays : new double[][][] {part.blocks, part.targets}) {
      for (double[] a : arrays == null ? new double[0][] : arrays) {
        for (double v : a) {
          h = h * 31 + Double.doubleToLongBits(v);
        }
      }
    }
    return h;
  }

  private static String epochName(int epoch) {
    return String.format("epoch-%06d", epoch);
  }

  private static String partName(int partition) {
    return String.format("part-%05d", partition);
  }

  /** The finished epochs that have a checkpoint folder, ascending. */
  private List<Integer> epochs() throws IOException {
    List<Integer> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      Matcher m = EPOCH.matcher(s.getPath().getName());
      if (s.isDirectory() && m.matches()) {
        out.add(Integer.parseInt(m.group(1)));
      }
    }
    Collections.sort(out);
    return out;
  }

  private int latestEpoch() throws IOException {
    List<Integer> all = epochs();
    return all.isEmpty() ? 0 : all.get(all.size() - 1);
  }

  /** Deletes the temporary folders of checkpoints that were never completed. */
  private void removeTemporary() throws IOException {
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.isDirectory() && TEMP.matcher(s.getPath().getName()).matches()) {
        LOG.warn("removing {}: the unfinished checkpoint of an interrupted run", s.getPath());
        fs.delete(s.getPath(), true);
      }
    }
  }
}
