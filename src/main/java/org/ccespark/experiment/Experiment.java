package org.ccespark.experiment;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The paper's experiments as configured in a properties file ({@link ExperimentConfig}): its
 * datasets loaded, then the phases of its {@link ExperimentPlan} run in order — tuning
 * ({@link TuningRunner}), the reported clustering runs ({@link ReportedRunner}), Table 5's
 * semi-supervised runs ({@link SemiSupervisedRunner}), Figure 2's noisy-label runs
 * ({@link NoisyLabelRunner}) — and the tables and figures written from the typed results
 * ({@link OutputWriter}).
 *
 * <pre>{@code
 * ExperimentConfig cfg = ExperimentConfig.load(Path.of("conf/experiments/demo.properties"));
 * Experiment experiment = new Experiment(cfg, System.out);
 * List<String> files = experiment.run(spark, output);
 * }</pre>
 */
public final class Experiment {
  private final ExperimentPlan plan;
  private final Progress progress;

  /**
   * Plans the experiment; nothing runs yet.
   *
   * @param out where progress and tables are printed
   * @throws org.ccespark.data.SettingException if the build cannot run what the configuration
   *     asks for (Table 5 without a semi-supervised mode)
   */
  public Experiment(ExperimentConfig config, PrintStream out) {
    this.progress = new Progress(out, System.nanoTime());
    if (config.outputs().contains("table5")) {
      SemiSupervisedRunner.checkSupported(config);
    }
    this.plan = ExperimentPlan.of(config);
  }

  /** @return what runs */
  public ExperimentPlan plan() {
    return plan;
  }

  /**
   * Runs every phase and writes the outputs into {@code output}.
   *
   * @return the files written, in order
   */
  public List<String> run(SparkSession spark, ExperimentOutput output) {
    ExperimentConfig cfg = plan.config();
    PrintStream out = progress.out();
    out.printf("experiment %s: outputs %s%n", cfg.title(), String.join(",", cfg.outputs()));
    OutputWriter writer = new OutputWriter(cfg, output, out);
    writer.writeConfig();
    ExperimentResults results = new ExperimentResults();
    Map<String, LoadedData> loaded = new LinkedHashMap<>();
    try {
      DatasetLoader loader = new DatasetLoader(spark, out);
      for (Sections.DatasetSpec spec : plan.datasetsToLoad()) {
        loaded.put(spec.name(), loader.load(spec));
      }
      progress.total(plan.totalRuns());
      RunContext ctx = new RunContext(plan, loaded, results, new FitAndScore(progress), progress);
      new TuningRunner(ctx).run();
      new ReportedRunner(ctx).run();
      if (plan.wants("table5")) {
        new SemiSupervisedRunner(ctx).run();
      }
      if (plan.wants("figure2")) {
        new NoisyLabelRunner(ctx).run();
      }
    } finally {
      loaded.values().forEach(LoadedData::release);
    }
    return writer.write(results);
  }

  /** @return the time since the experiment was planned, as {@code m:ss} or {@code h:mm:ss} */
  public String elapsed() {
    return Progress.clock(progress.elapsedSeconds());
  }
}
