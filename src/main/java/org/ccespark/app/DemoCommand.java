package org.ccespark.app;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ccespark.pipeline.DemoMetrics;
import org.ccespark.pipeline.DemoPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import org.ccespark.output.OutputDir;

/**
 * {@code demo}: CCE and MLlib K-means (k = 10) on the bundled 2,000 MNIST digits for seeds 1..n
 * ({@link DemoPipeline}); prints ACC/NMI/ARI as mean ± standard deviation over the seeds and per
 * seed, and writes {@code metrics.json} and one predictions CSV per method.
 */
@Command(name = "demo", customSynopsis = "[--output DIR] [--seeds N] [--epochs N] [--overwrite]",
    header = "CCE vs K-means on the bundled 2,000 MNIST digits, over several seeds",
    description = "Clusters the bundled sample of 2,000 MNIST digits (200 per digit, 784 pixel"
        + " values in [0,1]) into k = 10 clusters with CCE (default parameters) and with MLlib"
        + " K-means, for each seed 1..N, and prints ACC, NMI and ARI against the true digits: mean"
        + " ± sample standard deviation over the seeds, then the value of every seed."
        + "\n\nWrites into DIR: metrics.json (every run's scores, parameters, cluster sizes, loss"
        + " per epoch and seconds, and the summary per method) and predictions-cce.csv and"
        + " predictions-kmeans.csv (header row,label,seed1,...,seedN: each row's cluster per"
        + " seed). The default DIR, " + DemoCommand.DEFAULT_OUTPUT + " under the current folder,"
        + " is replaced on every run; an explicit --output is replaced only with --overwrite.")
final class DemoCommand implements Cli.Command {
  /** Where the demo writes when no {@code --output} is given (relative to the current folder). */
  static final String DEFAULT_OUTPUT = "target/demo-output";

  @Option(names = "--output", paramLabel = "DIR", defaultValue = DEFAULT_OUTPUT,
      description = "output folder")
  String output;

  @Option(names = "--seeds", paramLabel = "N", defaultValue = "3", converter = OptionTypes.Min1.class,
      description = "run seeds 1..N")
  int seeds;

  @Option(names = "--overwrite", description = "replace an existing --output DIR")
  boolean overwrite;

  private CceOptions cce;
  private CommandSpec spec;

  @Override
  public void addOptions(CommandSpec spec) {
    this.spec = spec;
    cce = CceOptions.addTo(spec, List.of("--epochs"), List.of(), "--seeds");
  }

  @Override
  public void run(PrintStream out) {
    long t0 = System.nanoTime();
    boolean replace = overwrite || !Cli.given(spec, "--output"); // the default folder is always replaced
    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
        replace)) {
      DemoMetrics metrics = DemoPipeline.run(spark, seeds, cce::estimator, dir.sink(),
          out::println, t0);
      dir.commit();
      out.println();
      out.print(DemoPipeline.table(metrics));
      out.printf("%nwrote %s: metrics.json, predictions-cce.csv, predictions-kmeans.csv"
          + " (%.1f s in all)%n", dir.display(), (System.nanoTime() - t0) / 1e9);
    }
  }
}
