package org.ccespark.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code runs.json}: a fit with what {@code runs.csv} leaves out. Serialised with
 * Jackson; the field names are the file format documented in docs/experiments.md.
 */
public sealed interface RunDetails {

  /**
   * A clustering fit (phases {@code tune}, {@code main}, {@code semi}).
   *
   * @param accuracy plain accuracy on the unlabelled rows (semi-supervised runs), else null
   * @param clusterSizes rows per cluster
   * @param confusion the contingency table, true labels × clusters
   * @param training what the method reports about its training, as fields of this entry
   * @param restartScores with restarts, every restart's scores in restart order (the kept one's
   *     are {@code acc}, {@code nmi}, {@code ari}); null for one fit
   * @param params every param of the estimator with its value, by name
   */
  @JsonPropertyOrder({"phase", "dataset", "method", "seed", "fraction", "acc", "nmi", "ari",
      "accuracy", "fitSeconds", "rows", "clusterSizes", "confusion", "training", "restartScores",
      "params"})
  record Clustering(String phase, String dataset, String method, long seed, double fraction,
      double acc, double nmi, double ari, @JsonInclude(JsonInclude.Include.ALWAYS) Double accuracy,
      double fitSeconds, long rows, long[] clusterSizes, long[][] confusion,
      @JsonUnwrapped Training training,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Scored> restartScores,
      Map<String, Object> params) implements RunDetails {}

  /** One restart's scores against the labels. */
  @JsonPropertyOrder({"acc", "nmi", "ari"})
  record Scored(double acc, double nmi, double ari) {}

  /** A Figure 2 fit: supervised training on noisy soft targets, scored on the test rows. */
  @JsonPropertyOrder({"phase", "dataset", "method", "seed", "eta", "testAccuracy", "fitSeconds"})
  record NoisyLabels(String phase, String dataset, String method, long seed, double eta,
      double testAccuracy, double fitSeconds) implements RunDetails {}

  /** What a method reports about its training. */
  sealed interface Training {}

  /**
   * The clustering estimator's training.
   *
   * @param restartLosses every restart's final loss, or null for one fit
   * @param chosenRestart the restart kept, or null for one fit
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"lossPerEpoch", "emIterationsPerEpoch", "trainingSeconds", "restartLosses",
      "chosenRestart"})
  record EstimatorTraining(double[] lossPerEpoch, double[] emIterationsPerEpoch,
      double trainingSeconds, double[] restartLosses, Integer chosenRestart)
      implements Training {}

  /**
   * MLlib K-means' training.
   *
   * @param restartCosts every restart's cost, or null for one fit
   * @param chosenRestart the restart kept, or null for one fit
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"iterations", "trainingCost", "restartCosts", "chosenRestart"})
  record KMeansTraining(int iterations, double trainingCost, double[] restartCosts,
      Integer chosenRestart) implements Training {}

  /** Table 5's "only seeds" classifier: its loss per epoch and the seed-labelled rows. */
  @JsonPropertyOrder({"lossPerEpoch", "trainedRows"})
  record SeedsOnlyTraining(double[] lossPerEpoch, long trainedRows) implements Training {}
}
