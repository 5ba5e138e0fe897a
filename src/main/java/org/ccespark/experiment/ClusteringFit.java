package org.ccespark.experiment;

import java.util.List;
import org.ccespark.report.RunRecord;

/**
 * One scored clustering fit: its line of {@code runs.csv}, its entry of {@code runs.json}, and
 * what the figures draw.
 *
 * @param confusion the confusion matrix with clusters in matched order (the heat map's)
 * @param labelNames the distinct labels, sorted, as text (the heat map's rows)
 */
public record ClusteringFit(RunRecord record, RunDetails.Clustering details,
    long[][] confusion, List<String> labelNames) {

  /** @return rows per cluster */
  public long[] clusterSizes() {
    return details.clusterSizes();
  }

  /** @return the method's loss per epoch, or null if it reports none (K-means) */
  public double[] lossPerEpoch() {
    return details.training() instanceof RunDetails.EstimatorTraining t ? t.lossPerEpoch()
        : details.training() instanceof RunDetails.SeedsOnlyTraining s ? s.lossPerEpoch() : null;
  }
}
