package org.ccespark.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.deep.DatasetImages;
import org.ccespark.deep.DeepClusteringTrainer;
import org.ccespark.deep.DeepNetwork;
import org.ccespark.deep.DeepSettings;
import org.ccespark.deep.ImageAugmentation;
import org.ccespark.deep.ImageTensors;
import org.ccespark.deep.Networks;
import org.ccespark.selflabel.Method;

/**
 * Deep clustering on the CPU: seconds per epoch of VGG4 (the paper's Table 8, greyscale variant)
 * trained by {@link DeepClusteringTrainer} with E.2's settings (CCE, λ 100, Adam 1e-4, weight
 * decay 0.01, batch 250, one augmentation per image) on N images of a dataset (default the
 * 10,000 MNIST digits), and memory: the process's resident high-water mark ({@code VmHWM}, reset
 * before training: JVM, libtorch's native buffers and everything else) and the heap pools' peak.
 * Every epoch is timed; the first includes libtorch's warm-up.
 */
public final class DeepEpochBenchmark {
  private DeepEpochBenchmark() {}

  /**
   * Settings.
   *
   * @param dataset dataset path or name (see {@link DatasetCatalog})
   * @param images how many of its images (a seeded sample), 0 for all
   * @param epochs epochs to time
   * @param batchSize images per step
   * @param augmentationWeight self-augmentation weight (0: no augmented forward pass)
   * @param seed seed of the sample, weights, batch order and augmentations
   */
  public record Config(String dataset, int images, int epochs, int batchSize,
      double augmentationWeight, long seed) {}

  /**
   * What {@code bench.json} holds for this benchmark.
   *
   * @param settings the settings
   * @param epochs each epoch's time and loss
   * @param rssBeforeBytes resident memory before training
   * @param rssPeakBytes the process's resident high-water mark during training
   * @param heapPeakBytes the heap pools' peak during training
   */
  public record Report(Settings settings, List<Epoch> epochs, long rssBeforeBytes,
      long rssPeakBytes, long heapPeakBytes) {}

  /**
   * The run's set-up.
   *
   * @param training every training setting by name ({@link DeepSettings#asMap()})
   */
  public record Settings(String dataset, int images, String imageShape,
      Map<String, String> training, String device) {}

  /** One epoch's figures. */
  public record Epoch(int epoch, double seconds, double imagesPerSecond, double loss) {}

  /** Runs the benchmark. */
  public static BenchResult<Report> run(Config cfg, Consumer<String> progress) {
    try (ImageDataset data = DatasetCatalog.openPathOrName(cfg.dataset(), "auto")) {
      int[] idx = new ImageFrames.Selection(cfg.images(), cfg.images() == 0 ? null : cfg.seed())
          .indices(data.size());
      Shape shape = DatasetImages.shapeOf(data.get(idx[0]).image(), 0, 0);
      DatasetImages images = new DatasetImages(data, idx, shape);
      DeepSettings d = DeepSettings.paperDefaults("vgg4", Method.CCE.id(), cfg.seed());
      DeepSettings s = new DeepSettings(d.method(), d.lambda(), d.emMaxIter(), d.emTol(),
          cfg.epochs(), cfg.batchSize(), cfg.augmentationWeight(), d.headLearningRate(),
          d.backboneLearningRate(), d.weightDecay(), d.seedLabelWeight(), cfg.seed());
      try (DeepNetwork net = Networks.vgg4(Networks.Vgg4Variant.forImage(shape), 10,
          Device.cpu(), cfg.seed())) {
        DeepClusteringTrainer trainer = new DeepClusteringTrainer(net, s,
            ImageAugmentation.defaultFor((int) shape.get(0), (int) shape.get(1),
                (int) shape.get(2)), ImageTensors.ChannelStatistics.of(images, (int) shape.get(0)));
        progress.accept(String.format("deep: VGG4 %s on %,d images of %s, %d epoch(s), batch %d,"
            + " augmentation weight %s", shape, idx.length, data.name(), cfg.epochs(),
            cfg.batchSize(), cfg.augmentationWeight()));
        FeaturesBenchmark.resetPeak();
        long rssBefore = FeaturesBenchmark.rss("VmRSS");
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
          pool.resetPeakUsage();
        }
        List<DeepClusteringTrainer.EpochStats> history = trainer.train(images, null, null, null,
            false, e -> progress.accept(String.format("deep: epoch %d %.1f s (%.1f images/s)",
                e.epoch(), e.seconds(), e.imagesPerSecond())));
        long rssPeak = FeaturesBenchmark.rss("VmHWM");
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
          if (pool.getType() == MemoryType.HEAP) {
            heapPeak += pool.getPeakUsage().getUsed();
          }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Deep clustering, VGG4 %s on the CPU (%d cores): %,d images of %s,"
            + " batch %d, augmentation weight %s%n", shape,
            Runtime.getRuntime().availableProcessors(), idx.length, data.name(), cfg.batchSize(),
            cfg.augmentationWeight()));
        sb.append(String.format("%6s  %10s  %10s  %12s%n", "epoch", "seconds", "images/s",
            "loss"));
        List<Epoch> epochs = new ArrayList<>();
        for (DeepClusteringTrainer.EpochStats e : history) {
          sb.append(String.format("%6d  %10.1f  %10.1f  %12.4f%n", e.epoch(), e.seconds(),
              e.imagesPerSecond(), e.loss()));
          epochs.add(new Epoch(e.epoch(), e.seconds(), e.imagesPerSecond(), e.loss()));
        }
        sb.append(String.format("resident memory: %.2f GB before training, peak %.2f GB; heap"
            + " peak %.2f GB (max heap %.2f GB)%n", rssBefore / 1e9, rssPeak / 1e9, heapPeak / 1e9,
            Runtime.getRuntime().maxMemory() / 1e9));
        Settings settings = new Settings(data.name(), idx.length, shape.toString(), s.asMap(),
            "cpu");
        return new BenchResult<>("deep", sb.toString(), new Report(settings, epochs, rssBefore,
            rssPeak, heapPeak));
      }
    }
  }
}
