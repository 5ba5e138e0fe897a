package org.ccespark.features;

import java.io.Serializable;
import java.util.Locale;

/**
 * Which network to run and how: everything an executor needs to load the same model as the
 * driver.
 *
 * @param model the path of a TorchScript file, or {@value #RANDOM_RESNET50} (DJL's
 *     {@code ResNetV1} with 50 layers, seeded random weights and its 2048 pooled features: for
 *     tests and benchmarks only). {@value #ZOO_RESNET50}, the default of {@code extract} and of
 *     {@link ImageFeatureTransformer}, is refused with how to export torchvision's ImageNet
 *     ResNet-50 with its 2048 pooled features: DJL's model-zoo ResNet-50 only gives the 1000
 *     class scores
 * @param layer what to take from a TorchScript model: {@code N} (output N of {@code forward}, for a
 *     model returning a tuple or list; 0 for a single tensor), {@code METHOD} or
 *     {@code METHOD:N} (a method exported with {@code @torch.jit.export}); each image's output is
 *     flattened into its feature vector. Must be {@value #DEFAULT_LAYER} for the two named models
 * @param preprocessing resize, crop and normalisation
 * @param device {@code auto}, {@code gpu} or {@code cpu}
 * @param seed seed of the random weights of {@value #RANDOM_RESNET50}
 */
public record ModelSpec(String model, String layer, Preprocessing preprocessing, String device,
    long seed) implements Serializable {
  /**
   * The default model name: ResNet-50 with ImageNet weights. Refused with what to do (DJL's
   * model-zoo ResNet-50 gives class scores, not the pooled features): pass an exported file.
   */
  public static final String ZOO_RESNET50 = "resnet50";
  /** ResNet-50 with random weights, for tests and benchmarks. */
  public static final String RANDOM_RESNET50 = "random-resnet50";
  /** Output 0 of {@code forward}. */
  public static final String DEFAULT_LAYER = "0";

  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException for a bad field, and for {@value #ZOO_RESNET50} (the message
   *     says how to export the ImageNet ResNet-50's 2048 pooled features to a file)
   */
  public ModelSpec {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("No model was given.");
    }
    if (model.equals(ZOO_RESNET50)) {
      throw new IllegalArgumentException(FeatureExtractor.zooMessage());
    }
    layer = layer == null || layer.isBlank() ? DEFAULT_LAYER : layer.trim();
    if (preprocessing == null) {
      throw new IllegalArgumentException("No preprocessing was given.");
    }
    device = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
    if (!DjlEngine.DEVICES.contains(device)) {
      throw new IllegalArgumentException("Device must be one of "
          + String.join(", ", DjlEngine.DEVICES) + ", got '" + device + "'.");
    }
    if (isNamed(model) && !layer.equals(DEFAULT_LAYER)) {
      throw new IllegalArgumentException("A layer can only be chosen for a TorchScript file, not"
          + " for '" + model + "'.");
    }
    if (!isNamed(model)) {
      method(layer);
      outputIndex(layer);
    }
  }

  /** Whether {@code model} names a built-in model rather than a file. */
  public static boolean isNamed(String model) {
    return model.equals(ZOO_RESNET50) || model.equals(RANDOM_RESNET50);
  }

  /** The TorchScript method the layer names ({@code forward} unless one is named). */
  static String method(String layer) {
    String m = layer.contains(":") ? layer.substring(0, layer.indexOf(':')) : layer;
    if (m.isEmpty() || isIndex(m)) {
      return "forward";
    }
    if (!m.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("Layer '" + layer + "' is not N, METHOD or METHOD:N.");
    }
    return m;
  }

  /** The output index the layer names (0 unless one is given). */
  static int outputIndex(String layer) {
    String n = layer.contains(":") ? layer.substring(layer.indexOf(':') + 1)
        : isIndex(layer) ? layer : "0";
    if (!isIndex(n)) {
      throw new IllegalArgumentException("Layer '" + layer + "' is not N, METHOD or METHOD:N.");
    }
    return Integer.parseInt(n);
  }

  private static boolean isIndex(String s) {
    return s.matches("[0-9]{1,4}");
  }
}
