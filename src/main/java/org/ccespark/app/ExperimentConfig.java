package org.ccespark.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.PcaFeatures;

/**
 * The configuration of one {@code experiment}: a Java properties file, every key documented in
 * {@link #KEYS} (and in docs/experiments.md), validated on load with errors naming the key. Nothing here
 * touches Spark or data; {@link ExperimentCommand} runs it.
 */
final class ExperimentConfig {
  /** Outputs an experiment can produce, in the order they are made. */
  static final List<String> OUTPUTS = List.of("table2", "table6", "table5", "table1", "figure1",
      "figure2", "loss", "sizes", "confusion");

  /** Outputs that need the clustering runs of {@code datasets} × {@code methods} × seeds. */
  static final Set<String> CLUSTERING_OUTPUTS = Set.of("table2", "table6", "loss", "sizes",
      "confusion");

  /** Documentation of every key: the key (with NAME/METHOD/PARAM placeholders), default, meaning. */
  static final List<String[]> KEYS = List.of(
      new String[] {"title", "the file name", "title of the tables and figures"},
      new String[] {"outputs", "table2,figure1,loss,sizes,confusion", "what to produce, among "
          + String.join(", ", OUTPUTS)},
      new String[] {"datasets", "none", "datasets to cluster, comma-separated: names of the"
          + " dataset catalog (demo, mnist10k, fashion-mnist, fashion-mnist-test: pixel features in"
          + " [0,1]; DatasetCatalog says how to get each), or any NAME described by dataset.NAME.path; required by"
          + " table2, table6, loss, sizes, confusion"},
      new String[] {"dataset.NAME.path", "none", "read NAME from this feature file (Parquet, CSV,"
          + " LibSVM; as cluster --input) instead of the catalog"},
      new String[] {"dataset.NAME.format", "auto", "format of dataset.NAME.path: auto, parquet,"
          + " csv, libsvm"},
      new String[] {"dataset.NAME.label-col", "label", "label column of dataset.NAME.path"},
      new String[] {"dataset.NAME.features-col", "features", "features column of"
          + " dataset.NAME.path (Parquet)"},
      new String[] {"dataset.NAME.sample", "all rows", "cluster a random sample of this many rows"
          + " of NAME (seed 42: the same rows for every method, seed and run)"},
      new String[] {"dataset.NAME.k", "number of distinct labels", "number of clusters for NAME"},
      new String[] {"dataset.NAME.features", "raw", "features of NAME: raw (as read: pixels in"
          + " [0,1] for the catalog), or pca:D, the projection on the first D principal components"
          + " (MLlib PCA fitted on NAME's own rows, after dataset.NAME.sample, labels unused),"
          + " centred; pca:D:whiten scales every component to unit variance, pca:D:l2 every row to"
          + " unit length"},
      new String[] {"methods", "cce,kmeans", "methods, comma-separated, among those the build"
          + " provides (cce, kmeans, and the estimator's other values of its method param)"},
      new String[] {"seeds", "6", "reported seeds are 1..N"},
      new String[] {"restarts", "1", "fits per reported run, the same for every method: CCE and"
          + " the other self-labeling methods keep the one of lowest final loss (numRestarts),"
          + " K-means the one of lowest cost (seeds seed..seed+N-1); tuning fits use 1"},
      new String[] {"params.METHOD.PARAM", "the estimator's default", "a fixed value of an"
          + " estimator param (Spark ML name, e.g. params.cce.lambda=100, params.cce.maxIter=10);"
          + " K-means takes none (MLlib defaults with k and the seed)"},
      new String[] {"tune.METHOD.PARAM", "none", "comma-separated grid of values of PARAM for"
          + " METHOD; the grid of METHOD is the product over its PARAMs, tuned as described under"
          + " tune.seed; every tuned method must have a grid of the same size (the same budget),"
          + " unless tune.budget is set"},
      new String[] {"tune.budget", "the grid size", "number of grid points every tuned method"
          + " is fitted at: a method whose grid is larger is tuned on this many of its points,"
          + " drawn at random (seeded by tune.seed and the method) and fitted in grid order; a"
          + " smaller grid is an error"},
      new String[] {"tune.seed", "0", "seed of the tuning runs: every grid point is fitted once"
          + " with this seed, which must not be a reported seed"},
      new String[] {"tune.metric", "acc", "criterion of the tuning: acc, nmi or ari of the tuning"
          + " run against the labels (the highest wins; ties go to the earlier grid point)"},
      new String[] {"tune.sample", "the dataset", "tune on a seeded random sample of this many"
          + " rows of each dataset (drawn with tune.seed), or on the whole dataset"},
      new String[] {"table1.k", "2,20,200", "table1 (EM vs PGD, bench em-vs-pgd): numbers of"
          + " classes"},
      new String[] {"table1.block", "250", "table1: points per block (M)"},
      new String[] {"table1.lambda", "100", "table1: fairness weight"},
      new String[] {"table1.tol", "1e-5", "table1: stopping tolerance on y"},
      new String[] {"table1.reps", "3", "table1: timed repetitions per solver"},
      new String[] {"table1.budget", "10", "table1: seconds of repetitions per solver"},
      new String[] {"semi.datasets", "datasets", "table5 (semi-supervised): datasets"},
      new String[] {"semi.methods", "methods other than kmeans", "table5: methods"},
      new String[] {"semi.fractions", "0.1,0.05,0.01", "table5: fractions of labelled rows (seed"
          + " labels, drawn per seed)"},
      new String[] {"semi.seeds", "seeds", "table5: seeds 1..N"},
      new String[] {"figure2.train", "none", "figure2 (noisy soft labels): the training dataset"
          + " (a NAME as in datasets)"},
      new String[] {"figure2.test", "none", "figure2: the test dataset"},
      new String[] {"figure2.etas", "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9", "figure2: noise"
          + " levels: a fraction eta of training labels is replaced by a random label and every"
          + " target is eta*u + (1-eta)*onehot(observed label)"},
      new String[] {"figure2.seeds", "seeds", "figure2: seeds 1..N (noise and initialisation)"},
      new String[] {"figure2.param.PARAM", "the estimator's default", "figure2: an estimator"
          + " param for both losses (supervised-collision and supervised-shannon), e.g."
          + " figure2.param.maxIter=10"});

  /** The two losses of Figure 2, as values of the estimator's method param. */
  static final List<String> FIGURE2_METHODS = List.of("supervised-collision",
      "supervised-shannon");

  /** A dataset of the experiment. */
  record DatasetSpec(String name, String path, String format, String labelCol, String featuresCol,
      Integer sample, Integer k, PcaFeatures.Spec features) {}

  final Path file;
  final String title;
  final List<String> outputs;
  /** Every dataset to load: those of {@code datasets}, then those only in {@code semi.datasets}. */
  final List<DatasetSpec> datasets;
  /** The names of the {@code datasets} key: the datasets of the clustering tables. */
  final List<String> clusteringDatasets;
  final List<String> methods;
  final int seeds;
  final int restarts;
  /** Fixed params per method: param name to its text. */
  final Map<String, Map<String, String>> params;
  /** Grid per method: param name to its values (as text), in file order. */
  final Map<String, Map<String, List<String>>> grids;
  final long tuneSeed;
  /** Grid points per tuned method, or null when every grid must have the same size. */
  final Integer tuneBudget;
  final String tuneMetric;
  final Integer tuneSample;
  final int[] table1K;
  final int table1Block;
  final double table1Lambda;
  final double table1Tol;
  final int table1Reps;
  final double table1Budget;
  final List<String> semiDatasets;
  final List<String> semiMethods;
  final double[] semiFractions;
  final int semiSeeds;
  final String figure2Train;
  final String figure2Test;
  final double[] figure2Etas;
  final int figure2Seeds;
  /** Params of both figure2 losses: param name to its text. */
  final Map<String, String> figure2Params = new LinkedHashMap<>();

  private final Properties props;
  private final Set<String> used = new LinkedHashSet<>();

  /**
   * Reads and checks a configuration file.
   *
   * @param methodCheck checks one method name and builds its estimator for param checks
   * @throws UsageException naming the file and key of anything not accepted
   */
  static ExperimentConfig load(Path file, MethodCatalog methodCheck) {
    Properties p = new Properties();
    if (!Files.isRegularFile(file)) {
      throw new UsageException("--config " + file + ": no such file");
    }
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new UsageException("--config " + file + ": cannot read it: " + e.getMessage());
    }
    return new ExperimentConfig(file, p, methodCheck);
  }

  /** The methods the runner knows and how to check their params. */
  interface MethodCatalog {
    /** The methods this build provides. */
    List<String> methods();

    /** An estimator of {@code method} whose params {@code params.METHOD.*} are set on, or null if it takes none. */
    Params estimator(String method);
  }

  private ExperimentConfig(Path file, Properties props, MethodCatalog catalog) {
    this.file = file;
    this.props = props;
    String name = file.getFileName().toString();
    title = string("title", name.replaceFirst("\\.properties$", ""));
    outputs = choices("outputs", List.of("table2", "figure1", "loss", "sizes", "confusion"),
        OUTPUTS);
    methods = choices("methods", List.of("cce", "kmeans"), catalog.methods());
    seeds = integer("seeds", 6, 1);
    restarts = integer("restarts", 1, 1);
    boolean clustering = outputs.stream().anyMatch(CLUSTERING_OUTPUTS::contains);
    List<String> datasetNames = list("datasets", List.of());
    if ((clustering || outputs.contains("table5")) && datasetNames.isEmpty()
        && !props.containsKey("semi.datasets")) {
      throw error("datasets", "is required by outputs " + outputs);
    }
    clusteringDatasets = List.copyOf(datasetNames);
    List<DatasetSpec> ds = new ArrayList<>();
    for (String d : datasetNames) {
      ds.add(dataset(d));
    }
    if (outputs.contains("table6") && !(methods.contains("cce") && methods.contains("cce-pgd"))) {
      throw error("outputs", "table6 compares methods cce-pgd and cce: add both to methods");
    }
    params = new LinkedHashMap<>();
    grids = new LinkedHashMap<>();
    for (String m : methods) {
      params.put(m, new LinkedHashMap<>());
      grids.put(m, new LinkedHashMap<>());
    }
    Map<String, String> sorted = new TreeMap<>();
    for (String key : props.stringPropertyNames()) {
      sorted.put(key, props.getProperty(key));
    }
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      String key = e.getKey();
      boolean fixed = key.startsWith("params.");
      if (!fixed && !(key.startsWith("tune.") && key.split("\\.").length == 3)) {
        continue;
      }
      used.add(key);
      String[] parts = key.split("\\.", 3);
      if (parts.length != 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
        throw error(key, "expected " + (fixed ? "params" : "tune") + ".METHOD.PARAM");
      }
      String method = parts[1];
      if (!methods.contains(method)) {
        throw error(key, "method '" + method + "' is not in methods " + methods);
      }
      Params estimator = catalog.estimator(method);
      if (estimator == null) {
        throw error(key, "method '" + method + "' takes no params (it runs with its defaults)");
      }
      List<String> values = fixed ? List.of(e.getValue().trim()) : list(key, List.of());
      if (values.isEmpty()) {
        throw error(key, "needs at least one value");
      }
      for (String v : values) {
        setParam(estimator, parts[2], v, key);
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
          throw error("tune." + m + "." + p, "is also fixed by params." + m + "." + p);
        }
      }
    }
    tuneBudget = props.containsKey("tune.budget") ? integer("tune.budget", 0, 1) : null;
    int budget = -1;
    String first = null;
    for (String m : methods) {
      int size = gridSize(m);
      if (grids.get(m).isEmpty()) {
        continue;
      }
      if (tuneBudget != null) {
        if (size < tuneBudget) {
          throw error("tune." + m, "has " + size + " grid points, fewer than tune.budget = "
              + tuneBudget + ": give every tuned method the same budget");
        }
        budget = tuneBudget;
        continue;
      }
      if (budget >= 0 && size != budget) {
        throw error("tune." + m, "has " + size + " grid points, tune." + first + " has " + budget
            + ": give every tuned method the same budget (or set tune.budget)");
      }
      budget = size;
      first = m;
    }
    tuneSeed = longValue("tune.seed", 0);
    if (tuneSeed >= 1 && tuneSeed <= seeds && budget > 0) {
      throw error("tune.seed", "must not be a reported seed (1.." + seeds + ")");
    }
    tuneMetric = choices("tune.metric", List.of("acc"), List.of("acc", "nmi", "ari")).get(0);
    tuneSample = props.containsKey("tune.sample") ? integer("tune.sample", 0, 2) : null;
    table1K = ints("table1.k", new int[] {2, 20, 200}, 2);
    table1Block = integer("table1.block", 250, 1);
    table1Lambda = number("table1.lambda", 100, 0);
    table1Tol = number("table1.tol", 1e-5, Double.MIN_VALUE);
    table1Reps = integer("table1.reps", 3, 1);
    table1Budget = number("table1.budget", 10, 0);
    semiDatasets = list("semi.datasets", datasetNames);
    List<String> semiDefault = methods.stream().filter(m -> !m.equals("kmeans")).toList();
    semiMethods = choices("semi.methods", semiDefault, methods);
    semiFractions = unitValues("semi.fractions", new double[] {0.1, 0.05, 0.01}, false);
    semiSeeds = integer("semi.seeds", seeds, 1);
    if (outputs.contains("table5")) {
      if (semiDatasets.isEmpty()) {
        throw error("semi.datasets", "is required by table5");
      }
      if (semiMethods.contains("kmeans")) {
        throw error("semi.methods", "K-means has no semi-supervised mode");
      }
      if (semiMethods.isEmpty()) {
        throw error("semi.methods", "is required by table5");
      }
      for (String d : semiDatasets) {
        if (!datasetNames.contains(d)) {
          ds.add(dataset(d));
          datasetNames = new ArrayList<>(datasetNames);
          datasetNames.add(d);
        }
      }
    }
    figure2Train = string("figure2.train", null);
    figure2Test = string("figure2.test", null);
    figure2Etas = unitValues("figure2.etas",
        new double[] {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, true);
    figure2Seeds = integer("figure2.seeds", seeds, 1);
    if (outputs.contains("figure2")) {
      if (figure2Train == null || figure2Test == null) {
        throw error(figure2Train == null ? "figure2.train" : "figure2.test", "is required by"
            + " figure2");
      }
      for (String m : FIGURE2_METHODS) {
        try {
          catalog.estimator(m);
        } catch (IllegalArgumentException e) {
          throw error("outputs", "figure2 needs the estimator's method " + m + ", which this"
              + " build lacks");
        }
      }
      for (String d : List.of(figure2Train, figure2Test)) {
        if (ds.stream().noneMatch(x -> x.name().equals(d))) {
          ds.add(dataset(d));
        }
      }
    }
    for (String key : new TreeMap<>(props).keySet().stream().map(String::valueOf).toList()) {
      if (key.startsWith("figure2.param.")) {
        used.add(key);
        String param = key.substring("figure2.param.".length());
        if (outputs.contains("figure2")) {
          for (String m : FIGURE2_METHODS) {
            setParam(catalog.estimator(m), param, props.getProperty(key), key);
          }
        }
        figure2Params.put(param, props.getProperty(key).trim());
      }
    }
    datasets = List.copyOf(ds);
    for (String key : props.stringPropertyNames()) {
      if (!used.contains(key)) {
        throw error(key, "unknown key (see '" + CommandLine.PROGRAM + " experiment --help')");
      }
    }
  }

  private DatasetSpec dataset(String name) {
    String prefix = "dataset." + name + ".";
    String path = props.containsKey(prefix + "path") ? string(prefix + "path", null) : null;
    String format = string(prefix + "format", "auto").toLowerCase(Locale.ROOT);
    String labelCol = string(prefix + "label-col", "label");
    String featuresCol = string(prefix + "features-col", "features");
    if (path == null) {
      for (String k : List.of("format", "label-col", "features-col")) {
        if (props.containsKey(prefix + k)) {
          throw error(prefix + k, "applies only with " + prefix + "path");
        }
      }
    }
    Integer sample = props.containsKey(prefix + "sample") ? integer(prefix + "sample", 0, 2) : null;
    Integer k = props.containsKey(prefix + "k") ? integer(prefix + "k", 0, 2) : null;
    PcaFeatures.Spec features;
    try {
      features = PcaFeatures.parse(string(prefix + "features", "raw"));
    } catch (IllegalArgumentException e) {
      throw error(prefix + "features", e.getMessage());
    }
    return new DatasetSpec(name, path, format, labelCol, featuresCol, sample, k, features);
  }

  /** Number of points of {@code method}'s full grid, the product of its lists (1 when it has none). */
  int gridSize(String method) {
    int size = 1;
    for (List<String> v : grids.get(method).values()) {
      size *= v.size();
    }
    return size;
  }

  /**
   * The grid points {@code method} is tuned at, in row-major order of its params: every point of
   * its grid, or {@link #tuneBudget} of them drawn at random (seeded by {@link #tuneSeed} and the
   * method's name) when its grid is larger.
   */
  List<Map<String, String>> grid(String method) {
    List<Map<String, String>> all = fullGrid(method);
    if (tuneBudget == null || all.size() <= tuneBudget) {
      return all;
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, new java.util.Random(tuneSeed * 1_000_003L
        + method.hashCode()));
    List<Map<String, String>> points = new ArrayList<>();
    for (int i : new java.util.TreeSet<>(order.subList(0, tuneBudget))) {
      points.add(all.get(i));
    }
    return points;
  }

  /** Every point of {@code method}'s grid, in row-major order of its params. */
  List<Map<String, String>> fullGrid(String method) {
    List<Map<String, String>> points = new ArrayList<>();
    points.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<String>> e : grids.get(method).entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> p : points) {
        for (String v : e.getValue()) {
          Map<String, String> q = new LinkedHashMap<>(p);
          q.put(e.getKey(), v);
          next.add(q);
        }
      }
      points = next;
    }
    return points;
  }

  /** Whether any method has a grid to tune. */
  boolean tunes() {
    return grids.values().stream().anyMatch(g -> !g.isEmpty());
  }

  /** The file's properties, sorted, for the output. */
  Map<String, String> asMap() {
    Map<String, String> out = new TreeMap<>();
    for (String key : props.stringPropertyNames()) {
      out.put(key, props.getProperty(key));
    }
    return out;
  }

  // --------------------------------------------------------------------------- typed values

  /**
   * Sets the param {@code name} of {@code stage} from its text.
   *
   * @throws UsageException naming {@code key} for an unknown param or a bad value
   */
  static void setParam(Params stage, String name, String raw, String key) {
    if (!stage.hasParam(name)) {
      throw new UsageException(key + ": " + stage.getClass().getSimpleName() + " has no param '"
          + name + "'");
    }
    @SuppressWarnings("unchecked")
    Param<Object> param = (Param<Object>) (Param<?>) stage.getParam(name);
    String text = raw.trim();
    Object value;
    try {
      if (param instanceof IntParam) {
        value = Integer.parseInt(text);
      } else if (param instanceof LongParam) {
        value = Long.parseLong(text);
      } else if (param instanceof DoubleParam) {
        value = Double.parseDouble(text);
      } else if (param instanceof BooleanParam) {
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
          throw new NumberFormatException();
        }
        value = Boolean.parseBoolean(text);
      } else {
        value = text;
      }
    } catch (NumberFormatException e) {
      throw new UsageException(key + ": '" + raw + "' is not a valid value of " + name + " ("
          + param.doc() + ")");
    }
    try {
      stage.set(param, value);
    } catch (IllegalArgumentException e) {
      throw new UsageException(key + ": invalid value '" + raw + "' for " + name + ": "
          + param.doc());
    }
  }

  private UsageException error(String key, String message) {
    return new UsageException(file + ": " + key + " " + message);
  }

  private String string(String key, String fallback) {
    used.add(key);
    String v = props.getProperty(key);
    if (v == null) {
      return fallback;
    }
    if (v.isBlank()) {
      throw error(key, "is empty");
    }
    return v.trim();
  }

  private List<String> list(String key, List<String> fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    List<String> out = new ArrayList<>();
    for (String s : v.split(",")) {
      if (s.isBlank()) {
        throw error(key, "has an empty entry in '" + v + "'");
      }
      if (out.contains(s.trim())) {
        throw error(key, "lists '" + s.trim() + "' twice");
      }
      out.add(s.trim());
    }
    return out;
  }

  private List<String> choices(String key, List<String> fallback, List<String> allowed) {
    List<String> out = new ArrayList<>();
    for (String v : list(key, fallback)) {
      String lower = v.toLowerCase(Locale.ROOT);
      if (!allowed.contains(lower)) {
        throw error(key, "has '" + v + "'; allowed: " + String.join(", ", allowed));
      }
      out.add(lower);
    }
    return out;
  }

  private int integer(String key, int fallback, int min) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    int x;
    try {
      x = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw error(key, "expects an integer, got '" + v + "'");
    }
    if (x < min) {
      throw error(key, "must be at least " + min + ", got " + x);
    }
    return x;
  }

  private long longValue(String key, long fallback) {
    String v = string(key, null);
    try {
      return v == null ? fallback : Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw error(key, "expects an integer, got '" + v + "'");
    }
  }

  private double number(String key, double fallback, double min) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    double x;
    try {
      x = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw error(key, "expects a number, got '" + v + "'");
    }
    if (!(x >= min) || Double.isInfinite(x)) {
      throw error(key, "must be a finite number of at least " + min + ", got " + v);
    }
    return x;
  }

  private int[] ints(String key, int[] fallback, int min) {
    List<String> v = list(key, null);
    if (v == null) {
      return fallback;
    }
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Integer.parseInt(v.get(i));
      } catch (NumberFormatException e) {
        throw error(key, "expects integers, got '" + v.get(i) + "'");
      }
      if (out[i] < min) {
        throw error(key, "values must be at least " + min + ", got " + out[i]);
      }
    }
    return out;
  }

  /**
   * A list of numbers in the unit interval: closed [0, 1] for noise levels, open (0, 1) for label
   * fractions; errors name the key.
   */
  private double[] unitValues(String key, double[] fallback, boolean closed) {
    List<String> v = list(key, null);
    if (v == null) {
      return fallback;
    }
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Double.parseDouble(v.get(i));
      } catch (NumberFormatException e) {
        throw error(key, "expects numbers, got '" + v.get(i) + "'");
      }
      boolean inside = closed ? out[i] >= 0 && out[i] <= 1 : out[i] > 0 && out[i] < 1;
      if (!inside) {
        throw error(key, "values must lie in " + (closed ? "[0, 1]" : "(0, 1)") + ", got "
            + v.get(i));
      }
    }
    return out;
  }
}
