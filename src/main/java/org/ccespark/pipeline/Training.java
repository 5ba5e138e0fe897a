package org.ccespark.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What a method reports about its training, as its metrics file holds it: for CCE and its baseline
 * methods the loss and EM iterations per epoch; for K-means its iterations and cost; with restarts,
 * each restart's final loss or cost and the one kept. Absent values are left out of the JSON.
 *
 * @param lossPerEpoch CCE: the training loss after each epoch
 * @param emIterationsPerEpoch CCE: the mean pseudo-label solver iterations of each epoch
 * @param trainingSeconds CCE: seconds of the training loop
 * @param restartLosses CCE with restarts: each restart's final full-data loss
 * @param iterations K-means: iterations of the kept model
 * @param trainingCost K-means: the kept model's sum of squared distances
 * @param restartCosts K-means with restarts: each restart's cost
 * @param chosenRestart with restarts: the 0-based index of the kept restart
 * @param trainedRows when the model was trained on some rows only (the seeds): their number
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"lossPerEpoch", "emIterationsPerEpoch", "trainingSeconds", "restartLosses",
    "iterations", "trainingCost", "restartCosts", "chosenRestart", "trainedRows"})
public record Training(double[] lossPerEpoch, double[] emIterationsPerEpoch,
    Double trainingSeconds, double[] restartLosses, Integer iterations, Double trainingCost,
    double[] restartCosts, Integer chosenRestart, Integer trainedRows) {

  /** CCE's report: loss and solver iterations per epoch, and seconds. */
  public static Training cce(double[] lossPerEpoch, double[] emIterationsPerEpoch,
      double seconds) {
    return new Training(lossPerEpoch, emIterationsPerEpoch, seconds, null, null, null, null,
        null, null);
  }

  /** K-means' report: iterations and cost of the kept model. */
  public static Training kmeans(int iterations, double cost) {
    return new Training(null, null, null, null, iterations, cost, null, null, null);
  }

  /** This report with the restarts' final losses (CCE) and the kept one. */
  public Training withRestartLosses(double[] losses, int chosen) {
    return new Training(lossPerEpoch, emIterationsPerEpoch, trainingSeconds, losses, iterations,
        trainingCost, restartCosts, chosen, trainedRows);
  }

  /** This report with the restarts' costs (K-means) and the kept one. */
  public Training withRestartCosts(double[] costs, int chosen) {
    return new Training(lossPerEpoch, emIterationsPerEpoch, trainingSeconds, restartLosses,
        iterations, trainingCost, costs, chosen, trainedRows);
  }

  /** The loss per epoch of a model trained on some rows only, and their number. */
  public static Training onRows(double[] lossPerEpoch, int rows) {
    return new Training(lossPerEpoch, null, null, null, null, null, null, null, rows);
  }
}
