package org.ccespark.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.param.Params;
import org.ccespark.data.PcaFeatures;
import org.ccespark.experiment.Sections.DatasetSpec;

/**
 * Reads an experiment's properties into an {@link ExperimentConfig}, one step per section: the
 * outputs and methods, the datasets, the fixed params and tuning grids, the tuning settings,
 * Table 1, Table 5 and Figure 2; then every key must have been read.
 */
final class ConfigParser {
  private final ConfigReader in;
  private String title;
  private List<String> outputs;
  private List<String> methods;
  private int seeds;
  private int restarts;
  private List<String> clusteringDatasets;
  private final List<DatasetSpec> datasets = new ArrayList<>();
  private final Map<String, Map<String, String>> params = new LinkedHashMap<>();
  private Sections.Tuning tuning;
  private Sections.Table1 table1;
  private Sections.Semi semi;
  private Sections.Figure2 figure2;

  private ConfigParser(ConfigReader in) {
    this.in = in;
  }

  /** Reads every section in turn; each step's errors name the key. */
  static ExperimentConfig parse(ConfigReader in, Methods.Catalog catalog) {
    return new ConfigParser(in).parse(catalog);
  }

  private ExperimentConfig parse(Methods.Catalog catalog) {
    title = in.string("title", in.file().getFileName().toString()
        .replaceFirst("\\.properties$", ""));
    outputs = in.choices("outputs", List.of("table2", "figure1", "loss", "sizes", "confusion"),
        ExperimentConfig.OUTPUTS);
    methods = in.choices("methods", List.of("cce", Methods.KMEANS), catalog.methods());
    seeds = in.integer("seeds", 6, 1);
    restarts = in.integer("restarts", 1, 1);
    clusteringDatasets = List.copyOf(in.list("datasets", List.of()));
    readDatasets();
    Map<String, Map<String, List<String>>> grids = readParamsAndGrids(catalog);
    tuning = readTuning(grids);
    table1 = new Sections.Table1(in.ints("table1.k", new int[] {2, 20, 200}, 2),
        in.integer("table1.block", 250, 1), in.number("table1.lambda", 100, 0),
        in.number("table1.tol", 1e-5, Double.MIN_VALUE), in.integer("table1.reps", 3, 1),
        in.number("table1.budget", 10, 0));
    semi = readSemi();
    figure2 = readFigure2(catalog);
    in.checkAllUsed(ExperimentConfig.HELP);
    return new ExperimentConfig(in.file(), title, outputs, datasets, clusteringDatasets, methods,
        seeds, restarts, params, tuning, table1, semi, figure2, in.asMap());
  }

  /** {@code datasets}: each described by its {@code dataset.NAME.*} keys. */
  private void readDatasets() {
    boolean clustering = outputs.stream().anyMatch(ExperimentConfig.CLUSTERING_OUTPUTS::contains);
    if ((clustering || outputs.contains("table5")) && clusteringDatasets.isEmpty()
        && !in.has("semi.datasets")) {
      throw in.error("datasets", "is required by outputs " + outputs);
    }
    for (String d : clusteringDatasets) {
      datasets.add(dataset(d));
    }
    if (outputs.contains("table6") && !(methods.contains("cce") && methods.contains("cce-pgd"))) {
      throw in.error("outputs", "table6 compares methods cce-pgd and cce: add both to methods");
    }
  }

  /** {@code params.METHOD.PARAM} into {@link #params}; returns the {@code tune.METHOD.PARAM} grids. */
  private Map<String, Map<String, List<String>>> readParamsAndGrids(Methods.Catalog catalog) {
    Map<String, Map<String, List<String>>> grids = new LinkedHashMap<>();
    for (String m : methods) {
      params.put(m, new LinkedHashMap<>());
      grids.put(m, new LinkedHashMap<>());
    }
    for (String key : in.keys()) {
      boolean fixed = key.startsWith("params.");
      if (!fixed && !(key.startsWith("tune.") && key.split("\\.").length == 3)) {
        continue;
      }
      String text = in.raw(key);
      String[] parts = key.split("\\.", 3);
      if (parts.length != 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
        throw in.error(key, "expected " + (fixed ? "params" : "tune") + ".METHOD.PARAM");
      }
      String method = parts[1];
      if (!methods.contains(method)) {
        throw in.error(key, "method '" + method + "' is not in methods " + methods);
      }
      Params estimator = catalog.estimator(method);
      if (estimator == null) {
        throw in.error(key, "method '" + method + "' takes no params (it runs with its defaults)");
      }
      List<String> values = fixed ? List.of(text.trim()) : in.list(key, List.of());
      if (values.isEmpty()) {
        throw in.error(key, "needs at least one value");
      }
      for (String v : values) {
        EstimatorParams.set(estimator, parts[2], v, key);
      }
      if (fixed) {
        params.get(method).put(parts[2], values.get(0));
      } else {
        grids.get(method).put(parts[2], values);
      }
    }
    for (String m : methods) {
      for (String p : grids.get(m).keySet()) {
        if (params.get(m).containsKey(p)) {
          throw in.error("tune." + m + "." + p, "is also fixed by params." + m + "." + p);
        }
      }
    }
    return grids;
  }

  /** {@code tune.*}: every tuned method gets the same budget of grid points. */
  private Sections.Tuning readTuning(Map<String, Map<String, List<String>>> grids) {
    Integer budgetKey = in.optionalInteger("tune.budget", 1);
    Sections.Tuning sizes = new Sections.Tuning(grids, 0, budgetKey, "acc", null);
    int budget = -1;
    String first = null;
    for (String m : methods) {
      int size = sizes.gridSize(m);
      if (!sizes.tunes(m)) {
        continue;
      }
      if (budgetKey != null) {
        if (size < budgetKey) {
          throw in.error("tune." + m, "has " + size + " grid points, fewer than tune.budget = "
              + budgetKey + ": give every tuned method the same budget");
        }
        budget = budgetKey;
        continue;
      }
      if (budget >= 0 && size != budget) {
        throw in.error("tune." + m, "has " + size + " grid points, tune." + first + " has "
            + budget + ": give every tuned method the same budget (or set tune.budget)");
      }
      budget = size;
      first = m;
    }
    long seed = in.longValue("tune.seed", 0);
    if (seed >= 1 && seed <= seeds && budget > 0) {
      throw in.error("tune.seed", "must not be a reported seed (1.." + seeds + ")");
    }
    String metric = in.choices("tune.metric", List.of("acc"), List.of("acc", "nmi", "ari"))
        .get(0);
    return new Sections.Tuning(grids, seed, budgetKey, metric,
        in.optionalInteger("tune.sample", 2));
  }

  /** {@code semi.*}: Table 5; its datasets not in {@code datasets} are added. */
  private Sections.Semi readSemi() {
    List<String> semiDatasets = in.list("semi.datasets", clusteringDatasets);
    List<String> semiDefault = methods.stream().filter(m -> !m.equals(Methods.KMEANS)).toList();
    Sections.Semi s = new Sections.Semi(semiDatasets, in.choices("semi.methods", semiDefault,
        methods), in.unitValues("semi.fractions", new double[] {0.1, 0.05, 0.01}, false),
        in.integer("semi.seeds", seeds, 1));
    if (outputs.contains("table5")) {
      if (s.datasets().isEmpty()) {
        throw in.error("semi.datasets", "is required by table5");
      }
      if (s.methods().contains(Methods.KMEANS)) {
        throw in.error("semi.methods", "K-means has no semi-supervised mode");
      }
      if (s.methods().isEmpty()) {
        throw in.error("semi.methods", "is required by table5");
      }
      for (String d : s.datasets()) {
        addDataset(d);
      }
    }
    return s;
  }

  /** {@code figure2.*}: its datasets not yet listed are added. */
  private Sections.Figure2 readFigure2(Methods.Catalog catalog) {
    String train = in.string("figure2.train", null);
    String test = in.string("figure2.test", null);
    double[] etas = in.unitValues("figure2.etas",
        new double[] {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, true);
    int figureSeeds = in.integer("figure2.seeds", seeds, 1);
    boolean wanted = outputs.contains("figure2");
    if (wanted) {
      if (train == null || test == null) {
        throw in.error(train == null ? "figure2.train" : "figure2.test", "is required by"
            + " figure2");
      }
      for (String m : Methods.FIGURE2_METHODS) {
        try {
          catalog.estimator(m);
        } catch (IllegalArgumentException e) {
          throw in.error("outputs", "figure2 needs the estimator's method " + m + ", which this"
              + " build lacks");
        }
      }
      addDataset(train);
      addDataset(test);
    }
    Map<String, String> figureParams = new LinkedHashMap<>();
    for (String key : in.keys()) {
      if (key.startsWith("figure2.param.")) {
        String value = in.raw(key);
        String param = key.substring("figure2.param.".length());
        if (wanted) {
          for (String m : Methods.FIGURE2_METHODS) {
            EstimatorParams.set(catalog.estimator(m), param, value, key);
          }
        }
        figureParams.put(param, value.trim());
      }
    }
    return new Sections.Figure2(train, test, etas, figureSeeds, figureParams);
  }

  private void addDataset(String name) {
    if (datasets.stream().noneMatch(x -> x.name().equals(name))) {
      datasets.add(dataset(name));
    }
  }

  private DatasetSpec dataset(String name) {
    String prefix = "dataset." + name + ".";
    String path = in.has(prefix + "path") ? in.string(prefix + "path", null) : null;
    String format = in.string(prefix + "format", "auto").toLowerCase(Locale.ROOT);
    String labelCol = in.string(prefix + "label-col", "label");
    String featuresCol = in.string(prefix + "features-col", "features");
    if (path == null) {
      for (String k : List.of("format", "label-col", "features-col")) {
        if (in.has(prefix + k)) {
          throw in.error(prefix + k, "applies only with " + prefix + "path");
        }
      }
    }
    Integer sample = in.optionalInteger(prefix + "sample", 2);
    Integer k = in.optionalInteger(prefix + "k", 2);
    PcaFeatures.Spec features;
    try {
      features = PcaFeatures.parse(in.string(prefix + "features", "raw"));
    } catch (IllegalArgumentException e) {
      throw in.error(prefix + "features", e.getMessage());
    }
    return new DatasetSpec(name, path, format, labelCol, featuresCol, sample, k, features);
  }
}
