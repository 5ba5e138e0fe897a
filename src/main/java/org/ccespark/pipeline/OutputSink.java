package org.ccespark.pipeline;

/**
 * Where a pipeline writes its outputs: files and Spark outputs inside one output folder, which the
 * caller creates, and makes appear only once complete (the command line's output folder).
 */
public interface OutputSink {
  /**
   * The path, for Spark's writers, of an output inside the folder.
   *
   * @param name the output's name, e.g. {@code predictions}
   */
  String path(String name);

  /**
   * Replaces the Spark output {@code sparkOutput} (a folder of one part file) by that part file
   * under the name {@code file}.
   */
  void keepSinglePart(String sparkOutput, String file);

  /** Writes {@code value} (a record, map, list, array, number or string) as JSON. */
  void writeJson(String name, Object value);

  /** Writes a text file. */
  void writeText(String name, String text);

  /** A new file inside the folder (its parent folders are created), to write and close. */
  java.io.OutputStream create(String name);
}
