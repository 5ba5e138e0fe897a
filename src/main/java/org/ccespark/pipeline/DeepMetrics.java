package org.ccespark.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ccespark.deep.DeepClusteringTrainer;

/**
 * The {@code metrics.json} of a deep clustering ({@code cce train-deep}).
 *
 * @param command {@code train-deep}
 * @param input the training images as given
 * @param images training images
 * @param network the network's description
 * @param imageShape the images' shape
 * @param featureDimension the backbone's features per image
 * @param k the number of clusters
 * @param device where the network ran
 * @param settings the training settings
 * @param seedFraction the fraction of images whose label was given (semi-supervised)
 * @param seedRows the images whose label was given
 * @param scores ACC, NMI, ARI on the labelled images that are not seeds; null if none
 * @param scoredRows the images scored; null if none
 * @param history every epoch
 * @param seconds timings
 * @param maxHeapBytes the JVM's heap limit
 */
public record DeepMetrics(String command, String input, int images, String network,
    String imageShape, int featureDimension, int k, String device, Map<String, String> settings,
    double seedFraction, int seedRows, @JsonUnwrapped Scores scores,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer scoredRows, List<Epoch> history,
    Seconds seconds, long maxHeapBytes) {

  /** One line for the end of a run: the training time and, with labels, the scores. */
  public String summary() {
    return String.format(Locale.ROOT, "trained in %.1f s%s", seconds.training(), scores == null
        ? "" : String.format(Locale.ROOT, "; ACC %.4f, NMI %.4f, ARI %.4f on %s labelled images",
            scores.acc(), scores.nmi(), scores.ari(), scoredRows));
  }

  /**
   * One epoch.
   *
   * @param epoch its number, from 1
   * @param loss its mean loss
   * @param augmentationLoss the self-augmentation term's mean, or null without it
   * @param solverIterations mean pseudo-label solver iterations per batch
   * @param heldOutAccuracy ACC on the held-out images, or null without them
   * @param imagesPerSecond training throughput
   * @param seconds its wall-clock seconds
   */
  public record Epoch(int epoch, double loss, Double augmentationLoss, double solverIterations,
      Double heldOutAccuracy, double imagesPerSecond, double seconds) {
    /** The epoch as the trainer reports it, non-finite values as null. */
    public static Epoch of(DeepClusteringTrainer.EpochStats s) {
      return new Epoch(s.epoch(), s.loss(), finiteOrNull(s.augmentationLoss()),
          s.solverIterations(), finiteOrNull(s.heldOutAccuracy()), s.imagesPerSecond(),
          s.seconds());
    }

    private static Double finiteOrNull(double v) {
      return Double.isFinite(v) ? v : null;
    }
  }

  /**
   * Wall-clock seconds.
   *
   * @param training of the training loop
   * @param total of the whole run
   */
  public record Seconds(double training, double total) {}
}
