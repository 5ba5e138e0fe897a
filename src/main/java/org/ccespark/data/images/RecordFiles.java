package org.ccespark.data.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Fixed-size records spread over one or more uncompressed files, read on demand with positional
 * reads (safe from several threads). Used by the CIFAR and STL-10 readers, whose files can be larger
 * than memory (STL-10's unlabeled_X.bin is 2.7 GB).
 */
final class RecordFiles implements AutoCloseable {
  private final List<Path> files;
  private final List<FileChannel> channels = new ArrayList<>();
  private final int recordBytes;
  /** {@code starts[f]} is the index of file {@code f}'s first record; last entry = total. */
  private final long[] starts;

  /**
   * Opens the files and checks that each holds a whole number of records.
   *
   * @param files the files, in order
   * @param recordBytes bytes per record
   * @param format the format's name, for messages (e.g. {@code CIFAR-10})
   * @param layout what one record holds, for messages
   * @throws IllegalArgumentException if a file is missing, empty, or not a whole number of records
   */
  RecordFiles(List<Path> files, int recordBytes, String format, String layout) {
    this.files = List.copyOf(files);
    this.recordBytes = recordBytes;
    this.starts = new long[files.size() + 1];
    try {
      for (int f = 0; f < files.size(); f++) {
        Path p = files.get(f);
        if (!Files.isRegularFile(p)) {
          throw new IllegalArgumentException(format + " file " + p + " does not exist.");
        }
        long length = Files.size(p);
        if (length == 0 || length % recordBytes != 0) {
          throw new IllegalArgumentException(format + " file " + p + " has " + length + " bytes,"
              + " not a whole number of " + recordBytes + "-byte records (" + layout + "): it is"
              + (length > recordBytes ? " truncated or" : "") + " not in the " + format
              + " binary format.");
        }
        starts[f + 1] = starts[f] + length / recordBytes;
        channels.add(FileChannel.open(p, StandardOpenOption.READ));
      }
      if (starts[files.size()] > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(format + " files " + files + " hold more than "
            + Integer.MAX_VALUE + " records.");
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("Cannot open " + format + " files " + files, e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Total number of records. */
  int size() {
    return (int) starts[starts.length - 1];
  }

  /** The file holding record {@code index}. */
  Path file(int index) {
    return files.get(fileOf(index));
  }

  /** The position of record {@code index} within its file. */
  int indexInFile(int index) {
    return (int) (index - starts[fileOf(index)]);
  }

  /** Reads record {@code index} (0-based over all files). */
  byte[] read(int index) {
    int f = fileOf(index);
    long position = (index - starts[f]) * (long) recordBytes;
    ByteBuffer buffer = ByteBuffer.allocate(recordBytes);
    try {
      FileChannel ch = channels.get(f);
      while (buffer.hasRemaining()) {
        int n = ch.read(buffer, position + buffer.position());
        if (n < 0) {
          throw new IOException("the file ended early; did it change after it was opened?");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read record " + (index - starts[f]) + " (image "
          + index + ") of " + files.get(f), e);
    }
    return buffer.array();
  }

  private int fileOf(int index) {
    java.util.Objects.checkIndex(index, size());
    int f = 0;
    while (starts[f + 1] <= index) {
      f++;
    }
    return f;
  }

  @Override
  public void close() {
    IOException first = null;
    for (FileChannel c : channels) {
      try {
        c.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    channels.clear();
    if (first != null) {
      throw new UncheckedIOException("Cannot close " + files, first);
    }
  }
}
