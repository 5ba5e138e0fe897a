package org.ccespark.experiment;

/**
 * Where an experiment writes its files, by path relative to its output folder. The command line's
 * output folder implements it (write beside, rename into place when complete).
 */
public interface ExperimentOutput {
  /** Writes a UTF-8 text file. */
  void writeText(String name, String text);

  /** Writes a binary file (figures). */
  void writeBytes(String name, byte[] bytes);
}
