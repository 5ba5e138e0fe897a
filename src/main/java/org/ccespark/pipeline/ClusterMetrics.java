package org.ccespark.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Map;

/**
 * The {@code metrics.json} of one clustering of a feature file ({@code cce cluster}).
 *
 * @param command {@code cluster}
 * @param method the method that ran
 * @param k the number of clusters
 * @param rows rows clustered
 * @param skippedRows invalid rows left out ({@code --on-invalid skip})
 * @param scores ACC, NMI and ARI over the rows with a label; null without labels
 * @param nullLabelRows rows left out of the scores for a null label; null without labels
 * @param seedLabels the seed labels of the semi-supervised mode, or null
 * @param unlabelled the scores of the rows without a seed label, or null
 * @param clusterSizes rows per cluster
 * @param training what the method reports about its training
 * @param seconds the fit's and the whole run's wall-clock seconds
 * @param input what was read
 * @param params every param of the estimator with its value
 * @param spark the Spark that ran it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterMetrics(String command, String method, int k, long rows, long skippedRows,
    @JsonUnwrapped Scores scores, Long nullLabelRows, SeedLabels seedLabels,
    Unlabelled unlabelled, long[] clusterSizes, @JsonUnwrapped Training training,
    Seconds seconds, Input input, Map<String, Object> params, SparkInfo spark) {

  /**
   * The seed labels of the semi-supervised mode.
   *
   * @param column the input's column of seed labels
   * @param rows rows with a seed label
   * @param weight the weight of the seeds' cross-entropy
   */
  public record SeedLabels(String column, long rows, Object weight) {}

  /**
   * The scores of the rows without a seed label, where their true label is known.
   *
   * @param rows rows without a seed label
   * @param scores ACC, NMI, ARI over those with a true label; null if none has one
   * @param nullLabelRows of those rows, the ones without a true label; null if none has one
   * @param accuracy the fraction whose prediction equals their label; null if none has one
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Unlabelled(long rows, @JsonUnwrapped Scores scores, Long nullLabelRows,
      Double accuracy) {}

  /**
   * Wall-clock seconds.
   *
   * @param fit of the estimator's fit
   * @param total of the whole run
   */
  public record Seconds(double fit, double total) {}

  /**
   * What was read.
   *
   * @param path the input as given
   * @param format the format read
   * @param rows rows read
   * @param features features per row
   * @param featuresCol the features column
   * @param labelCol the column of true labels, or null
   * @param keepCols the columns carried into the predictions
   * @param partitions the partitions asked for, or null for as read
   */
  public record Input(String path, String format, long rows, int features, String featuresCol,
      String labelCol, List<String> keepCols, Integer partitions) {}
}
