package org.ccespark.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What {@code cce extract} writes as {@code _extract.json} beside the features: the input, the
 * counts, the model and its settings, timings and Spark.
 *
 * @param command {@code extract}
 * @param input the dataset read
 * @param images images in the dataset
 * @param extracted images whose features were written
 * @param skipped unreadable images skipped
 * @param skippedExamples a few of the skipped images with the reason; null for a trained network
 * @param dimension features per image
 * @param hasLabel whether the rows have a label
 * @param classNames the dataset's class names; null for a trained network
 * @param model the model and its settings
 * @param mode {@code driver} or {@code executors}
 * @param batchSize images per forward pass
 * @param seconds timings
 * @param spark the Spark that ran it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExtractionReport(String command, Input input, long images, long extracted,
    long skipped, List<String> skippedExamples, int dimension, boolean hasLabel,
    List<String> classNames, Model model, String mode, int batchSize, Seconds seconds,
    SparkInfo spark) {

  /**
   * The dataset read.
   *
   * @param path as given
   * @param format its format, or auto
   */
  public record Input(String path, String format) {}

  /**
   * The model: an ImageNet-style one ({@code layer}, {@code inputSize}, {@code resize},
   * {@code seed}) or a network trained by train-deep ({@code network}, {@code imageShape}).
   *
   * @param model the model as given
   * @param network a trained network's description
   * @param imageShape a trained network's image shape (C, H, W)
   * @param layer the output used, or {@code backbone}
   * @param inputSize the side of the square the model sees
   * @param resize the side the shorter image side is resized to
   * @param device auto, cpu or gpu
   * @param seed the seed of a random model's weights
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Model(String model, String network, long[] imageShape, String layer,
      Integer inputSize, Integer resize, String device, Long seed) {}

  /**
   * Timings.
   *
   * @param total wall-clock seconds of the whole run
   * @param imagesPerSecond images per second over the whole run
   */
  public record Seconds(double total, double imagesPerSecond) {}
}
