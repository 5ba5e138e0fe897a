package org.ccespark.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Finds the first line of a LibSVM input that Spark's {@code libsvm} source cannot parse, with its
 * file and 1-based line number; Spark's own error names neither. Runs on the driver, reading the
 * files in path order, and only after a read has failed, so it costs nothing on valid input.
 *
 * <p>A line is valid, as for Spark's parser, when it is blank, a {@code #} comment, or
 * {@code label index:value ...} with a numeric label, indices that are integers ≥ 1 in strictly
 * ascending order, and numeric values.
 */
final class LibSvmLines {
  private LibSvmLines() {}

  /**
   * @return a message naming the file, line and problem of the first malformed line, or null if
   *     every line is valid
   */
  static String firstMalformed(SparkSession spark, String path) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
    try {
      for (Path file : files(conf, path)) {
        FileSystem fs = file.getFileSystem(conf);
        CompressionCodec codec = codecs.getCodec(file);
        try (InputStream raw = fs.open(file);
            InputStream in = codec == null ? raw : codec.createInputStream(raw);
            BufferedReader lines =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          String line;
          long number = 0;
          while ((line = lines.readLine()) != null) {
            number++;
            String problem = problem(line);
            if (problem != null) {
              return "Line " + number + " of '" + file + "' is not a LibSVM line (label"
                  + " index:value ..., indices ascending from 1): " + problem + " in "
                  + FeatureLayout.printable(line.trim()) + ".";
            }
          }
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read LibSVM input '" + path + "'", e);
    }
  }

  /** What is wrong with one line, or null if it is valid. */
  static String problem(String line) {
    String t = line.trim();
    if (t.isEmpty() || t.startsWith("#")) {
      return null;
    }
    String[] tokens = t.split("\\s+");
    if (!isNumber(tokens[0])) {
      return "label '" + tokens[0] + "' is not a number";
    }
    long previous = 0;
    for (int i = 1; i < tokens.length; i++) {
      String token = tokens[i];
      int colon = token.indexOf(':');
      if (colon < 0) {
        return "'" + token + "' is not index:value";
      }
      long index;
      try {
        index = Long.parseLong(token.substring(0, colon));
      } catch (NumberFormatException e) {
        return "index '" + token.substring(0, colon) + "' is not an integer";
      }
      if (index < 1 || index > Integer.MAX_VALUE) {
        return "index " + index + " is not between 1 and " + Integer.MAX_VALUE;
      }
      if (index <= previous) {
        return "index " + index + " does not follow " + previous + " in ascending order";
      }
      previous = index;
      String value = token.substring(colon + 1);
      if (!isNumber(value)) {
        return "value '" + value + "' of index " + index + " is not a number";
      }
    }
    return null;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The data files of a path or glob, in path order, skipping names starting with _ or . */
  private static List<Path> files(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileStatus[] matches = p.getFileSystem(conf).globStatus(p);
    List<Path> out = new ArrayList<>();
    if (matches == null) {
      return out;
    }
    for (FileStatus m : matches) {
      if (!m.isDirectory()) {
        out.add(m.getPath());
        continue;
      }
      RemoteIterator<LocatedFileStatus> it = m.getPath().getFileSystem(conf)
          .listFiles(m.getPath(), true);
      while (it.hasNext()) {
        Path f = it.next().getPath();
        String n = f.getName();
        if (!n.startsWith("_") && !n.startsWith(".")) {
          out.add(f);
        }
      }
    }
    out.sort(null);
    return out;
  }
}
