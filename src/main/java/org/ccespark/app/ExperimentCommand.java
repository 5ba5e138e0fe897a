package org.ccespark.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ccespark.app.Help.ShowDefault;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.SettingException;
import org.ccespark.experiment.Experiment;
import org.ccespark.experiment.ExperimentConfig;
import org.ccespark.experiment.ExperimentOutput;
import org.ccespark.experiment.ExperimentRequest;
import org.ccespark.experiment.Sections;
import org.ccespark.output.OutputDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code experiment --config FILE}: the options of the command, handed to the experiment layer
 * ({@link Experiment}, package {@code org.ccespark.experiment}) as an {@link ExperimentRequest};
 * the run writes into an {@link OutputDir} that appears only when complete.
 */
@Command(name = "experiment", customSynopsis = "--config FILE [--output DIR] [--overwrite]",
    header = "the paper's experiments (tables and figures) as configured in a properties file",
    description = "Runs the experiments described by a properties file (see conf/experiments/ and"
        + " docs/experiments.md): for each dataset and method, first the tuning runs (every"
        + " point of the method's grid fitted once with tune.seed, the best by tune.metric"
        + " kept), then the reported runs with seeds 1..N; the semi-supervised runs of table5;"
        + " then the tables (Markdown and CSV) and figures (PNG). Prints progress (runs done of"
        + " all, elapsed time, estimated time left). Installs and downloads nothing: a dataset"
        + " that is not here is an error saying how to get it."
        + "\n\nWrites into DIR: config.properties (the file as read), runs.csv and runs.json"
        + " (every fit: phase, dataset, method, seed, params, scores, seconds; the JSON adds loss"
        + " per epoch, cluster sizes and the confusion matrix), tuning.md/.csv and chosen.json"
        + " (the grid and the chosen values), table2.md/.csv, table6.md/.csv, table5.md/.csv,"
        + " figure2.md/.csv, table1.md/.txt/.json, and figures/*.png, as the outputs key asks;"
        + " summary.md collects every table."
        + "\n\nConfiguration keys (NAME a dataset, METHOD a method, PARAM an estimator param):"
        + "\n\n${bundle:list.experiment-keys}")
final class ExperimentCommand implements Cli.Command {
  @Option(names = "--config", paramLabel = "FILE", required = true,
      description = "the experiment's properties file")
  String config;

  @Option(names = "--output", paramLabel = "DIR", description = "output folder")
  @ShowDefault(ExperimentRequest.DEFAULT_OUTPUT_PARENT + "/<config name>")
  String output;

  @Option(names = "--overwrite",
      description = "replace an existing DIR (only once the new one is complete)")
  boolean overwrite;

  /**
   * Runs the experiment of the options.
   *
   * @throws UsageException for a configuration that is not accepted (naming the file and key)
   */
  @Override
  public void run(PrintStream out) {
    try {
      execute(new ExperimentRequest(Path.of(config), output, overwrite), out);
    } catch (SettingException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static void execute(ExperimentRequest request, PrintStream out) {
    ExperimentConfig cfg = ExperimentConfig.load(request.config());
    Experiment experiment = new Experiment(cfg, out);
    SparkSession spark = Main.session();
    List<OutputDir.Other> inputs = new ArrayList<>(List.of(
        OutputDir.Other.text("--config", request.config().toString())));
    for (Sections.DatasetSpec d : cfg.datasets()) {
      inputs.add(OutputDir.Other.input("dataset." + d.name() + ".path", d.path()));
    }
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(),
        request.outputFolder(), request.overwrite(), inputs.toArray(new OutputDir.Other[0]))) {
      List<String> written = experiment.run(spark, new ExperimentOutput() {
        @Override
        public void writeText(String name, String text) {
          dir.writeText(name, text);
        }

        @Override
        public void writeBytes(String name, byte[] bytes) {
          dir.writeBytes(name, bytes);
        }
      });
      dir.commit();
      out.printf("%nwrote %s: %s (%s in all)%n", dir.display(), String.join(", ", written),
          experiment.elapsed());
    }
  }
}
