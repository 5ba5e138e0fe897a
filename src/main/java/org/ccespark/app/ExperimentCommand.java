package org.ccespark.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ccespark.app.CommandLine.Command;
import org.ccespark.app.CommandLine.Option;
import org.ccespark.app.CommandLine.Parsed;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.SettingException;
import org.ccespark.experiment.ConfigKeys;
import org.ccespark.experiment.Experiment;
import org.ccespark.experiment.ExperimentConfig;
import org.ccespark.experiment.ExperimentOutput;
import org.ccespark.experiment.ExperimentRequest;
import org.ccespark.experiment.Sections;
import org.ccespark.output.OutputDir;

/**
 * {@code experiment --config FILE}: the options of the command, handed to the experiment layer
 * ({@link Experiment}, package {@code org.ccespark.experiment}) as an {@link ExperimentRequest};
 * the run writes into an {@link OutputDir} that appears only when complete.
 */
final class ExperimentCommand {
  private ExperimentCommand() {}

  static final Command COMMAND = command();

  /** The command's options and help (option names and texts unchanged). */
  private static Command command() {
    return new Command("experiment",
        "--config FILE [--output DIR] [--overwrite]",
        "the paper's experiments (tables and figures) as configured in a properties file",
        "Runs the experiments described by a properties file (see conf/experiments/ and"
            + " docs/experiments.md): for each dataset and method, first the tuning runs (every"
            + " point of the method's grid fitted once with tune.seed, the best by tune.metric"
            + " kept), then the reported runs with seeds 1..N; the semi-supervised runs of table5;"
            + " then the tables (Markdown and CSV) and figures (PNG). Prints progress (runs done of"
            + " all, elapsed time, estimated time left). Installs and downloads nothing: a dataset"
            + " that is not here is an error saying how to get it."
            + "\n\nWrites into DIR: config.properties (the file as read), runs.csv and runs.json"
            + " (every fit: phase, dataset, method, seed, params, scores, seconds; the JSON adds loss"
            + " per epoch, cluster sizes and the confusion matrix), tuning.md/.csv and chosen.json"
            + " (the grid and the chosen values), table2.md/.csv, table6.md/.csv, table5.md/.csv, figure2.md/.csv,"
            + " table1.md/.txt/.json, and figures/*.png, as the outputs key asks; summary.md"
            + " collects every table."
            + "\n\nConfiguration keys (NAME a dataset, METHOD a method, PARAM an estimator param):\n\n"
            + ConfigKeys.help(),
        List.of(
            Option.required("--config", "FILE", "the experiment's properties file"),
            Option.value("--output", "DIR", ExperimentRequest.DEFAULT_OUTPUT_PARENT
                + "/<config name>",
                "output folder"),
            Option.flag("--overwrite", "replace an existing DIR (only once the new one is"
                + " complete)")));
  }

  /** The request the parsed options make. */
  static ExperimentRequest request(Parsed args) {
    return new ExperimentRequest(Path.of(args.required("--config")),
        args.has("--output") ? args.string("--output", null) : null, args.has("--overwrite"));
  }

  /**
   * Runs the experiment of the parsed options.
   *
   * @throws UsageException for a configuration that is not accepted (naming the file and key)
   */
  static void execute(Parsed args, PrintStream out) {
    try {
      execute(request(args), out);
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
