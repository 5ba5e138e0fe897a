package org.ccespark.experiment;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.ccespark.data.SettingException;
import org.ccespark.experiment.Sections.DatasetSpec;

/**
 * The configuration of one experiment: a Java properties file, every key documented in
 * {@link ConfigKeys} (and in docs/experiments.md), read into typed sections and validated on load
 * with errors naming the file and key ({@link ConfigParser}). Nothing here touches Spark or data;
 * {@link ExperimentPlan} says what to run.
 *
 * @param file the file read
 * @param title the title of the tables and figures
 * @param outputs what to produce, among {@link #OUTPUTS}
 * @param datasets every dataset to load: those of {@code datasets}, then those only in
 *     {@code semi.datasets} or {@code figure2.*}
 * @param clusteringDatasets the names of the {@code datasets} key: the clustering tables' datasets
 * @param methods the methods
 * @param seeds reported seeds are 1..seeds
 * @param restarts fits per reported run
 * @param params fixed params per method: param name to its text
 * @param tuning the tuning grids and settings
 * @param table1 Table 1's settings
 * @param semi Table 5's settings
 * @param figure2 Figure 2's settings
 * @param asMap the file's properties, sorted, for the output
 */
public record ExperimentConfig(Path file, String title, List<String> outputs,
    List<DatasetSpec> datasets, List<String> clusteringDatasets, List<String> methods, int seeds,
    int restarts, Map<String, Map<String, String>> params, Sections.Tuning tuning,
    Sections.Table1 table1, Sections.Semi semi, Sections.Figure2 figure2,
    Map<String, String> asMap) {
  /** Outputs an experiment can produce, in the order they are made. */
  public static final List<String> OUTPUTS = List.of("table2", "table6", "table5", "table1",
      "figure1", "figure2", "loss", "sizes", "confusion");
  /** Outputs that need the clustering runs of {@code datasets} × {@code methods} × seeds. */
  public static final Set<String> CLUSTERING_OUTPUTS = Set.of("table2", "table6", "loss",
      "sizes", "confusion");
  /** What an unknown key's error points to. */
  static final String HELP = "cce experiment --help";

  /** The lists and maps are copied: the configuration is immutable. */
  public ExperimentConfig {
    outputs = List.copyOf(outputs);
    datasets = List.copyOf(datasets);
    clusteringDatasets = List.copyOf(clusteringDatasets);
    methods = List.copyOf(methods);
    params = java.util.Collections.unmodifiableMap(params);
    asMap = java.util.Collections.unmodifiableMap(asMap);
  }

  /**
   * Reads and checks a configuration file against the methods of this build.
   *
   * @throws SettingException naming the file and key of anything not accepted
   */
  public static ExperimentConfig load(Path file) {
    return load(file, Methods.CATALOG);
  }

  /**
   * Reads and checks a configuration file.
   *
   * @param catalog the methods accepted and how their params are checked
   * @throws SettingException naming the file and key of anything not accepted
   */
  public static ExperimentConfig load(Path file, Methods.Catalog catalog) {
    Properties p = new Properties();
    if (!Files.isRegularFile(file)) {
      throw new SettingException("--config " + file + ": no such file");
    }
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new SettingException("--config " + file + ": cannot read it: " + e.getMessage());
    }
    return ConfigParser.parse(new ConfigReader(file, p), catalog);
  }
}
