package org.ccespark.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * What one pass over one block of one input file learned: the number of rows, the feature length
 * of its first row, its first few offending rows (positions relative to the block's first row), and
 * the counts of invalid rows and of valid rows per feature length.
 * A block (a file split) is read by a single task, in file order.
 */
final class BlockSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  final String file;
  final long start;
  final int firstLength;
  long count;
  /** The first few rows with a null or non-finite value: position and phrase. */
  final LinkedHashMap<Long, String> problems = new LinkedHashMap<>();
  /**
   * For each of the first few distinct feature lengths, the first few positions having it; enough
   * to find the first few rows whose length differs from any given length.
   */
  final LinkedHashMap<Integer, List<Long>> lengths = new LinkedHashMap<>();
  /** Rows with a null, non-finite or non-numeric value. */
  long invalid;
  /** The number of rows without such a value, by feature length. */
  final HashMap<Integer, Long> validLengths = new HashMap<>();
  /** The feature length of the block's first row without such a value; -1 if none. */
  int firstValidLength = -1;

  BlockSummary(String file, long start, int firstLength) {
    this.file = file;
    this.start = start;
    this.firstLength = firstLength;
  }

  /** Records the row at position {@link #count} and advances. */
  void add(String problem, int length, int keep) {
    long position = count++;
    if (problem != null) {
      invalid++;
      if (problems.size() < keep) {
        problems.put(position, problem);
      }
    } else {
      validLengths.merge(length, 1L, Long::sum);
      if (firstValidLength < 0) {
        firstValidLength = length;
      }
    }
    if (length >= 0) {
      List<Long> at = lengths.get(length);
      if (at == null && lengths.size() <= keep) {
        at = new ArrayList<>();
        lengths.put(length, at);
      }
      if (at != null && at.size() < keep) {
        at.add(position);
      }
    }
  }

  String key() {
    return key(file, start);
  }

  static String key(String file, long start) {
    return start + ":" + file;
  }
}
