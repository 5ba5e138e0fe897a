package org.ccespark.deep;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ccespark.selflabel.Method;

/**
 * Settings of one deep clustering run (the paper's appendix E.2 gives the defaults), or of a
 * supervised one ({@code supervised-shannon}).
 *
 * @param method the self-labeling method ({@link Method#clusteringMethods()}); {@code cce} is
 *     the paper's; or {@code supervised-shannon}: plain (Shannon) cross-entropy with every training
 *     image's label, no pseudo-labels (a supervised backbone, e.g. for strong features)
 * @param lambda the method's fairness weight λ (100 for CCE in E.2); 0 for {@code supervised-shannon}
 * @param emMaxIter most solver iterations per batch
 * @param emTol the solver's tolerance
 * @param epochs epochs to train (50 in E.2)
 * @param batchSize images per step (250 for VGG4 on MNIST/CIFAR, 160 on STL10, 200 for ResNet-18)
 * @param augmentationWeight weight of the self-augmentation term, 0 for none (E.2: 0.5, 0.2, 0.4
 *     for STL10, CIFAR10, CIFAR100-20)
 * @param headLearningRate Adam's rate for the linear head (E.2: 1e-4 for VGG4, 5e-2 for ResNet-18)
 * @param backboneLearningRate Adam's rate for the backbone (1e-4 for VGG4, 1e-5 for ResNet-18)
 * @param weightDecay L2 weight decay coefficient (0.01 for VGG4, 1e-4 for ResNet-18)
 * @param seedLabelWeight weight of the cross-entropy on labelled seed images (2 in E.2), per
 *     labelled image
 * @param seed seed of the initial weights, batch order and augmentations
 */
public record DeepSettings(String method, double lambda, int emMaxIter, double emTol, int epochs,
    int batchSize, double augmentationWeight, double headLearningRate, double backboneLearningRate,
    double weightDecay, double seedLabelWeight, long seed) {
  /**
   * Supervised training: the cross-entropy of {@link Method#SUPERVISED_SHANNON} with
   * every image's one-hot label as its fixed target.
   */
  public static final String SUPERVISED = Method.SUPERVISED_SHANNON.id();
  /** The methods a run takes: the clustering methods, then {@code supervised-shannon}. */
  public static final List<String> METHODS = Stream.concat(
      Method.clusteringNames().stream(), Stream.of(SUPERVISED)).toList();

  /** Validates every setting, naming the one that is out of range. */
  public DeepSettings {
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("method must be one of " + String.join(", ", METHODS)
          + ", got '" + method + "'");
    }
    if (!method.equals(SUPERVISED)) {
      positive("lambda", lambda);
    } else if (lambda != 0) {
      throw new IllegalArgumentException("lambda does not apply to " + SUPERVISED
          + " (no pseudo-labels, no fairness term): leave it unset, got " + lambda);
    }
    positive("emTol", emTol);
    atLeastOne("emMaxIter", emMaxIter);
    atLeastOne("epochs", epochs);
    atLeastOne("batchSize", batchSize);
    nonNegative("augmentationWeight", augmentationWeight);
    positive("headLearningRate", headLearningRate);
    positive("backboneLearningRate", backboneLearningRate);
    nonNegative("weightDecay", weightDecay);
    nonNegative("seedLabelWeight", seedLabelWeight);
  }

  /**
   * E.2's settings for a network: VGG4 (Table 3) or ResNet-18 (Table 4), with the method's default
   * λ (100 for CCE), 50 epochs, seed-label weight 2 and self-augmentation weight 0.5.
   *
   * @param network {@code vgg4}, {@code resnet18}, or anything else (a TorchScript backbone: the
   *     ResNet-18 rates, as for a pretrained backbone)
   * @param method the method
   * @param seed the seed
   */
  public static DeepSettings paperDefaults(String network, String method, long seed) {
    boolean vgg = network.startsWith("vgg4");
    return new DeepSettings(method, Method.of(method).defaultLambda(), 1000, 1e-5, 50,
        vgg ? 250 : 200, 0.5, vgg ? 1e-4 : 5e-2, vgg ? 1e-4 : 1e-5, vgg ? 0.01 : 1e-4, 2.0, seed);
  }

  /** @return whether this is supervised training ({@code supervised-shannon}), not clustering */
  public boolean supervised() {
    return method.equals(SUPERVISED);
  }

  /** @return every setting by name, for metadata and the checkpoint's fingerprint */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("method", method);
    m.put("lambda", Double.toString(lambda));
    m.put("emMaxIter", Integer.toString(emMaxIter));
    m.put("emTol", Double.toString(emTol));
    m.put("epochs", Integer.toString(epochs));
    m.put("batchSize", Integer.toString(batchSize));
    m.put("augmentationWeight", Double.toString(augmentationWeight));
    m.put("headLearningRate", Double.toString(headLearningRate));
    m.put("backboneLearningRate", Double.toString(backboneLearningRate));
    m.put("weightDecay", Double.toString(weightDecay));
    m.put("seedLabelWeight", Double.toString(seedLabelWeight));
    m.put("seed", Long.toString(seed));
    return m;
  }

  private static void positive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be a positive finite number, got " + v);
    }
  }

  private static void nonNegative(String name, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + v);
    }
  }

  private static void atLeastOne(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + v);
    }
  }
}
