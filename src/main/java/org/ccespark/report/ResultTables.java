package org.ccespark.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.ccespark.selflabel.Method;

/**
 * The paper's result tables built from {@link RunRecord}s: each as a wide Markdown layout (the
 * paper's) and a long CSV ({@code dataset,method,metric,mean,std,n}, one line per cell) that
 * notebooks and scripts read. Means and standard deviations are over seeds ({@link Stats}).
 */
public final class ResultTables {
  private ResultTables() {}

  /** The metrics of Table 2. */
  public static final List<String> CLUSTERING_METRICS = List.of("acc", "nmi", "ari");

  /** Columns of the long CSV of Tables 2 and 6. */
  public static final List<String> LONG_COLUMNS = List.of("dataset", "method", "metric", "mean",
      "std", "n");

  /** Columns of the long CSV of Table 5. */
  public static final List<String> SEMI_COLUMNS = List.of("fraction", "dataset", "method",
      "metric", "mean", "std", "n");

  /**
   * Table 5's "Only seeds" row: the classifier trained supervised (Shannon cross-entropy) on the
   * seed-labelled rows alone, scored like the semi-supervised methods.
   */
  public static final String ONLY_SEEDS = "only-seeds";

  /** The name of MLlib K-means in run records. */
  public static final String KMEANS = "kmeans";

  /**
   * Display names of methods: each clustering {@link Method}'s {@link Method#title()}, then
   * {@value #KMEANS} and {@link #ONLY_SEEDS}; others are shown as given.
   */
  public static final Map<String, String> METHOD_NAMES = methodNames();

  private static Map<String, String> methodNames() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Method m : Method.clusteringMethods()) {
      out.put(m.id(), m.title());
    }
    out.put(KMEANS, "K-means (MLlib)");
    out.put(ONLY_SEEDS, "Only seeds");
    return java.util.Collections.unmodifiableMap(out);
  }

  static String display(String method) {
    return METHOD_NAMES.getOrDefault(method, method);
  }

  private static double[] values(List<RunRecord> runs, Predicate<RunRecord> which, String metric) {
    return runs.stream().filter(which).mapToDouble(r -> r.metric(metric)).toArray();
  }

  private static String cell(double[] v) {
    return v.length == 0 ? "–" : Stats.meanStd(v);
  }

  private static List<String> longRow(List<String> prefix, String metric, double[] v) {
    List<String> row = new ArrayList<>(prefix);
    row.add(metric);
    row.add(v.length == 0 ? "NaN" : Double.toString(Stats.mean(v)));
    row.add(v.length == 0 ? "NaN" : Double.toString(Stats.std(v)));
    row.add(Integer.toString(v.length));
    return row;
  }

  /**
   * Table 2: one row per method, for each dataset its ACC, NMI and ARI as mean ± std over the
   * {@code main} runs.
   */
  public static Table table2Markdown(List<RunRecord> runs, List<String> datasets,
      List<String> methods) {
    List<String> header = new ArrayList<>(List.of("method"));
    for (String d : datasets) {
      for (String m : CLUSTERING_METRICS) {
        header.add(d + " " + m.toUpperCase(Locale.ROOT));
      }
    }
    Table.Builder b = new Table.Builder(header);
    for (String method : methods) {
      List<String> row = new ArrayList<>(List.of(display(method)));
      for (String d : datasets) {
        for (String m : CLUSTERING_METRICS) {
          row.add(cell(values(runs, main(d, method), m)));
        }
      }
      b.add(row);
    }
    return b.build();
  }

  /** Table 2 (or 6) as the long CSV: one line per dataset, method and metric. */
  public static Table clusteringLong(List<RunRecord> runs, List<String> datasets,
      List<String> methods) {
    Table.Builder b = new Table.Builder(LONG_COLUMNS);
    for (String d : datasets) {
      for (String method : methods) {
        for (String m : CLUSTERING_METRICS) {
          b.add(longRow(List.of(d, method), m, values(runs, main(d, method), m)));
        }
      }
    }
    return b.build();
  }

  /** Table 6: eq. 10 by PGD ({@code cce-pgd}) against eq. 11 by EM ({@code cce}), ACC per dataset. */
  public static Table table6Markdown(List<RunRecord> runs, List<String> datasets) {
    List<String> header = new ArrayList<>(List.of("loss"));
    header.addAll(datasets);
    Table.Builder b = new Table.Builder(header);
    for (String[] m : new String[][] {{Method.CCE_PGD.id(), "(a) L_CCE, eq. 10 (PGD)"},
        {Method.CCE.id(), "(b) L_CCE+, eq. 11 (EM)"}}) {
      List<String> row = new ArrayList<>(List.of(m[1]));
      for (String d : datasets) {
        row.add(cell(values(runs, main(d, m[0]), "acc")));
      }
      b.add(row);
    }
    return b.build();
  }

  /**
   * Table 5: one row per method, one column per label fraction and dataset: the accuracy on the
   * unlabelled rows of the {@code semi} runs, mean ± std over seeds. Methods are shown as the
   * paper does, "+ NAME" (added to the seeds' cross-entropy), except {@link #ONLY_SEEDS}.
   */
  public static Table table5Markdown(List<RunRecord> runs, double[] fractions,
      List<String> datasets, List<String> methods) {
    List<String> header = new ArrayList<>(List.of("method"));
    for (double f : fractions) {
      for (String d : datasets) {
        header.add(fraction(f) + " " + d);
      }
    }
    Table.Builder b = new Table.Builder(header);
    for (String method : methods) {
      List<String> row = new ArrayList<>(List.of((method.equals(ONLY_SEEDS) ? "" : "+ ")
          + display(method)));
      for (double f : fractions) {
        for (String d : datasets) {
          row.add(cell(values(runs, semi(d, method, f), "accuracy")));
        }
      }
      b.add(row);
    }
    return b.build();
  }

  /** Table 5 as the long CSV: accuracy, acc, nmi, ari per fraction, dataset and method. */
  public static Table table5Long(List<RunRecord> runs, double[] fractions, List<String> datasets,
      List<String> methods) {
    Table.Builder b = new Table.Builder(SEMI_COLUMNS);
    for (double f : fractions) {
      for (String d : datasets) {
        for (String method : methods) {
          for (String m : List.of("accuracy", "acc", "nmi", "ari")) {
            b.add(longRow(List.of(fraction(f), d, method), m, values(runs, semi(d, method, f), m)));
          }
        }
      }
    }
    return b.build();
  }

  /** Figure 2's table: one row per eta, test accuracy per loss (mean ± std over seeds). */
  public static Table figure2Table(List<RunRecord> runs, double[] etas) {
    Table.Builder b = new Table.Builder(List.of("eta", "collision CE (eq. 9)",
        "Shannon CE (eq. 8)"));
    for (double eta : etas) {
      b.add(List.of(fraction(eta), cell(values(runs, figure2(Method.SUPERVISED_COLLISION.id(), eta),
          "accuracy")), cell(values(runs, figure2(Method.SUPERVISED_SHANNON.id(), eta),
          "accuracy"))));
    }
    return b.build();
  }

  /** Figure 2 as a long CSV: {@code eta,method,metric,mean,std,n} with metric = test accuracy. */
  public static Table figure2Long(List<RunRecord> runs, double[] etas) {
    Table.Builder b = new Table.Builder(List.of("eta", "method", "metric", "mean", "std", "n"));
    for (double eta : etas) {
      for (String m : List.of(Method.SUPERVISED_COLLISION.id(), Method.SUPERVISED_SHANNON.id())) {
        b.add(longRow(List.of(fraction(eta), m), "accuracy", values(runs, figure2(m, eta),
            "accuracy")));
      }
    }
    return b.build();
  }

  /** Figure 2's curves: mean test accuracy against eta, collision then Shannon. */
  public static List<Charts.Series> figure2Series(List<RunRecord> runs, double[] etas) {
    List<Charts.Series> out = new ArrayList<>();
    for (String[] m : new String[][] {{Method.SUPERVISED_COLLISION.id(), "collision CE H2"},
        {Method.SUPERVISED_SHANNON.id(), "Shannon CE H"}}) {
      double[] y = new double[etas.length];
      for (int i = 0; i < etas.length; i++) {
        double[] v = values(runs, figure2(m[0], etas[i]), "accuracy");
        y[i] = v.length == 0 ? Double.NaN : Stats.mean(v);
      }
      out.add(new Charts.Series(m[1], etas.clone(), y));
    }
    return out;
  }

  private static Predicate<RunRecord> figure2(String method, double eta) {
    return r -> r.phase().equals("figure2") && r.method().equals(method)
        && Math.abs(r.fraction() - eta) < 1e-12;
  }

  /** The tuning runs: one row per dataset, method and grid point, the chosen one marked. */
  public static Table tuningTable(List<RunRecord> runs, Map<String, String> chosen,
      String metric) {
    Table.Builder b = new Table.Builder(List.of("dataset", "method", "params", metric,
        "chosen"));
    for (RunRecord r : runs) {
      if (r.phase().equals("tune")) {
        boolean isChosen = r.params().equals(chosen.get(r.dataset() + "/" + r.method()));
        double score = r.metric(metric);
        b.add(List.of(r.dataset(), r.method(), r.params(), Double.isNaN(score)
            ? "failed (loss not finite)" : String.format("%.4f", score), isChosen ? "yes" : ""));
      }
    }
    return b.build();
  }

  /** Distinct values in first-seen order. */
  public static List<String> distinct(List<RunRecord> runs, java.util.function.Function<RunRecord,
      String> key) {
    return List.copyOf(new LinkedHashSet<>(runs.stream().map(key).toList()));
  }

  static String fraction(double f) {
    return Double.toString(f);
  }

  private static Predicate<RunRecord> main(String dataset, String method) {
    return r -> r.phase().equals("main") && r.dataset().equals(dataset)
        && r.method().equals(method);
  }

  private static Predicate<RunRecord> semi(String dataset, String method, double fraction) {
    return r -> r.phase().equals("semi") && r.dataset().equals(dataset)
        && r.method().equals(method) && Math.abs(r.fraction() - fraction) < 1e-12;
  }
}
