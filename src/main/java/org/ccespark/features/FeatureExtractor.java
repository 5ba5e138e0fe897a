package org.ccespark.features;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A loaded network that turns batches of preprocessed images into feature vectors.
 *
 * <p>Memory: each batch runs inside its own {@link NDManager}, closed when the batch's features
 * have been copied out, so no native array outlives its batch. For the random ResNet-50 (a DJL
 * block, whose every intermediate result is a DJL array) each of the network's top-level stages
 * (stem, each residual unit, pooling) also runs in its own manager, so only one stage's
 * intermediates are alive at a time; gradients are never recorded. TorchScript models free their
 * intermediates inside libtorch. Not thread-safe: one extractor per thread (Spark task).
 */
public final class FeatureExtractor implements AutoCloseable {
  /** ImageNet's class count: such an output from a model with such a layer is refused. */
  static final int IMAGENET_CLASSES = 1000;

  /** How to export torchvision's ResNet-50 with the 2048 pooled features, for messages. */
  static final String HOW_TO_EXPORT = "Export torchvision's ResNet-50 with its classification"
      + " layer replaced by the identity (model.fc = torch.nn.Identity(); the IMAGENET1K_V2"
      + " weights), so that the TorchScript file returns the 2048 features after global average"
      + " pooling: /usr/bin/python3 src/tools/export-resnet50.py resnet50-imagenet.pt (torchvision"
      + " downloads the weights once, so run it where there is network access; see"
      + " docs/image-features.md), then pass --model resnet50-imagenet.pt.";

  /** Serialises the seeding and initialisation of random models (the seed is engine-global). */
  private static final Object RANDOM_INIT = new Object();

  private final ModelSpec spec;
  private final Model model;
  private final Device device;
  private final String method;
  private final int outputIndex;
  /** The DJL-built network's stages (random ResNet-50), or null for TorchScript. */
  private final List<Block> stages;
  private int dimension = -1;

  private FeatureExtractor(ModelSpec spec, Model model, Device device, String method,
      int outputIndex, List<Block> stages) {
    this.spec = spec;
    this.model = model;
    this.device = device;
    this.method = method;
    this.outputIndex = outputIndex;
    this.stages = stages;
  }

  /**
   * Loads the model of {@code spec} on its device.
   *
   * @throws IllegalArgumentException if the file does not exist, is not TorchScript, returns the
   *     1000 ImageNet class scores instead of features (see {@link #refuseClassScores}) or the
   *     device is not available ({@link ModelSpec} already refused
   *     {@value ModelSpec#ZOO_RESNET50})
   */
  public static FeatureExtractor load(ModelSpec spec) {
    DjlEngine.get(false);
    Device device = DjlEngine.device(spec.device());
    if (spec.model().equals(ModelSpec.RANDOM_RESNET50)) {
      return loadRandomResNet50(spec, device);
    }
    FeatureExtractor fx = loadTorchScript(spec, device);
    try {
      fx.refuseClassScores();
    } catch (RuntimeException e) {
      fx.close();
      throw e;
    }
    return fx;
  }

  /**
   * Why {@value ModelSpec#ZOO_RESNET50} is refused by {@link ModelSpec}, and what to do instead.
   * DJL's model-zoo ResNet-50 (a traced torchvision classifier) returns only the 1000 ImageNet
   * class scores: a traced module exposes {@code forward} alone, and DJL gives access to its
   * parameters but not to its batch-norm statistics or sub-modules, so the 2048 pooled features
   * cannot be taken from it.
   */
  static String zooMessage() {
    return "--model " + ModelSpec.ZOO_RESNET50 + " (the default) is not downloaded from DJL's"
        + " model zoo: that ResNet-50 is the ImageNet classifier and returns 1000 class scores, not"
        + " the 2048 pooled features the paper clusters, and they cannot be taken from it. "
        + HOW_TO_EXPORT + " Without network access no ImageNet weights can be had; --model "
        + ModelSpec.RANDOM_RESNET50 + " (random weights, 2048 pooled features) is for testing"
        + " only.";
  }

  /**
   * Refuses a TorchScript model whose chosen output is the 1000 ImageNet class scores: when the
   * module has a two-dimensional {@code weight} parameter with 1000 rows (a 1000-class layer,
   * such as torchvision's {@code fc.weight}), one forward pass on a blank image checks whether the
   * chosen output has 1000 values per image. Models without such a layer are not run here.
   *
   * @throws IllegalArgumentException naming the file and the layer, with how to export the
   *     pooled features instead
   */
  private void refuseClassScores() {
    String head = null;
    long inputs = 0;
    try (NDManager scope = model.getNDManager().newSubManager(device)) {
      NDList params = JniUtils.moduleGetParams((PtSymbolBlock) model.getBlock(),
          (PtNDManager) scope);
      for (NDArray p : params) {
        Shape shape = p.getShape();
        String name = p.getName() == null ? "" : p.getName();
        if (shape.dimension() == 2 && shape.get(0) == IMAGENET_CLASSES
            && (name.equals("weight") || name.endsWith(".weight"))) {
          head = name.substring(0, Math.max(0, name.length() - ".weight".length()));
          inputs = shape.get(1);
        }
      }
    }
    if (head == null) {
      return;
    }
    int s = spec.preprocessing().inputSize();
    float[] blank = new float[3 * s * s];
    int d = extract(blank, 1)[0].length;
    dimension = -1;
    if (d == IMAGENET_CLASSES) {
      throw new IllegalArgumentException("Model '" + spec.model() + "' returns "
          + IMAGENET_CLASSES + " values per image (layer '" + spec.layer() + "') and has a "
          + inputs + " -> " + IMAGENET_CLASSES + " layer '" + head + "': these are ImageNet class"
          + " scores, not the pooled features the paper clusters. " + HOW_TO_EXPORT
          + " For another network, export it without its classification layer, or pick the"
          + " features' output with --layer (an output of forward, or a method exported with"
          + " @torch.jit.export).");
    }
  }

  private static FeatureExtractor loadTorchScript(ModelSpec spec, Device device) {
    Path path = Paths.get(spec.model()).toAbsolutePath();
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("Model file '" + spec.model() + "' does not exist (--model"
          + " takes a TorchScript file, " + ModelSpec.ZOO_RESNET50 + " or "
          + ModelSpec.RANDOM_RESNET50 + ").");
    }
    Model model = Model.newInstance(path.getFileName().toString(), device, DjlEngine.ENGINE);
    try {
      model.load(path);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new IllegalArgumentException("Cannot load '" + spec.model() + "' as a TorchScript"
          + " model (" + e.getMessage() + ").", e);
    }
    String method = ModelSpec.method(spec.layer());
    if (!method.equals("forward")) {
      List<String> methods = Arrays.asList(JniUtils.getMethodNames((PtSymbolBlock) model.getBlock()));
      if (!methods.contains(method)) {
        model.close();
        throw new IllegalArgumentException("TorchScript model '" + spec.model() + "' has no method '"
            + method + "'; it has " + String.join(", ", methods) + ".");
      }
    }
    return new FeatureExtractor(spec, model, device, method, ModelSpec.outputIndex(spec.layer()),
        null);
  }

  private static FeatureExtractor loadRandomResNet50(ModelSpec spec, Device device) {
    int size = spec.preprocessing().inputSize();
    SequentialBlock full = ResNetV1.builder().setImageShape(new Shape(3, size, size))
        .setNumLayers(50).setOutSize(1000).build();
    // The last four children are global pooling, flatten, the 1000-class layer, flatten: keep the
    // pooled 2048-dimensional features, as the paper does.
    List<Block> all = new ArrayList<>(full.getChildren().values());
    SequentialBlock trunk = new SequentialBlock();
    for (Block b : all.subList(0, all.size() - 2)) {
      trunk.add(b);
    }
    Model model = Model.newInstance(ModelSpec.RANDOM_RESNET50, device, DjlEngine.ENGINE);
    model.setBlock(trunk);
    synchronized (RANDOM_INIT) {
      Engine.getEngine(DjlEngine.ENGINE).setRandomSeed((int) spec.seed());
      trunk.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, size, size));
    }
    trunk.freezeParameters(true);
    return new FeatureExtractor(spec, model, device, "forward", 0,
        new ArrayList<>(trunk.getChildren().values()));
  }

  /** The specification this extractor was loaded from. */
  public ModelSpec spec() {
    return spec;
  }

  /** The device it runs on. */
  public Device device() {
    return device;
  }

  /** The DJL model (for comparisons with DJL's own {@code Predictor}). */
  public Model model() {
    return model;
  }

  /** The feature dimension, known after the first batch (-1 before). */
  public int dimension() {
    return dimension;
  }

  /**
   * Runs the network on {@code n} preprocessed images.
   *
   * @param batch {@code n} images of {@link Preprocessing#floatsPerImage()} floats each, CHW
   * @param n number of images in the batch
   * @return one feature vector per image
   */
  public float[][] extract(float[] batch, int n) {
    int s = spec.preprocessing().inputSize();
    JniUtils.setGradMode(false); // thread-local in libtorch: Spark task threads start with it on
    try (NDManager scope = model.getNDManager().newSubManager(device)) {
      NDArray x = scope.create(FloatBuffer.wrap(batch, 0, n * 3 * s * s), new Shape(n, 3, s, s));
      NDArray out = forward(scope, x);
      if (out.getShape().dimension() == 0 || out.getShape().get(0) != n) {
        throw new IllegalStateException("Model '" + spec.model() + "' returned shape "
            + out.getShape() + " for a batch of " + n + " images; choose another --layer.");
      }
      float[] flat = out.toType(DataType.FLOAT32, false).toFloatArray();
      int d = flat.length / n;
      if (dimension < 0) {
        dimension = d;
      }
      float[][] features = new float[n][];
      for (int i = 0; i < n; i++) {
        features[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
      }
      return features;
    }
  }

  /** The chosen output for input {@code x}; everything it creates is attached to {@code scope}. */
  private NDArray forward(NDManager scope, NDArray x) {
    if (stages != null) {
      ParameterStore ps = new ParameterStore(scope, false);
      NDList current = new NDList(x);
      for (Block stage : stages) {
        try (NDManager step = scope.newSubManager()) {
          current.attach(step);
          NDList next = stage.forward(ps, current, false);
          next.attach(scope);
          current = next;
        }
      }
      return current.singletonOrThrow();
    }
    NDList outputs;
    if (method.equals("forward")) {
      outputs = model.getBlock().forward(new ParameterStore(scope, false), new NDList(x), false);
    } else {
      try (IValue in = IValue.from((PtNDArray) x);
          IValue result = IValueUtils.runMethod((PtSymbolBlock) model.getBlock(), method, in)) {
        outputs = result.toNDList((PtNDManager) scope);
      }
    }
    if (outputIndex >= outputs.size()) {
      throw new IllegalArgumentException("Model '" + spec.model() + "' " + method + " returns "
          + outputs.size() + " output(s); layer '" + spec.layer() + "' asks for output "
          + outputIndex + ".");
    }
    return outputs.get(outputIndex);
  }

  @Override
  public void close() {
    model.close();
  }
}
