package org.ccespark.experiment;

import java.nio.file.Path;

/**
 * What the command line asks of an experiment.
 *
 * @param config the properties file
 * @param output the output folder, or null for {@link #DEFAULT_OUTPUT_PARENT} plus the file's
 *     name without {@code .properties}
 * @param overwrite whether an existing output folder is replaced (once the new one is complete)
 */
public record ExperimentRequest(Path config, String output, boolean overwrite) {
  /** Where an experiment writes without an output folder: this folder plus the config's name. */
  public static final String DEFAULT_OUTPUT_PARENT = "target/experiments";

  /** The output folder: the one given, or the default for the configuration file. */
  public String outputFolder() {
    return output != null ? output : DEFAULT_OUTPUT_PARENT + "/"
        + config.getFileName().toString().replaceFirst("\\.properties$", "");
  }
}
