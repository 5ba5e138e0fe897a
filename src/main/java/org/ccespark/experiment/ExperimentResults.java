package org.ccespark.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ccespark.report.RunRecord;

/**
 * Everything the runs of an experiment produced, typed, for {@link OutputWriter}: every fit's
 * record and details, the chosen params, and the first reported fit and the loss curves per
 * dataset and method.
 */
public final class ExperimentResults {
  private final List<RunRecord> records = new ArrayList<>();
  private final List<RunDetails> details = new ArrayList<>();
  private final Map<String, Map<String, String>> chosen = new LinkedHashMap<>();
  private final Map<String, ClusteringFit> firstFits = new LinkedHashMap<>();
  private final Map<String, List<double[]>> losses = new LinkedHashMap<>();

  /** The key of a dataset and method in {@link #chosen()}: {@code dataset/method}. */
  static String key(String dataset, String method) {
    return dataset + "/" + method;
  }

  /** Adds a fit of any phase. */
  void add(ClusteringFit fit) {
    records.add(fit.record());
    details.add(fit.details());
  }

  /** Adds a reported fit: also its figures' data (the first fit, the loss curve). */
  void addReported(String dataset, String method, ClusteringFit fit) {
    add(fit);
    firstFits.putIfAbsent(key(dataset, method), fit);
    if (fit.lossPerEpoch() != null) {
      losses.computeIfAbsent(key(dataset, method), x -> new ArrayList<>()).add(fit.lossPerEpoch());
    }
  }

  /** Adds a record without details (a tuning point that failed). */
  void addRecord(RunRecord record) {
    records.add(record);
  }

  /** Adds a Figure 2 fit. */
  void add(RunRecord record, RunDetails.NoisyLabels noisy) {
    records.add(record);
    details.add(noisy);
  }

  void choose(String dataset, String method, Map<String, String> params) {
    chosen.put(key(dataset, method), params);
  }

  /** @return every record, in run order (runs.csv) */
  public List<RunRecord> records() {
    return records;
  }

  /** @return every fit's details, in run order (runs.json) */
  public List<RunDetails> details() {
    return details;
  }

  /** @return the params chosen per {@code dataset/method} (chosen.json) */
  public Map<String, Map<String, String>> chosen() {
    return chosen;
  }

  /** @return the first reported fit (seed 1) per {@code dataset/method} */
  public Map<String, ClusteringFit> firstFits() {
    return firstFits;
  }

  /** @return the loss curves of the reported fits per {@code dataset/method} */
  public Map<String, List<double[]>> losses() {
    return losses;
  }
}
