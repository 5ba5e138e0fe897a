package org.ccespark.deep;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The per-epoch checkpoint of a deep training run: one file {@code deep-checkpoint} in a folder,
 * holding the epochs done, their statistics, every network parameter (batch-normalisation running
 * statistics included), Adam's moments and step count, and the run's fingerprint (settings,
 * network, number of images and a hash of a sample of them). It is written as a temporary file in
 * the same folder and moved over the previous one, so the folder always holds one complete
 * checkpoint. A resume with another fingerprint is refused, naming the first line that differs.
 */
public final class DeepCheckpoint {
  /** The checkpoint's file name inside its folder. */
  public static final String FILE = "deep-checkpoint";
  private static final String MAGIC = "cce-spark deep checkpoint v1";

  private final Path dir;
  private final String fingerprint;

  /**
   * @param dir the folder (created when the first checkpoint is written)
   * @param fingerprint what a resumed run must match, one {@code name=value} per line
   */
  public DeepCheckpoint(Path dir, String fingerprint) {
    this.dir = dir;
    this.fingerprint = fingerprint;
  }

  /**
   * Writes the state after {@code epochsDone} epochs.
   *
   * @param epochsDone epochs finished
   * @param net the network
   * @param adam the optimiser
   * @param history the statistics of the epochs done
   */
  public void save(int epochsDone, DeepNetwork net, AdamOptimizer adam,
      List<DeepClusteringTrainer.EpochStats> history) {
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + FILE + ".tmp-", "");
      try (OutputStream raw = Files.newOutputStream(tmp);
          DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw))) {
        out.writeUTF(MAGIC);
        out.writeUTF(fingerprint);
        out.writeInt(epochsDone);
        out.writeInt(history.size());
        for (DeepClusteringTrainer.EpochStats s : history) {
          out.writeInt(s.epoch());
          out.writeDouble(s.loss());
          out.writeDouble(s.augmentationLoss());
          out.writeDouble(s.solverIterations());
          out.writeDouble(s.heldOutAccuracy());
          out.writeDouble(s.imagesPerSecond());
          out.writeDouble(s.seconds());
        }
        writeBlock(out, net::save);
        writeBlock(out, adam::save);
      }
      try {
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the checkpoint in " + dir + ": " + e, e);
    }
  }

  /**
   * Restores the network, the optimiser and the history from the folder's checkpoint, if it has
   * one.
   *
   * @return the epochs done (0 when there is no checkpoint: nothing is changed)
   * @throws IllegalArgumentException if the checkpoint is of another run, naming the difference
   */
  public int restore(DeepNetwork net, AdamOptimizer adam,
      List<DeepClusteringTrainer.EpochStats> history) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return 0;
    }
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
        Files.newInputStream(file)))) {
      if (!MAGIC.equals(in.readUTF())) {
        throw new IllegalArgumentException(file + " is not a deep training checkpoint.");
      }
      String saved = in.readUTF();
      if (!saved.equals(fingerprint)) {
        throw new IllegalArgumentException("Checkpoint " + file + " is of another run: "
            + firstDifference(saved, fingerprint) + ". Use another --checkpoint-dir, or delete it"
            + " to start over.");
      }
      int epochs = in.readInt();
      int count = in.readInt();
      history.clear();
      for (int i = 0; i < count; i++) {
        history.add(new DeepClusteringTrainer.EpochStats(in.readInt(), in.readDouble(),
            in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble()));
      }
      net.load(new ByteArrayInputStream(readBlock(in)));
      adam.load(new ByteArrayInputStream(readBlock(in)), net.manager());
      return epochs;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the checkpoint " + file + ": " + e, e);
    }
  }

  private static String firstDifference(String saved, String current) {
    String[] a = saved.split("\n");
    String[] b = current.split("\n");
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "(nothing)";
      String y = i < b.length ? b[i] : "(nothing)";
      if (!x.equals(y)) {
        return "it has " + x + ", this run has " + y;
      }
    }
    return "the fingerprints differ";
  }

  private interface Writer {
    void write(OutputStream out) throws IOException;
  }

  private static void writeBlock(DataOutputStream out, Writer writer) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    writer.write(bytes);
    out.writeInt(bytes.size());
    bytes.writeTo(out);
  }

  private static byte[] readBlock(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }
}
