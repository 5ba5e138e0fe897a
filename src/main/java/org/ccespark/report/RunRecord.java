package org.ccespark.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The scores of one fit of an experiment: one line of {@code runs.csv}, from which every table can
 * be rebuilt ({@link ResultTables}).
 *
 * @param phase {@code tune} (a grid point on the tuning seed), {@code main} (a reported clustering
 *     run) or {@code semi} (a semi-supervised run)
 * @param dataset the dataset's name
 * @param method the method
 * @param seed the seed
 * @param fraction the fraction of labelled rows ({@code semi}), eta ({@code figure2}), else 0
 * @param params the params set on the estimator, as {@code name=value;name=value}
 * @param acc ACC (Hungarian-matched accuracy) on all rows
 * @param nmi NMI on all rows
 * @param ari ARI on all rows
 * @param accuracy plain accuracy (prediction = label) on the unlabelled rows ({@code semi}) or
 *     on the test rows ({@code figure2}), else NaN
 * @param fitSeconds seconds of the fit
 * @param rows rows clustered
 */
public record RunRecord(String phase, String dataset, String method, long seed, double fraction,
    String params, double acc, double nmi, double ari, double accuracy, double fitSeconds,
    long rows) {

  /** The columns of {@code runs.csv}. */
  public static final List<String> COLUMNS = List.of("phase", "dataset", "method", "seed",
      "fraction", "params", "acc", "nmi", "ari", "accuracy", "fitSeconds", "rows");

  /** The value of a metric by name: acc, nmi, ari or accuracy. */
  public double metric(String name) {
    return switch (name) {
      case "acc" -> acc;
      case "nmi" -> nmi;
      case "ari" -> ari;
      case "accuracy" -> accuracy;
      default -> throw new IllegalArgumentException("unknown metric '" + name + "'");
    };
  }

  /** The records as the table of {@code runs.csv}. */
  public static Table toTable(List<RunRecord> runs) {
    Table.Builder b = new Table.Builder(COLUMNS);
    for (RunRecord r : runs) {
      b.add(List.of(r.phase, r.dataset, r.method, Long.toString(r.seed),
          Double.toString(r.fraction), r.params, Double.toString(r.acc), Double.toString(r.nmi),
          Double.toString(r.ari), Double.toString(r.accuracy), Double.toString(r.fitSeconds),
          Long.toString(r.rows)));
    }
    return b.build();
  }

  /**
   * Reads the records back from the table of {@code runs.csv}.
   *
   * @throws IllegalArgumentException naming the record and column of a missing column or bad number
   */
  public static List<RunRecord> fromTable(Table t) {
    for (String c : COLUMNS) {
      if (!t.header().contains(c)) {
        throw new IllegalArgumentException("runs table: no column '" + c + "'");
      }
    }
    List<RunRecord> out = new ArrayList<>();
    for (int i = 0; i < t.rows().size(); i++) {
      try {
        out.add(new RunRecord(t.cell(i, "phase"), t.cell(i, "dataset"), t.cell(i, "method"),
            Long.parseLong(t.cell(i, "seed")), Double.parseDouble(t.cell(i, "fraction")),
            t.cell(i, "params"), Double.parseDouble(t.cell(i, "acc")),
            Double.parseDouble(t.cell(i, "nmi")), Double.parseDouble(t.cell(i, "ari")),
            Double.parseDouble(t.cell(i, "accuracy")), Double.parseDouble(t.cell(i, "fitSeconds")),
            Long.parseLong(t.cell(i, "rows"))));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("runs table: record " + (i + 1) + ": " + e.getMessage());
      }
    }
    return out;
  }
}
