package org.ccespark.deep;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.features.DjlEngine;
import org.ccespark.math.Shuffle;
import org.ccespark.math.Softmax;
import org.ccespark.selflabel.BatchStep;
import org.ccespark.selflabel.Method;
import org.ccespark.selflabel.SelfLabelingObjective;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper's Algorithm 2 with a network (sections 5.2, 5.3): for each epoch, for each batch of
 * images in a seeded shuffle,
 *
 * <ol>
 *   <li>logits {@code z} of the images (and of one augmentation per image) by the network in
 *       training mode;</li>
 *   <li>pseudo-labels {@code y} warm-started from {@code σ = softmax(z)} and solved by the method's
 *       objective (for CCE the EM of eq. 14 and Algorithm 1), labelled seed images fixed to their
 *       label ({@link BatchStep}, the same step as the linear classifier's);</li>
 *   <li>the loss {@code mean_i ℓ(y_i, σ_i) + w · mean_i ℓ(y_i, σ(T(x_i)))}, where {@code ℓ} is the
 *       method's network loss ({@code H2} for CCE, eq. 9) and {@code T} the seeded augmentation:
 *       the self-augmentation term asks an image's augmentation to predict the image's
 *       pseudo-label; plus {@code seedLabelWeight ·} the mean Shannon cross-entropy over labelled
 *       images;</li>
 *   <li>one Adam step with E.2's rates (head and backbone apart) and weight decay.</li>
 * </ol>
 *
 * <p>The network gets exactly the objective's logit gradients {@code G}: the objectives compute
 * {@code ∂loss/∂z} in plain Java (shared with the linear classifier), and the network is
 * back-propagated from the surrogate {@code Σ z ⊙ G}, whose gradient with respect to the
 * parameters is the chain rule's {@code Σ G · ∂z/∂θ}.
 *
 * <p>With the method {@code supervised-shannon} ({@link DeepSettings#SUPERVISED}) the same loop trains a network supervised:
 * every image's pseudo-label is fixed to its one-hot label, nothing is solved, and the loss is the
 * plain cross-entropy (plus, with an augmentation weight, the cross-entropy of each image's
 * augmentation with the same label).
 *
 * <p>Everything random (initial weights, batch order, augmentations) derives from the seed and the
 * epoch, so a run resumed from a checkpoint ({@link DeepCheckpoint}) ends with the same weights, bit
 * for bit on the same device and thread count, as one never interrupted.
 */
public final class DeepClusteringTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(DeepClusteringTrainer.class);
  /** Seconds between progress lines within an epoch. */
  private static final long PROGRESS_NANOS = 30_000_000_000L;

  /**
   * One finished epoch.
   *
   * @param epoch 1-based
   * @param loss mean over the epoch's batches of the batch loss (clustering + augmentation + seed
   *     terms)
   * @param augmentationLoss mean of the augmentation term alone (before its weight), NaN without one
   * @param solverIterations mean pseudo-label solver iterations per batch
   * @param heldOutAccuracy accuracy (Hungarian matching) on the held-out labelled images, NaN
   *     without them
   * @param imagesPerSecond training images per second (augmentations not counted)
   * @param seconds the epoch's wall time, held-out evaluation included
   */
  public record EpochStats(int epoch, double loss, double augmentationLoss,
      double solverIterations, double heldOutAccuracy, double imagesPerSecond, double seconds) {}

  private final DeepNetwork net;
  private final DeepSettings settings;
  private final ImageAugmentation augmentation;
  private final ImageTensors.ChannelStatistics normalization;
  private final int[] imageDims;

  /**
   * @param net the network to train (its head's K is the number of clusters)
   * @param settings the run's settings
   * @param augmentation the self-augmentation {@code T} (ignored when the weight is 0)
   * @param normalization the per-channel normalisation applied after augmentation
   */
  public DeepClusteringTrainer(DeepNetwork net, DeepSettings settings,
      ImageAugmentation augmentation, ImageTensors.ChannelStatistics normalization) {
    this.net = net;
    this.settings = settings;
    this.augmentation = augmentation;
    this.normalization = normalization;
    Shape s = net.imageShape();
    this.imageDims = new int[] {(int) s.get(0), (int) s.get(1), (int) s.get(2)};
    if (normalization.channels() != imageDims[0]) {
      throw new IllegalArgumentException("Normalisation has " + normalization.channels()
          + " channels, the network takes " + imageDims[0] + ".");
    }
  }

  /**
   * Trains for {@code settings.epochs()} epochs, or for the epochs left after a checkpoint.
   *
   * @param train the training images; {@code seeds} marks those whose label is given
   *     (semi-supervised, E.2): their pseudo-labels are fixed to it, and they get the seed-label
   *     cross-entropy
   * @param seeds per training image whether its label is a given seed, or null (clustering, and
   *     supervised training, which uses every label)
   * @param heldOut labelled images to report accuracy on after each epoch, or null
   * @param checkpointDir folder for per-epoch checkpoints, or null for none
   * @param resume whether to continue from the checkpoint in {@code checkpointDir}, if it has one
   * @param onEpoch called after each epoch (after its checkpoint is written)
   * @return the statistics of every epoch, those before a resume included
   */
  public List<EpochStats> train(ImageSource train, boolean[] seeds, ImageSource heldOut,
      Path checkpointDir, boolean resume, Consumer<EpochStats> onEpoch) {
    int n = train.size();
    int k = net.k();
    checkImages(train, "training");
    if (heldOut != null) {
      checkImages(heldOut, "held-out");
    }
    if (n < 1) {
      throw new IllegalArgumentException("There are no training images.");
    }
    if (seeds != null && seeds.length != n) {
      throw new IllegalArgumentException("Seed flags for " + seeds.length + " images, but there are "
          + n + " training images.");
    }
    if (settings.supervised()) {
      if (seeds != null) {
        throw new IllegalArgumentException("Supervised training uses every image's label; seed"
            + " flags do not apply.");
      }
      seeds = new boolean[n];
      Arrays.fill(seeds, true); // every pseudo-label fixed to the image's label
    }
    int labelled = 0;
    for (int i = 0; seeds != null && i < n; i++) {
      if (seeds[i]) {
        if (train.label(i) < 0 || train.label(i) >= k) {
          throw new IllegalArgumentException((settings.supervised() ? "Training image " + i
              + " has label " + train.label(i) + "; supervised training needs every label to be"
              : "Seed image " + i + " has label " + train.label(i) + "; seed labels must be")
              + " a class 0.." + (k - 1) + ".");
        }
        labelled++;
      }
    }
    // E.2 adds the labelled images' cross-entropy with weight w; the batch loss is a mean over
    // all rows, so each labelled row enters with w·N/N_labelled, making the term w times the mean
    // over labelled rows in expectation (as the linear trainer does). The supervised objective's
    // loss already is that cross-entropy.
    double seedWeight = labelled == 0 || settings.supervised() ? 0
        : settings.seedLabelWeight() * n / labelled;
    SelfLabelingObjective objective = Method.of(settings.method()).objective(settings.lambda(),
        settings.emMaxIter(), settings.emTol(), 0.001);
    try (AdamOptimizer adam = new AdamOptimizer()) {
      return train(train, labelled == 0 ? null : seeds, heldOut, checkpointDir, resume, onEpoch,
          objective, seedWeight, adam);
    }
  }

  private List<EpochStats> train(ImageSource train, boolean[] seeds, ImageSource heldOut,
      Path checkpointDir, boolean resume, Consumer<EpochStats> onEpoch,
      SelfLabelingObjective objective, double seedWeight, AdamOptimizer adam) {
    int n = train.size();
    int k = net.k();
    int floats = train.floatsPerImage();
    DeepCheckpoint checkpoint = checkpointDir == null ? null
        : new DeepCheckpoint(checkpointDir, fingerprint(train, seeds));
    List<EpochStats> history = new ArrayList<>();
    int start = 0;
    if (checkpoint != null && resume) {
      start = checkpoint.restore(net, adam, history);
      if (start > 0) {
        LOG.info("resumed from {} after epoch {} of {}", checkpointDir, start, settings.epochs());
      }
    }
    // After a restore: loading may replace the parameter objects (a TorchScript backbone).
    List<AdamOptimizer.Group> groups = List.of(
        new AdamOptimizer.Group("head", net.headParameters(), settings.headLearningRate(),
            settings.weightDecay()),
        new AdamOptimizer.Group("backbone", net.backboneParameters(),
            settings.backboneLearningRate(), settings.weightDecay()));
    boolean augment = settings.augmentationWeight() > 0;
    int bs = settings.batchSize();
    int numBatches = (n + bs - 1) / bs;
    float[] x = new float[(augment ? 2 : 1) * bs * floats];
    for (int epoch = start; epoch < settings.epochs(); epoch++) {
      long t0 = System.nanoTime();
      long lastLog = t0;
      int[] perm = Shuffle.permutation(settings.seed(), epoch, 0, n);
      double lossSum = 0;
      double augSum = 0;
      double iterSum = 0;
      for (int b = 0; b < numBatches; b++) {
        int lo = (int) ((long) b * n / numBatches);
        int hi = (int) ((long) (b + 1) * n / numBatches);
        int m = hi - lo;
        double[] given = seeds != null ? new double[m * k] : null;
        boolean[] fixed = seeds != null ? new boolean[m] : null;
        for (int i = 0; i < m; i++) {
          int row = perm[lo + i];
          train.read(row, x, i * floats);
          if (augment) {
            augmentation.apply(x, i * floats, x, (m + i) * floats, imageDims[0], imageDims[1],
                imageDims[2], augmentationRandom(epoch, row));
          }
          if (fixed != null && seeds[row]) {
            fixed[i] = true;
            given[i * k + train.label(row)] = 1;
          }
        }
        int images = augment ? 2 * m : m;
        float[] batch = Arrays.copyOf(x, images * floats);
        normalization.normalize(batch, images, imageDims[1], imageDims[2]);
        double[] r = step(batch, m, augment, objective, seedWeight, given, fixed, adam, groups);
        lossSum += r[0];
        augSum += r[1];
        iterSum += r[2];
        long now = System.nanoTime();
        if (now - lastLog > PROGRESS_NANOS) {
          lastLog = now;
          LOG.info("epoch {}/{}: batch {}/{}, loss {}, {} images/s", epoch + 1, settings.epochs(),
              b + 1, numBatches, String.format("%.4f", lossSum / (b + 1)),
              String.format("%.1f", (double) hi / ((now - t0) / 1e9)));
        }
      }
      double trainSeconds = (System.nanoTime() - t0) / 1e9;
      double acc = heldOut == null ? Double.NaN : heldOutAccuracy(heldOut);
      EpochStats stats = new EpochStats(epoch + 1, lossSum / numBatches,
          augment ? augSum / numBatches : Double.NaN, iterSum / numBatches, acc,
          n / trainSeconds, (System.nanoTime() - t0) / 1e9);
      history.add(stats);
      if (checkpoint != null) {
        checkpoint.save(epoch + 1, net, adam, history);
      }
      LOG.info("epoch {}/{}: loss {}, solver iterations {}, held-out ACC {}, {} images/s, {} s",
          epoch + 1, settings.epochs(), String.format("%.4f", stats.loss()),
          String.format("%.1f", stats.solverIterations()),
          Double.isNaN(acc) ? "-" : String.format("%.4f", acc),
          String.format("%.1f", stats.imagesPerSecond()), String.format("%.1f", stats.seconds()));
      if (onEpoch != null) {
        onEpoch.accept(stats);
      }
    }
    return history;
  }

  /**
   * One batch: forward (images then their augmentations, one pass so batch normalisation sees
   * both), the objective's step and gradients in Java, backward of {@code Σ z ⊙ G}, Adam.
   *
   * @return {@code [batch loss, augmentation term, solver iterations]}
   */
  private double[] step(float[] pixels, int m, boolean augment, SelfLabelingObjective objective,
      double seedWeight, double[] given, boolean[] fixed, AdamOptimizer adam,
      List<AdamOptimizer.Group> groups) {
    int k = net.k();
    int images = augment ? 2 * m : m;
    try (NDManager bm = net.manager().newSubManager()) {
      NDArray input = bm.create(pixels, new Shape(images).addAll(net.imageShape()));
      double[] result = new double[3];
      try (GradientCollector gc = DjlEngine.get(false).newGradientCollector()) {
        NDArray logits = net.logits(input, true);
        double[] all = toDoubles(logits.toFloatArray());
        double[] z = Arrays.copyOf(all, m * k);
        double[] sigma = new double[m * k];
        double[] y = new double[m * k];
        double[] g = new double[images * k];
        BatchStep.Result r = BatchStep.run(objective, seedWeight, z, m, k, given, fixed, true,
            sigma, y, g);
        double loss = r.loss() / m;
        if (augment) {
          double[] za = Arrays.copyOfRange(all, m * k, 2 * m * k);
          double[] sa = new double[m * k];
          for (int i = 0; i < m; i++) {
            Softmax.softmax(za, i * k, sa, i * k, k);
          }
          double[] ga = new double[m * k];
          double augLoss = objective.networkLoss(za, sa, y, m, k, ga) / m;
          loss += settings.augmentationWeight() * augLoss;
          result[1] = augLoss;
          for (int j = 0; j < m * k; j++) {
            g[m * k + j] = settings.augmentationWeight() * ga[j];
          }
        }
        for (int j = 0; j < images * k; j++) {
          g[j] /= m; // every term is a mean over the batch's m images
        }
        NDArray grad = bm.create(toFloats(g), logits.getShape());
        gc.backward(logits.mul(grad).sum());
        result[0] = loss;
        result[2] = r.iterations();
      }
      adam.step(groups);
      return result;
    }
  }

  /** The seeded random generator of one image's augmentation in one epoch. */
  private SplittableRandom augmentationRandom(int epoch, int row) {
    return new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L
        + (long) epoch * 0x632BE59BD9B4E019L + row);
  }

  /**
   * Cluster assignments ({@code argmax σ}) of every image, in inference mode.
   *
   * @param images the images
   * @param batchSize images per forward pass
   * @param features if not null, receives the backbone's features, {@code size × D}
   * @param probabilities if not null, receives {@code σ}, {@code size × K}
   * @return the assignment of each image
   */
  public int[] predict(ImageSource images, int batchSize, float[] features, float[] probabilities) {
    return predict(net, normalization, images, batchSize, features, probabilities);
  }

  /**
   * Cluster assignments ({@code argmax σ}) of every image by a network, in inference mode: the
   * images normalised as in training, then backbone and head.
   *
   * @param net the network
   * @param normalization the per-channel normalisation it was trained with
   * @param images the images, of the network's shape
   * @param batchSize images per forward pass
   * @param features if not null, receives the backbone's features, {@code size × D}
   * @param probabilities if not null, receives {@code σ}, {@code size × K}
   * @return the assignment of each image
   * @throws IllegalArgumentException if the images or the normalisation do not fit the network
   */
  public static int[] predict(DeepNetwork net, ImageTensors.ChannelStatistics normalization,
      ImageSource images, int batchSize, float[] features, float[] probabilities) {
    Shape shape = net.imageShape();
    int floats = (int) shape.size();
    if (images.floatsPerImage() != floats || normalization.channels() != shape.get(0)) {
      throw new IllegalArgumentException("Network " + net.description() + " takes images "
          + shape + "; these have " + images.floatsPerImage() + " floats each and the"
          + " normalisation " + normalization.channels() + " channels.");
    }
    int height = (int) shape.get(1);
    int width = (int) shape.get(2);
    int n = images.size();
    int k = net.k();
    int d = (int) net.featureDimension();
    int[] out = new int[n];
    float[] x = new float[batchSize * floats];
    for (int lo = 0; lo < n; lo += batchSize) {
      int m = Math.min(batchSize, n - lo);
      for (int i = 0; i < m; i++) {
        images.read(lo + i, x, i * floats);
      }
      float[] batch = Arrays.copyOf(x, m * floats);
      normalization.normalize(batch, m, height, width);
      try (NDManager bm = net.manager().newSubManager()) {
        NDArray input = bm.create(batch, new Shape(m).addAll(shape));
        NDArray f = net.features(input);
        if (features != null) {
          System.arraycopy(f.toFloatArray(), 0, features, lo * d, m * d);
        }
        NDArray sigma = net.head(f).softmax(1);
        if (probabilities != null) {
          System.arraycopy(sigma.toFloatArray(), 0, probabilities, lo * k, m * k);
        }
        long[] am = sigma.argMax(1).toLongArray();
        for (int i = 0; i < m; i++) {
          out[lo + i] = (int) am[i];
        }
      }
    }
    return out;
  }

  private double heldOutAccuracy(ImageSource heldOut) {
    int[] clusters = predict(heldOut, settings.batchSize(), null, null);
    int[] labels = new int[heldOut.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = heldOut.label(i);
    }
    return ClusteringMetrics.accuracy(labels, clusters);
  }

  private int checkImages(ImageSource images, String what) {
    long expected = net.imageShape().size();
    if (images.floatsPerImage() != expected) {
      throw new IllegalArgumentException("The " + what + " images have " + images.floatsPerImage()
          + " floats each; network " + net.description() + " takes " + net.imageShape() + " = "
          + expected + ".");
    }
    return (int) expected;
  }

  /** What a checkpoint must match: the settings, the network and the training data. */
  private String fingerprint(ImageSource train, boolean[] seeds) {
    StringBuilder s = new StringBuilder();
    // every setting but the number of epochs, which a resumed run may extend
    settings.asMap().forEach((key, v) -> {
      if (!key.equals("epochs")) {
        s.append(key).append('=').append(v).append('\n');
      }
    });
    s.append("network=").append(net.description()).append('\n');
    s.append("k=").append(net.k()).append('\n');
    s.append("images=").append(train.size()).append('\n');
    long h = 1125899906842597L;
    float[] one = new float[train.floatsPerImage()];
    int step = Math.max(1, train.size() / 64);
    for (int i = 0; i < train.size(); i += step) {
      train.read(i, one, 0);
      h = 31 * h + Arrays.hashCode(one);
      h = 31 * h + train.label(i);
      h = 31 * h + (seeds != null && seeds[i] ? 1 : 0);
    }
    s.append("data=").append(Long.toHexString(h)).append('\n');
    return s.toString();
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
