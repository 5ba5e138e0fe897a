package org.ccespark.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.app.CommandLine.Command;
import org.ccespark.app.CommandLine.Option;
import org.ccespark.app.CommandLine.Parsed;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.app.ExperimentConfig.DatasetSpec;
import org.ccespark.bench.BenchResult;
import org.ccespark.bench.EmVsPgdBenchmark;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.PcaFeatures;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.eval.ContingencyTable;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.pipeline.Clustering;
import org.ccespark.pipeline.FittedClustering;
import org.ccespark.pipeline.Training;
import org.ccespark.report.Charts;
import org.ccespark.report.Figures;
import org.ccespark.report.ResultTables;
import org.ccespark.report.RunRecord;
import org.ccespark.report.Table;

/**
 * {@code experiment --config FILE}: the paper's experiments as configured in a properties file
 * ({@link ExperimentConfig}): hyper-parameter tuning on a seed that is not reported, clustering
 * runs over datasets × methods × seeds, semi-supervised runs, and the tables and figures, all
 * written into one output folder that appears only when complete.
 */
final class ExperimentCommand {
  /** Where an experiment writes without {@code --output}: this folder plus the config's name. */
  static final String DEFAULT_OUTPUT_PARENT = "target/experiments";
  /** The seed-label column added for semi-supervised runs. */
  static final String SEED_LABEL_COL = "seedLabel";
  /** Figure 2: the observed (possibly randomised) label. */
  static final String NOISY_LABEL_COL = "noisyLabel";
  /** Figure 2: the soft target vector. */
  static final String TARGET_COL = "target";
  /** Seed of the {@code dataset.NAME.sample} samples: the same rows for every run. */
  static final long SAMPLE_SEED = 42;
  /** The estimator param that names the seed-label column (semi-supervised mode). */
  static final String SEED_LABEL_PARAM = "seedLabelCol";

  static final Command COMMAND = new Command("experiment",
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
          + keysHelp(),
      List.of(
          Option.required("--config", "FILE", "the experiment's properties file"),
          Option.value("--output", "DIR", DEFAULT_OUTPUT_PARENT + "/<config name>",
              "output folder"),
          Option.flag("--overwrite", "replace an existing DIR (only once the new one is"
              + " complete)")));

  private static String keysHelp() {
    StringBuilder sb = new StringBuilder();
    for (String[] k : ExperimentConfig.KEYS) {
      sb.append(k[0]).append(" [default: ").append(k[1]).append("]: ").append(k[2]).append(". ");
    }
    return sb.toString().trim();
  }

  /** The methods of this build: CCE through the estimator, K-means through MLlib. */
  static final ExperimentConfig.MethodCatalog METHODS = new ExperimentConfig.MethodCatalog() {
    @Override
    public List<String> methods() {
      return Clustering.METHODS;
    }

    @Override
    public Params estimator(String method) {
      return method.equals("kmeans") ? null : cceEstimator(method);
    }
  };

  /** A CCE-family estimator for {@code method} (its {@code method} param set unless cce). */
  static CollisionClustering cceEstimator(String method) {
    CollisionClustering estimator = new CollisionClustering();
    if (!method.equals("cce")) {
      ExperimentConfig.setParam(estimator, "method", method, "methods");
    }
    return estimator;
  }

  private final Parsed args;
  private final PrintStream out;
  private long started;
  private int done;
  private int total;
  /** Fits per reported run (the configuration's {@code restarts}). */
  private int restarts = 1;

  ExperimentCommand(Parsed args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  /** A loaded dataset: rows persisted. */
  private record Data(String name, Dataset<Row> rows, long count, int k, String featuresCol) {}

  /** One fit's record and its details for runs.json and the figures. */
  private record Fit(RunRecord record, Map<String, Object> details, long[][] confusion,
      List<String> labelNames, long[] clusterSizes, double[] lossPerEpoch) {}

  void run() {
    Path file = Path.of(args.required("--config"));
    ExperimentConfig cfg = ExperimentConfig.load(file, METHODS);
    restarts = cfg.restarts;
    if (cfg.outputs.contains("table5")) {
      for (String m : cfg.semiMethods) {
        if (!cceEstimator(m).hasParam(SEED_LABEL_PARAM)) {
          throw new UsageException(file + ": outputs has table5, but this build has no"
              + " semi-supervised mode (estimator param " + SEED_LABEL_PARAM + ")");
        }
      }
    }
    String output = args.string("--output", DEFAULT_OUTPUT_PARENT + "/"
        + file.getFileName().toString().replaceFirst("\\.properties$", ""));
    started = System.nanoTime();
    SparkSession spark = Main.session();
    List<OutputDir.Other> inputs = new ArrayList<>(List.of(
        OutputDir.Other.text("--config", file.toString())));
    for (ExperimentConfig.DatasetSpec d : cfg.datasets) {
      inputs.add(OutputDir.Other.input("dataset." + d.name() + ".path", d.path()));
    }
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
        args.has("--overwrite"), inputs.toArray(new OutputDir.Other[0]))) {
      out.printf("experiment %s: outputs %s%n", cfg.title, String.join(",", cfg.outputs));
      StringBuilder config = new StringBuilder("# " + cfg.file + "\n");
      cfg.asMap().forEach((k, v) -> config.append(k).append('=').append(v).append('\n'));
      dir.writeText("config.properties", config.toString());

      List<RunRecord> records = new ArrayList<>();
      List<Map<String, Object>> details = new ArrayList<>();
      Map<String, Map<String, String>> chosen = new LinkedHashMap<>();
      Map<String, Fit> firstFits = new LinkedHashMap<>();
      Map<String, List<double[]>> losses = new LinkedHashMap<>();
      Map<String, Data> loaded = new LinkedHashMap<>();
      try {
        boolean clustering = cfg.outputs.stream()
            .anyMatch(ExperimentConfig.CLUSTERING_OUTPUTS::contains);
        List<String> mainDatasets = clustering ? cfg.clusteringDatasets : List.of();
        Set<String> needed = new java.util.LinkedHashSet<>(mainDatasets);
        if (cfg.outputs.contains("table5")) {
          needed.addAll(cfg.semiDatasets);
        }
        Set<String> toLoad = new java.util.LinkedHashSet<>(needed);
        if (cfg.outputs.contains("figure2")) {
          toLoad.add(cfg.figure2Train);
          toLoad.add(cfg.figure2Test);
        }
        for (DatasetSpec spec : cfg.datasets) {
          if (toLoad.contains(spec.name())) {
            loaded.put(spec.name(), load(spark, spec));
          }
        }
        total = plannedRuns(cfg, mainDatasets);
        List<String> tuneDatasets = new ArrayList<>(needed);
        // 1. tuning
        for (String d : tuneDatasets) {
          Data data = loaded.get(d);
          Data tuneData = cfg.tuneSample == null ? data
              : sample(data, cfg.tuneSample, cfg.tuneSeed, "tune.sample");
          try {
            for (String m : methodsOf(cfg, d, mainDatasets)) {
              Map<String, String> best = new LinkedHashMap<>(cfg.params.get(m));
              if (!cfg.grids.get(m).isEmpty()) {
                double bestScore = Double.NEGATIVE_INFINITY;
                for (Map<String, String> point : cfg.grid(m)) {
                  Map<String, String> p = new LinkedHashMap<>(cfg.params.get(m));
                  p.putAll(point);
                  Fit fit;
                  try {
                    fit = fit("tune", tuneData, m, p, cfg.tuneSeed, 0, null);
                  } catch (IllegalStateException e) {
                    // A grid point whose training diverged (non-finite loss) is a tuning result,
                    // not the end of the experiment: recorded as failed, never chosen.
                    records.add(new RunRecord("tune", d, m, cfg.tuneSeed, 0, paramsText(p),
                        Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        tuneData.count()));
                    progress(String.format("tune %s %s seed %d [%s]: failed, not chosen (%s)", d,
                        m, cfg.tuneSeed, paramsText(p), e.getMessage()));
                    continue;
                  }
                  records.add(fit.record());
                  details.add(fit.details());
                  double score = fit.record().metric(cfg.tuneMetric);
                  if (score > bestScore) {
                    bestScore = score;
                    best = p;
                  }
                }
              }
              chosen.put(d + "/" + m, best);
            }
          } finally {
            if (tuneData != data) {
              tuneData.rows().unpersist(false);
            }
          }
        }
        // 2. reported clustering runs
        for (String d : mainDatasets) {
          for (String m : cfg.methods) {
            for (long seed = 1; seed <= cfg.seeds; seed++) {
              Fit fit = fit("main", loaded.get(d), m, chosen.get(d + "/" + m), seed, 0, null);
              records.add(fit.record());
              details.add(fit.details());
              firstFits.putIfAbsent(d + "/" + m, fit);
              if (fit.lossPerEpoch() != null) {
                losses.computeIfAbsent(d + "/" + m, x -> new ArrayList<>()).add(fit.lossPerEpoch());
              }
            }
          }
        }
        // 3. semi-supervised runs
        if (cfg.outputs.contains("table5")) {
          for (String d : cfg.semiDatasets) {
            for (double f : cfg.semiFractions) {
              for (long seed = 1; seed <= cfg.semiSeeds; seed++) {
                Dataset<Row> withSeeds = withSeedLabels(loaded.get(d).rows(), f, seed)
                    .persist(StorageLevel.MEMORY_AND_DISK());
                try {
                  Set<Long> labelled = new HashSet<>(withSeeds
                      .filter(functions.col(SEED_LABEL_COL).isNotNull())
                      .select(FeatureInput.ROW_COL).as(Encoders.LONG()).collectAsList());
                  Data data = loaded.get(d);
                  Data semiData = new Data(d, withSeeds, data.count(), data.k(),
                      data.featuresCol());
                  Fit only = onlySeeds(semiData, chosen.getOrDefault(d + "/"
                      + cfg.semiMethods.get(0), cfg.params.get(cfg.semiMethods.get(0))), seed, f,
                      labelled);
                  records.add(only.record());
                  details.add(only.details());
                  for (String m : cfg.semiMethods) {
                    Fit fit = fit("semi", semiData, m, chosen.getOrDefault(d + "/" + m,
                        cfg.params.get(m)), seed, f, labelled);
                    records.add(fit.record());
                    details.add(fit.details());
                  }
                } finally {
                  withSeeds.unpersist(false);
                }
              }
            }
          }
        }
        // 4. Figure 2: supervised training on noisy soft targets, collision vs Shannon CE
        if (cfg.outputs.contains("figure2")) {
          Data train = loaded.get(cfg.figure2Train);
          Data test = loaded.get(cfg.figure2Test);
          for (double eta : cfg.figure2Etas) {
            for (long seed = 1; seed <= cfg.figure2Seeds; seed++) {
              Dataset<Row> noisy = withNoisyTargets(train.rows(), train.k(), eta, seed)
                  .persist(StorageLevel.MEMORY_AND_DISK());
              try {
                for (String m : ExperimentConfig.FIGURE2_METHODS) {
                  RunRecord r = supervised(new Data(train.name(), noisy, train.count(), train.k(),
                      train.featuresCol()), test, m, cfg.figure2Params, seed, eta);
                  records.add(r);
                  Map<String, Object> d = new LinkedHashMap<>();
                  d.put("phase", r.phase());
                  d.put("dataset", r.dataset());
                  d.put("method", m);
                  d.put("seed", seed);
                  d.put("eta", eta);
                  d.put("testAccuracy", r.accuracy());
                  d.put("fitSeconds", r.fitSeconds());
                  details.add(d);
                }
              } finally {
                noisy.unpersist(false);
              }
            }
          }
        }
      } finally {
        for (Data d : loaded.values()) {
          d.rows().unpersist(false);
        }
      }

      // 4. outputs
      writeRuns(dir, records, details);
      List<String> written = new ArrayList<>(List.of("config.properties", "runs.csv",
          "runs.json"));
      StringBuilder summary = new StringBuilder("# " + cfg.title + "\n\n");
      List<String> mainDatasets = ResultTables.distinct(records.stream()
          .filter(r -> r.phase().equals("main")).toList(), RunRecord::dataset);
      if (cfg.tunes()) {
        Map<String, String> chosenText = new LinkedHashMap<>();
        chosen.forEach((k, v) -> chosenText.put(k, paramsText(v)));
        Table tuning = ResultTables.tuningTable(records, chosenText, cfg.tuneMetric);
        dir.writeText("tuning.md", tuning.toMarkdown());
        dir.writeText("tuning.csv", tuning.toCsv());
        written.add("tuning.md");
        written.add("tuning.csv");
        summary.append("## Tuning (seed ").append(cfg.tuneSeed).append(", criterion ")
            .append(cfg.tuneMetric).append(")\n\n").append(tuning.toMarkdown()).append('\n');
      }
      dir.writeJson("chosen.json", chosen);
      written.add("chosen.json");
      if (cfg.outputs.contains("table2")) {
        Table t = ResultTables.table2Markdown(records, mainDatasets, cfg.methods);
        dir.writeText("table2.md", t.toMarkdown());
        dir.writeText("table2.csv", ResultTables.clusteringLong(records, mainDatasets,
            cfg.methods).toCsv());
        written.add("table2.md");
        written.add("table2.csv");
        summary.append("## Table 2: clustering, mean ± std over seeds 1..").append(cfg.seeds)
            .append("\n\n").append(t.toMarkdown()).append('\n');
        out.printf("%nTable 2 (mean ± sample std over seeds 1..%d):%n%s", cfg.seeds,
            t.toMarkdown());
      }
      if (cfg.outputs.contains("table6")) {
        Table t = ResultTables.table6Markdown(records, mainDatasets);
        dir.writeText("table6.md", t.toMarkdown());
        dir.writeText("table6.csv", ResultTables.clusteringLong(records, mainDatasets,
            List.of("cce-pgd", "cce")).toCsv());
        written.add("table6.md");
        written.add("table6.csv");
        summary.append("## Table 6: eq. 10 (PGD) vs eq. 11 (EM), ACC\n\n").append(t.toMarkdown())
            .append('\n');
        out.printf("%nTable 6 (ACC):%n%s", t.toMarkdown());
      }
      if (cfg.outputs.contains("table5")) {
        List<String> rows = new ArrayList<>(List.of(ResultTables.ONLY_SEEDS));
        rows.addAll(cfg.semiMethods);
        Table t = ResultTables.table5Markdown(records, cfg.semiFractions, cfg.semiDatasets, rows);
        dir.writeText("table5.md", t.toMarkdown());
        dir.writeText("table5.csv", ResultTables.table5Long(records, cfg.semiFractions,
            cfg.semiDatasets, rows).toCsv());
        written.add("table5.md");
        written.add("table5.csv");
        summary.append("## Table 5: semi-supervised, accuracy on unlabelled rows\n\n")
            .append(t.toMarkdown()).append('\n');
        out.printf("%nTable 5 (accuracy on the unlabelled rows):%n%s", t.toMarkdown());
      }
      if (cfg.outputs.contains("table1")) {
        out.printf("table1: EM vs PGD at K=%s, M=%d%n", Arrays.toString(cfg.table1K),
            cfg.table1Block);
        BenchResult<EmVsPgdBenchmark.Report> bench = EmVsPgdBenchmark.run(
            new EmVsPgdBenchmark.Config(cfg.table1K,
            cfg.table1Block, cfg.table1Lambda, cfg.table1Tol, 20000, 2000, 3.0, 1, 1,
            cfg.table1Reps, cfg.table1Budget));
        Table t = table1(bench);
        dir.writeText("table1.md", t.toMarkdown());
        dir.writeText("table1.txt", bench.table());
        dir.writeJson("table1.json", bench.json());
        written.add("table1.md");
        written.add("table1.txt");
        written.add("table1.json");
        summary.append("## Table 1: EM vs PGD\n\n").append(t.toMarkdown()).append('\n');
        out.printf("%n%s", bench.table());
      }
      List<String> figures = new ArrayList<>();
      if (cfg.outputs.contains("figure1")) {
        figures.add(png(dir, "figure1.png", Figures.figure1()));
      }
      if (cfg.outputs.contains("figure2")) {
        Table t = ResultTables.figure2Table(records, cfg.figure2Etas);
        dir.writeText("figure2.md", t.toMarkdown());
        dir.writeText("figure2.csv", ResultTables.figure2Long(records, cfg.figure2Etas).toCsv());
        written.add("figure2.md");
        written.add("figure2.csv");
        summary.append("## Figure 2: test accuracy vs label noise eta (").append(cfg.figure2Train)
            .append(" -> ").append(cfg.figure2Test).append(")\n\n").append(t.toMarkdown())
            .append('\n');
        out.printf("%nFigure 2 (test accuracy, mean ± std over seeds 1..%d):%n%s",
            cfg.figure2Seeds, t.toMarkdown());
        figures.add(png(dir, "figure2.png", Charts.line("Figure 2: test accuracy vs label noise,"
            + " trained on " + cfg.figure2Train + ", tested on " + cfg.figure2Test,
            "eta (fraction of random labels; targets eta*u + (1-eta)*onehot)", "test accuracy",
            ResultTables.figure2Series(records, cfg.figure2Etas), 0, 1)));
      }
      for (String d : mainDatasets) {
        if (cfg.outputs.contains("loss")) {
          List<Charts.Series> series = new ArrayList<>();
          for (String m : cfg.methods) {
            List<double[]> curves = losses.get(d + "/" + m);
            if (curves != null) {
              series.add(meanCurve(m, curves));
            }
          }
          if (!series.isEmpty()) {
            figures.add(png(dir, "loss-" + d + ".png", Charts.line("loss per epoch, " + d
                + " (mean over seeds)", "epoch", "each method's own training loss", series,
                Double.NaN, Double.NaN)));
          }
        }
        if (cfg.outputs.contains("sizes")) {
          figures.add(png(dir, "sizes-" + d + ".png", sizes(d, cfg.methods, firstFits)));
        }
        if (cfg.outputs.contains("confusion")) {
          for (String m : cfg.methods) {
            Fit fit = firstFits.get(d + "/" + m);
            List<String> columns = new ArrayList<>();
            for (int c = 0; c < fit.confusion()[0].length; c++) {
              columns.add("c" + (c + 1));
            }
            figures.add(png(dir, "confusion-" + d + "-" + m + ".png", Charts.heatmap(
                "confusion matrix, " + d + ", " + m + ", seed 1 (clusters in matched order)",
                "true label", "cluster", fit.confusion(), fit.labelNames(), columns)));
          }
        }
      }
      if (!figures.isEmpty()) {
        summary.append("## Figures\n\n");
        for (String f : figures) {
          summary.append("![").append(f).append("](").append(f).append(")\n");
        }
      }
      dir.writeText("summary.md", summary.toString());
      written.add("summary.md");
      written.addAll(figures);
      dir.commit();
      out.printf("%nwrote %s: %s (%s in all)%n", dir.display(), String.join(", ", written),
          clock((System.nanoTime() - started) / 1e9));
    }
  }

  /** The methods tuned on dataset {@code d}: all for clustering datasets, else the semi ones. */
  private static List<String> methodsOf(ExperimentConfig cfg, String d, List<String> main) {
    if (main.contains(d)) {
      return cfg.methods;
    }
    return cfg.semiMethods;
  }

  private static int plannedRuns(ExperimentConfig cfg, List<String> mainDatasets) {
    Set<String> needed = new java.util.LinkedHashSet<>(mainDatasets);
    if (cfg.outputs.contains("table5")) {
      needed.addAll(cfg.semiDatasets);
    }
    int n = 0;
    for (String d : needed) {
      for (String m : methodsOf(cfg, d, mainDatasets)) {
        n += cfg.grids.get(m).isEmpty() ? 0 : cfg.grid(m).size();
      }
    }
    n += mainDatasets.size() * cfg.methods.size() * cfg.seeds;
    if (cfg.outputs.contains("figure2")) {
      n += cfg.figure2Etas.length * cfg.figure2Seeds * ExperimentConfig.FIGURE2_METHODS.size();
    }
    if (cfg.outputs.contains("table5")) {
      n += cfg.semiDatasets.size() * cfg.semiFractions.length * cfg.semiSeeds
          * (cfg.semiMethods.size() + 1); // + only seeds
    }
    return n;
  }

  // ------------------------------------------------------------------------------- data

  private Data load(SparkSession spark, DatasetSpec spec) {
    out.printf("loading dataset %s%n", spec.name());
    Dataset<Row> rows;
    String featuresCol = FeatureInput.DEFAULT_FEATURES_COL;
    boolean sampled = false;
    if (spec.path() != null) {
      rows = FeatureInput.read(spark, spec.path(), spec.format(), spec.featuresCol(),
          spec.labelCol()).data();
      featuresCol = spec.featuresCol();
    } else {
      // The catalog's images, read on the driver (only the sampled ones) into pixel features.
      ImageFrames.Selection selection = spec.sample() == null ? ImageFrames.Selection.ALL
          : new ImageFrames.Selection(spec.sample(), SAMPLE_SEED);
      try (ImageDataset images = DatasetCatalog.open(spec.name())) {
        if (spec.sample() != null && spec.sample() > images.size()) {
          throw new UsageException("dataset." + spec.name() + ".sample = " + spec.sample()
              + " is more than the " + images.size() + " images of " + spec.name());
        }
        rows = ImageFrames.load(spark, images, selection,
            spark.sparkContext().defaultParallelism(), false).data();
      } catch (Exception e) {
        if (e instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException("cannot read dataset " + spec.name() + ": "
            + e.getMessage(), e);
      }
      sampled = true;
    }
    if (!Arrays.asList(rows.columns()).contains(FeatureInput.LABEL_COL)) {
      throw new IllegalArgumentException("dataset " + spec.name() + " has no label column: the"
          + " experiments score against labels");
    }
    rows = rows.withColumn(FeatureInput.LABEL_COL,
        functions.col(FeatureInput.LABEL_COL).cast("int"));
    Data data = new Data(spec.name(), rows.persist(StorageLevel.MEMORY_AND_DISK()),
        rows.count(), 0, featuresCol);
    if (spec.sample() != null && !sampled) {
      Data s = sample(data, spec.sample(), SAMPLE_SEED, "dataset." + spec.name() + ".sample");
      data.rows().unpersist(false);
      data = s;
    }
    if (!spec.features().raw()) {
      PcaFeatures.Result pca;
      try {
        pca = PcaFeatures.apply(data.rows(), featuresCol, spec.features());
      } catch (IllegalArgumentException e) {
        throw new UsageException("dataset." + spec.name() + ".features: " + e.getMessage());
      }
      Dataset<Row> projected = pca.rows().persist(StorageLevel.MEMORY_AND_DISK());
      long count = projected.count();
      data.rows().unpersist(false);
      data = new Data(data.name(), projected, count, data.k(), featuresCol);
      out.printf("dataset %s: features %s (%.1f%% of the variance kept)%n", spec.name(),
          spec.features(), 100 * pca.varianceKept());
    }
    long labelNulls = data.rows().filter(functions.col(FeatureInput.LABEL_COL).isNull()).count();
    if (labelNulls > 0) {
      throw new IllegalArgumentException("dataset " + spec.name() + " has " + labelNulls
          + " rows without a label");
    }
    int classes = (int) data.rows().select(FeatureInput.LABEL_COL).distinct().count();
    int k = spec.k() == null ? classes : spec.k();
    if (k < 2 || k > data.count()) {
      throw new IllegalArgumentException("dataset " + spec.name() + ": k = " + k + " must be"
          + " between 2 and its " + data.count() + " rows");
    }
    out.printf("dataset %s: %,d rows, %d classes, k=%d%n", spec.name(), data.count(), classes, k);
    return new Data(spec.name(), data.rows(), data.count(), k, featuresCol);
  }

  /** A seeded random sample of exactly {@code n} rows (in their input order), persisted. */
  private static Data sample(Data data, int n, long seed, String key) {
    if (n > data.count()) {
      throw new UsageException(key + " = " + n + " is more than the " + data.count() + " rows of "
          + data.name());
    }
    List<Long> ids = data.rows().select(FeatureInput.ROW_COL).as(Encoders.LONG()).collectAsList();
    List<Long> shuffled = new ArrayList<>(ids);
    java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
    TreeSet<Long> keep = new TreeSet<>(shuffled.subList(0, n));
    Dataset<Row> keepDf = data.rows().sparkSession()
        .createDataset(new ArrayList<>(keep), Encoders.LONG()).toDF(FeatureInput.ROW_COL);
    Dataset<Row> rows = data.rows().join(functions.broadcast(keepDf), FeatureInput.ROW_COL)
        .repartition(Math.max(1, data.rows().rdd().getNumPartitions()))
        .sortWithinPartitions(FeatureInput.ROW_COL)
        .persist(StorageLevel.MEMORY_AND_DISK());
    long count = rows.count();
    return new Data(data.name(), rows, count, data.k(), data.featuresCol());
  }

  /**
   * The rows with {@link #SEED_LABEL_COL}: the label on a fraction {@code f} of rows chosen by a
   * hash of the row index and the seed (the same rows whatever the partitioning), null elsewhere.
   */
  static Dataset<Row> withSeedLabels(Dataset<Row> rows, double f, long seed) {
    org.apache.spark.sql.Column u = functions.pmod(functions.xxhash64(
        functions.col(FeatureInput.ROW_COL), functions.lit(seed), functions.lit("seed-labels")),
        functions.lit(1_000_000L));
    return rows.withColumn(SEED_LABEL_COL, functions.when(u.lt(Math.round(f * 1_000_000)),
        functions.col(FeatureInput.LABEL_COL)));
  }

  /**
   * The training rows with {@link #TARGET_COL}, Figure 2's soft targets: a fraction {@code eta} of
   * rows (chosen by a hash of row and seed) get a uniformly random label instead of theirs, and
   * every row's target is {@code eta·u + (1-eta)·onehot(observed label)}.
   */
  static Dataset<Row> withNoisyTargets(Dataset<Row> rows, int k, double eta, long seed) {
    org.apache.spark.sql.Column u = functions.pmod(functions.xxhash64(
        functions.col(FeatureInput.ROW_COL), functions.lit(seed), functions.lit("noise")),
        functions.lit(1_000_000L));
    org.apache.spark.sql.Column random = functions.pmod(functions.xxhash64(
        functions.col(FeatureInput.ROW_COL), functions.lit(seed), functions.lit("random-label")),
        functions.lit((long) k)).cast("int");
    Dataset<Row> observed = rows.withColumn(NOISY_LABEL_COL, functions.when(
        u.lt(Math.round(eta * 1_000_000)), random).otherwise(functions.col(FeatureInput.LABEL_COL)));
    double hi = (1 - eta) + eta / k;
    double lo = eta / k;
    return observed.withColumn(TARGET_COL, org.apache.spark.ml.functions.array_to_vector(
        functions.expr(String.format(java.util.Locale.ROOT,
            "transform(sequence(0, %d), i -> IF(i = %s, CAST(%s AS DOUBLE), CAST(%s AS DOUBLE)))",
            k - 1, NOISY_LABEL_COL, Double.toString(hi), Double.toString(lo)))));
  }

  /** One supervised fit on the noisy targets and its accuracy on the test rows. */
  private RunRecord supervised(Data train, Data test, String method, Map<String, String> params,
      long seed, double eta) {
    CollisionClustering estimator = cceEstimator(method);
    params.forEach((p, v) -> ExperimentConfig.setParam(estimator, p, v, "figure2.param." + p));
    estimator.setK(train.k()).setSeed(seed).setFeaturesCol(train.featuresCol());
    ExperimentConfig.setParam(estimator, SEED_LABEL_PARAM, TARGET_COL, "figure2");
    long t0 = System.nanoTime();
    org.ccespark.ml.CollisionClusteringModel model = estimator.fit(train.rows());
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<Row> rows = model.setFeaturesCol(test.featuresCol()).transform(test.rows())
        .select(FeatureInput.LABEL_COL, model.getPredictionCol()).collectAsList();
    int[] labels = new int[rows.size()];
    int[] predictions = new int[rows.size()];
    long correct = 0;
    for (int i = 0; i < rows.size(); i++) {
      labels[i] = rows.get(i).getInt(0);
      predictions[i] = rows.get(i).getInt(1);
      correct += labels[i] == predictions[i] ? 1 : 0;
    }
    ContingencyTable table = ContingencyTable.of(labels, predictions);
    double accuracy = correct / (double) rows.size();
    RunRecord record = new RunRecord("figure2", train.name(), method, seed, eta,
        paramsText(params), ClusteringMetrics.accuracy(table), ClusteringMetrics.nmi(table),
        ClusteringMetrics.ari(table), accuracy, seconds, train.count());
    progress(String.format("figure2 %s %s seed %d eta %s: test accuracy %.4f (fit %.1f s)",
        train.name(), method, seed, eta, accuracy, seconds));
    return record;
  }

  private void progress(String what) {
    done++;
    double elapsed = (System.nanoTime() - started) / 1e9;
    double eta = done == 0 ? 0 : elapsed / done * (total - done);
    out.printf("[%d/%d] %s | elapsed %s, ETA %s%n", done, total, what, clock(elapsed), clock(eta));
  }

  // ------------------------------------------------------------------------------- fitting

  /** The classifier settings that "only seeds" takes from the first semi-supervised method. */
  static final List<String> CLASSIFIER_PARAMS = List.of("maxIter", "batchSize", "stepSize",
      "weightDecay", "optimizer", "momentum");

  /**
   * Table 5's "Only seeds" run: the same linear classifier trained supervised with Shannon
   * cross-entropy ({@code supervised-shannon}) on the seed-labelled rows alone, with the classifier
   * settings of {@code params} (those of {@link #CLASSIFIER_PARAMS}; the first semi-supervised
   * method's) and as many optimiser steps as a fit on all rows takes (its epochs scaled by the
   * ratio of batches per epoch), then scored on every row like the semi-supervised methods.
   */
  private Fit onlySeeds(Data data, Map<String, String> params, long seed, double fraction,
      Set<Long> labelled) {
    CollisionClustering estimator = cceEstimator("supervised-shannon");
    Map<String, String> used = new LinkedHashMap<>();
    params.forEach((p, v) -> {
      if (CLASSIFIER_PARAMS.contains(p)) {
        used.put(p, v);
      }
    });
    used.forEach((p, v) -> ExperimentConfig.setParam(estimator, p, v, "only seeds: " + p));
    if (labelled.size() < data.k()) {
      throw new IllegalArgumentException("dataset " + data.name() + ": label fraction " + fraction
          + " with seed " + seed + " labels " + labelled.size() + " rows, fewer than its k = "
          + data.k() + " classes; raise semi.fractions or the sample");
    }
    int batch = estimator.getBatchSize();
    long steps = (long) estimator.getMaxIter() * ((data.count() + batch - 1) / batch);
    long perEpoch = (labelled.size() + batch - 1) / batch;
    int epochs = (int) Math.min(Integer.MAX_VALUE, (steps + perEpoch - 1) / perEpoch);
    estimator.setMaxIter(epochs);
    used.put("maxIter", Integer.toString(epochs));
    estimator.setK(data.k()).setSeed(seed).setFeaturesCol(data.featuresCol())
        .setPredictionCol(Clustering.PREDICTION_COL);
    ExperimentConfig.setParam(estimator, SEED_LABEL_PARAM, SEED_LABEL_COL, "table5");
    Dataset<Row> seeds = data.rows().filter(functions.col(SEED_LABEL_COL).isNotNull());
    long t0 = System.nanoTime();
    org.ccespark.ml.CollisionClusteringModel model = estimator.fit(seeds);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Dataset<Row> predictions = model.transform(data.rows()).select(FeatureInput.ROW_COL,
        FeatureInput.LABEL_COL, Clustering.PREDICTION_COL)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Training training = Training.onRows(model.summary().lossPerEpoch(), labelled.size());
    Map<String, Object> allParams = new LinkedHashMap<>();
    for (org.apache.spark.ml.param.Param<?> p : estimator.params()) {
      if (estimator.isDefined(p)) {
        allParams.put(p.name(), estimator.getOrDefault(p));
      }
    }
    return score("semi", data, ResultTables.ONLY_SEEDS, paramsText(used), seed, fraction,
        labelled, new FittedClustering(ResultTables.ONLY_SEEDS, predictions, model, null,
            seconds, allParams, training));
  }

  private Fit fit(String phase, Data data, String method, Map<String, String> params, long seed,
      double fraction, Set<Long> labelled) {
    FittedClustering result;
    String paramsText = paramsText(params);
    int fits = phase.equals("tune") ? 1 : restarts;
    if (method.equals("kmeans")) {
      result = Clustering.kmeans(data.k(), seed, fits, data.rows(), data.featuresCol());
    } else {
      CollisionClustering estimator = cceEstimator(method);
      estimator.setNumRestarts(fits);
      params.forEach((p, v) -> ExperimentConfig.setParam(estimator, p, v, "params." + method + "."
          + p));
      estimator.setK(data.k()).setSeed(seed);
      if (labelled != null) {
        ExperimentConfig.setParam(estimator, SEED_LABEL_PARAM, SEED_LABEL_COL, "table5");
      }
      result = Clustering.cce(estimator, data.rows(), data.featuresCol());
    }
    return score(phase, data, method, paramsText, seed, fraction, labelled, result);
  }

  /**
   * Scores a fit's predictions on every row (ACC, NMI, ARI) and, with seed labels, the plain
   * accuracy on the unlabelled rows; releases the result's predictions.
   */
  private Fit score(String phase, Data data, String method, String paramsText, long seed,
      double fraction, Set<Long> labelled, FittedClustering result) {
    try {
      List<Row> rows = result.predictions().select(FeatureInput.ROW_COL, FeatureInput.LABEL_COL,
          Clustering.PREDICTION_COL).collectAsList();
      int[] labels = new int[rows.size()];
      int[] predictions = new int[rows.size()];
      long unlabelled = 0;
      long correct = 0;
      for (int i = 0; i < rows.size(); i++) {
        Row r = rows.get(i);
        labels[i] = r.getInt(1);
        predictions[i] = r.getInt(2);
        if (labelled != null && !labelled.contains(r.getLong(0))) {
          unlabelled++;
          if (labels[i] == predictions[i]) {
            correct++;
          }
        }
      }
      ContingencyTable table = ContingencyTable.of(labels, predictions);
      long[] clusterSizes = result.clusterSizes() != null ? result.clusterSizes()
          : sizes(predictions, data.k());
      double acc = ClusteringMetrics.accuracy(table);
      double nmi = ClusteringMetrics.nmi(table);
      double ari = ClusteringMetrics.ari(table);
      double accuracy = labelled == null || unlabelled == 0 ? Double.NaN
          : correct / (double) unlabelled;
      RunRecord record = new RunRecord(phase, data.name(), method, seed, fraction, paramsText,
          acc, nmi, ari, accuracy, result.fitSeconds(), rows.size());
      Figures.Confusion confusion = Figures.confusion(table);
      List<String> labelNames = new TreeSet<>(Arrays.stream(labels).boxed().toList()).stream()
          .map(String::valueOf).toList();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("phase", phase);
      details.put("dataset", data.name());
      details.put("method", method);
      details.put("seed", seed);
      details.put("fraction", fraction);
      details.put("acc", acc);
      details.put("nmi", nmi);
      details.put("ari", ari);
      details.put("accuracy", Double.isNaN(accuracy) ? null : accuracy);
      details.put("fitSeconds", result.fitSeconds());
      details.put("rows", rows.size());
      details.put("clusterSizes", clusterSizes);
      details.put("confusion", table.toArray());
      details.putAll(new com.fasterxml.jackson.databind.ObjectMapper().convertValue(
          result.training(), new com.fasterxml.jackson.core.type.TypeReference<Map<String,
              Object>>() {}));
      details.put("params", result.params());
      double[] loss = result.training().lossPerEpoch();
      progress(String.format("%s %s %s seed %d%s%s: ACC %.4f NMI %.4f ARI %.4f%s (fit %.1f s)",
          phase, data.name(), method, seed, fraction > 0 ? " labels " + fraction : "",
          paramsText.isEmpty() ? "" : " [" + paramsText + "]", acc, nmi, ari,
          Double.isNaN(accuracy) ? "" : String.format(" accuracy %.4f", accuracy),
          result.fitSeconds()));
      return new Fit(record, details, confusion.counts(), labelNames, clusterSizes, loss);
    } finally {
      result.release();
    }
  }

  private static long[] sizes(int[] predictions, int k) {
    long[] out = new long[k];
    for (int p : predictions) {
      out[p]++;
    }
    return out;
  }

  static String paramsText(Map<String, String> params) {
    List<String> parts = new ArrayList<>();
    params.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(";", parts);
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }

  // ------------------------------------------------------------------------------- outputs

  private static void writeRuns(OutputDir dir, List<RunRecord> records,
      List<Map<String, Object>> details) {
    dir.writeText("runs.csv", RunRecord.toTable(records).toCsv());
    dir.writeJson("runs.json", details);
  }

  private static String png(OutputDir dir, String name, java.awt.image.BufferedImage image) {
    String path = "figures/" + name;
    dir.writeBytes(path, Charts.png(image));
    return path;
  }

  private static Charts.Series meanCurve(String method, List<double[]> curves) {
    int epochs = curves.stream().mapToInt(c -> c.length).min().orElse(0);
    double[] x = new double[epochs];
    double[] y = new double[epochs];
    for (int e = 0; e < epochs; e++) {
      x[e] = e + 1;
      for (double[] c : curves) {
        y[e] += c[e] / curves.size();
      }
    }
    return new Charts.Series(method, x, y);
  }

  private static java.awt.image.BufferedImage sizes(String d, List<String> methods,
      Map<String, Fit> fits) {
    List<Charts.Series> series = new ArrayList<>();
    int k = 0;
    long[] classSizes = null;
    for (String m : methods) {
      Fit fit = fits.get(d + "/" + m);
      long[] sorted = fit.clusterSizes().clone();
      Arrays.sort(sorted);
      double[] y = new double[sorted.length];
      for (int i = 0; i < sorted.length; i++) {
        y[i] = sorted[sorted.length - 1 - i];
      }
      k = Math.max(k, y.length);
      series.add(new Charts.Series(m, null, y));
      if (classSizes == null) {
        classSizes = new long[fit.confusion().length];
        for (int i = 0; i < classSizes.length; i++) {
          for (long c : fit.confusion()[i]) {
            classSizes[i] += c;
          }
        }
      }
    }
    Arrays.sort(classSizes);
    double[] truth = new double[k];
    Arrays.fill(truth, Double.NaN);
    for (int i = 0; i < Math.min(k, classSizes.length); i++) {
      truth[i] = classSizes[classSizes.length - 1 - i];
    }
    series.add(new Charts.Series("true classes", null, truth));
    List<String> ranks = new ArrayList<>();
    for (int i = 1; i <= k; i++) {
      ranks.add(Integer.toString(i));
    }
    List<Charts.Series> padded = new ArrayList<>();
    for (Charts.Series s : series) {
      double[] y = Arrays.copyOf(s.y(), k);
      for (int i = s.y().length; i < k; i++) {
        y[i] = Double.NaN;
      }
      padded.add(new Charts.Series(s.name(), null, y));
    }
    return Charts.bars("cluster sizes, " + d + ", seed 1 (largest first)", "cluster (by size)",
        "rows", ranks, padded);
  }

  /** Table 1 from the em-vs-pgd benchmark's figures. */
  static Table table1(BenchResult<EmVsPgdBenchmark.Report> bench) {
    Table.Builder b = new Table.Builder(List.of("K", "solver", "loss", "step size × M",
        "iterations", "converged", "s per iteration", "s to converge"));
    int block = bench.json().settings().block();
    for (EmVsPgdBenchmark.PerK perK : bench.json().results()) {
      for (EmVsPgdBenchmark.Solver s : perK.solvers()) {
        b.add(List.of(String.valueOf(perK.k()), s.solver(), s.loss(), s.stepSize() != null
                ? String.format("%.3g", s.stepSize() * block) : "–",
            String.valueOf(s.iterations()), s.converged() ? "yes" : "no",
            String.format("%.2e", s.secondsPerIteration().median()),
            String.format("%.4f", s.secondsToConvergence().median())));
      }
    }
    return b.build();
  }
}
