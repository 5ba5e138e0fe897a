package org.ccespark.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.ccespark.deep.DeepClusteringTrainer;
import org.ccespark.deep.DeepModel;
import org.ccespark.deep.DeepNetwork;
import org.ccespark.deep.DeepSettings;
import org.ccespark.deep.ImageAugmentation;
import org.ccespark.deep.ImageTensors;
import org.ccespark.deep.Networks;
import org.ccespark.deep.TrainingImages;

/**
 * A deep clustering run ({@code cce train-deep}): fit (a network trained jointly with the
 * pseudo-labels, {@link DeepClusteringTrainer}), predict, score ({@link Scores}) and write
 * ({@link DeepOutputs}).
 */
public final class DeepPipeline {
  private DeepPipeline() {}

  /**
   * What to train.
   *
   * @param input the training images as given, for the metrics
   * @param network vgg4, vgg4-slim, resnet18 or a TorchScript file
   * @param init backbone weights to start from, or null
   * @param k the number of clusters
   * @param settings the training settings
   * @param device where the network runs
   * @param checkpoint the checkpoint folder, or null
   * @param resume whether to continue from the checkpoint
   * @param seedFraction the fraction of images whose label is given (semi-supervised), or 0
   * @param seed the seed of weights, batch order, augmentations and seeds
   */
  public record Request(String input, String network, String init, int k,
      DeepSettings settings, Device device, Path checkpoint, boolean resume,
      double seedFraction, long seed) {}

  /**
   * Trains the network on the images, predicts their clusters, scores them against the labels and
   * writes every output (model/, features/, predictions.csv, predictions/, metrics.json).
   *
   * @param shape the images' shape (C, H, W)
   * @param train the training images
   * @param heldOutImages labelled images to report ACC on after every epoch, or null
   * @param progress receives a line per epoch
   * @param t0 {@link System#nanoTime()} when the run started, for the total seconds
   * @return what was written as {@code metrics.json}
   */
  public static DeepMetrics run(SparkSession spark, Request r, Shape shape,
      TrainingImages train, TrainingImages heldOutImages, OutputSink sink,
      Consumer<String> progress, long t0) {
    String network = r.network();
    int k = r.k();
    long seed = r.seed();
    double seedFraction = r.seedFraction();
    DeepSettings settings = r.settings();
    if (heldOutImages != null) {
      heldOutImages.requireLabels("--held-out");
    }
    boolean[] seeds = seedFraction > 0 ? train.seedRows(seedFraction, seed, "--input") : null;
    Device dev = r.device();
    progress.accept(String.format("training %s on %,d images %s of %s (%s), K=%d, method %s, %d"
        + " epochs, batch %d, device %s", network, train.size(), shape, train.name(), r.input(), k,
        settings.method(), settings.epochs(), settings.batchSize(), dev));
    try (DeepNetwork net = Networks.byName(network, shape, k, dev, seed)) {
      if (r.init() != null) {
        Networks.initBackbone(net, Path.of(r.init()));
      }
      ImageTensors.ChannelStatistics norm = ImageTensors.ChannelStatistics.of(train,
          (int) shape.get(0));
      DeepClusteringTrainer trainer = new DeepClusteringTrainer(net, settings,
          ImageAugmentation.defaultFor((int) shape.get(0), (int) shape.get(1),
              (int) shape.get(2)), norm);
      long tTrain = System.nanoTime();
      List<DeepClusteringTrainer.EpochStats> history = trainer.train(train, seeds, heldOutImages,
          r.checkpoint(), r.resume(), s -> progress.accept(String.format("epoch %d/%d: loss %.4f,"
              + " solver iterations %.1f, held-out ACC %s, %.1f images/s, %.1f s", s.epoch(),
              settings.epochs(), s.loss(), s.solverIterations(), Double.isNaN(s.heldOutAccuracy()) ? "-"
                  : String.format(Locale.ROOT, "%.4f", s.heldOutAccuracy()),
              s.imagesPerSecond(), s.seconds())));
      double trainSeconds = (System.nanoTime() - tTrain) / 1e9;
      int n = train.size();
      int d = (int) net.featureDimension();
      float[] features = new float[n * d];
      float[] probabilities = new float[n * k];
      int[] predictions = trainer.predict(train, settings.batchSize(), features, probabilities);
      DeepOutputs.write(spark, sink, train, seeds, features, d, probabilities, k,
          predictions);
      try (OutputStream o = sink.create("model/" + DeepModel.NETWORK_FILE)) {
        net.save(o);
      }
      try (OutputStream o = sink.create("model/" + DeepModel.BACKBONE_FILE)) {
        net.saveBackbone(o);
      }
      sink.writeJson("model/" + DeepModel.JSON_FILE, DeepModel.describe(network, shape, k, norm,
          settings));
      Scores scores = DeepOutputs.scores(train, seeds, predictions);
      int scored = DeepOutputs.scoredRows(train, seeds, n).length;
      DeepMetrics metrics = new DeepMetrics("train-deep", r.input(), n, net.description(),
          shape.toString(), d, k, dev.toString(), settings.asMap(), seedFraction,
          seeds == null ? 0 : (int) IntStream.range(0, n).filter(i -> seeds[i]).count(), scores,
          scores == null ? null : scored, history.stream().map(DeepMetrics.Epoch::of).toList(),
          new DeepMetrics.Seconds(trainSeconds, (System.nanoTime() - t0) / 1e9),
          Runtime.getRuntime().maxMemory());
      sink.writeJson("metrics.json", metrics);
      return metrics;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
