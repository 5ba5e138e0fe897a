package org.ccespark.deep;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.ccespark.features.DjlEngine;

/**
 * The clustering networks of the paper's appendix E.1, as {@link DeepNetwork}s (backbone plus the
 * linear softmax head): VGG4 exactly as its Table 8 in three input variants
 * ({@link #vgg4}), ResNet-18 ({@link #resnet18}), a TorchScript backbone trained through DJL's
 * PyTorch engine ({@link #torchScript}), and {@link #byName} choosing one for the command line.
 * {@link #initBackbone} starts a backbone from saved parameters (a pretext-trained backbone or one
 * from an earlier run).
 *
 * <p>Weights of the DJL-built backbones start from DJL's defaults, drawn from the engine's
 * generator seeded by the factory's {@code seed}: convolution weights Kaiming-normal (fan in),
 * biases zero, batch-normalisation scale one and shift zero; the head as {@link DeepNetwork} makes
 * it. Batch normalisation uses DJL's defaults, {@code ε = 1e-5} and running statistics updated as
 * {@code 0.9·old + 0.1·batch} (PyTorch's momentum 0.1) in every forward pass made with
 * {@code training = true}.
 */
public final class Networks {
  /** The network names {@link #byName} takes besides a TorchScript file. */
  public static final List<String> NAMES = List.of("vgg4", "vgg4-slim", "resnet18");
  /** {@link #vgg4Slim}: VGG4's filters divided by this. */
  public static final int SLIM_FILTER_DIVISOR = 4;
  /** {@link #vgg4Slim}: units of the embedding layer, the backbone's feature dimension. */
  public static final int SLIM_FEATURES = 512;

  /** Filters of ResNet-18's stem and four stages; two basic residual units per stage. */
  private static final int[] RESNET18_FILTERS = {64, 64, 128, 256, 512};

  private Networks() {}

  /**
   * The three input variants of VGG4 in the paper's Table 8 (E.1). Each has four stages; a stage is
   * {@code Conv(5×5, stride s, padding 2)@filters → BatchNorm → ReLU → MaxPool(2×2, stride 2)},
   * the table's order with batch normalisation placed after each convolution as its caption says,
   * and the fourth stage has no pooling. The backbone ends by flattening the last stage, so it
   * gives the {@link #featureDimension()} inputs of the table's {@code Linear(·, K)}, which is the
   * head of the {@link DeepNetwork}.
   */
  public enum Vgg4Variant {
    /** MNIST: {@code 1×28×28}, stride 1, 64/128/256/512 filters, {@code Linear(512·3·3, K)}. */
    GREY28(1, 28, 1, 64, 3),
    /** CIFAR-10/100: {@code 3×32×32}, stride 1, 32/64/128/256 filters, {@code Linear(4096, K)}. */
    RGB32(3, 32, 1, 32, 4),
    /** STL-10: {@code 3×96×96}, stride 2, 128/256/512/1024 filters, {@code Linear(1024·1·1, K)}. */
    RGB96(3, 96, 2, 128, 1);

    /** Convolution kernel side, padding and number of stages, the same in every variant. */
    static final int KERNEL = 5;
    static final int PADDING = 2;
    static final int STAGES = 4;

    private final int channels;
    private final int side;
    private final int stride;
    private final int firstFilters;
    private final int outputSide;

    Vgg4Variant(int channels, int side, int stride, int firstFilters, int outputSide) {
      this.channels = channels;
      this.side = side;
      this.stride = stride;
      this.firstFilters = firstFilters;
      this.outputSide = outputSide;
    }

    /** @return {@code (C, H, W)} of the images this variant takes */
    public Shape imageShape() {
      return new Shape(channels, side, side);
    }

    /** @return the convolutions' stride in every stage (Table 8's {@code s}) */
    public int stride() {
      return stride;
    }

    /**
     * @param stage 0 to 3
     * @return the number of filters of that stage's convolution (doubling from stage to stage)
     */
    public int filters(int stage) {
      if (stage < 0 || stage >= STAGES) {
        throw new IllegalArgumentException("VGG4 has stages 0 to 3, got " + stage + ".");
      }
      return firstFilters << stage;
    }

    /** @return the side of the last stage's feature maps (3, 4 or 1 in Table 8's head) */
    public int outputSide() {
      return outputSide;
    }

    /** @return the backbone's feature dimension: 4608, 4096 or 1024 */
    public long featureDimension() {
      return (long) filters(STAGES - 1) * outputSide * outputSide;
    }

    /** @return the network's description, e.g. {@code vgg4-grey28} */
    public String description() {
      return "vgg4-" + name().toLowerCase(Locale.ROOT);
    }

    /**
     * The variant for images of the given shape.
     *
     * @throws IllegalArgumentException if no variant takes that shape, listing the three
     */
    public static Vgg4Variant forImage(long channels, long height, long width) {
      for (Vgg4Variant v : values()) {
        if (v.channels == channels && v.side == height && v.side == width) {
          return v;
        }
      }
      throw new IllegalArgumentException("VGG4 (the paper's Table 8) takes images of "
          + Arrays.stream(values()).map(v -> v.name() + " " + shapeText(v.channels, v.side, v.side))
              .collect(Collectors.joining(", "))
          + " (channels×height×width); these are " + shapeText(channels, height, width)
          + ". Resize the images, or use resnet18.");
    }

    /**
     * The variant for images of shape {@code (C, H, W)}, as {@link #forImage(long, long, long)}.
     *
     * @throws IllegalArgumentException if the shape is not {@code (C, H, W)} or no variant takes
     *     it, listing the three
     */
    public static Vgg4Variant forImage(Shape imageShape) {
      requireImageShape(imageShape);
      return forImage(imageShape.get(0), imageShape.get(1), imageShape.get(2));
    }
  }

  /**
   * VGG4 as in the paper's Table 8 (appendix E.1): four stages of
   * {@code Conv(5×5, s, p=2) → BatchNorm → ReLU → MaxPool(2×2, s=2)} (no pooling after the fourth),
   * then flatten, then the head {@code Linear(D, K)}. The backbone's children are the four stages
   * (each a {@link SequentialBlock} in that order) and the flatten. The convolutions have biases
   * (PyTorch's default; Table 8 does not say), although the batch normalisation that follows
   * cancels them in training mode.
   *
   * @param variant the input variant
   * @param k number of clusters
   * @param device where the network lives
   * @param seed seed of the initial weights
   * @return the network, described as {@link Vgg4Variant#description()}
   */
  public static DeepNetwork vgg4(Vgg4Variant variant, int k, Device device, long seed) {
    Objects.requireNonNull(variant, "variant");
    SequentialBlock backbone = vgg4Stages(variant, 1).add(Blocks.batchFlattenBlock());
    DeepNetwork net = new DeepNetwork(variant.description(), backbone, variant.imageShape(), k,
        device, seed);
    if (net.featureDimension() != variant.featureDimension()) {
      net.close();
      throw new IllegalStateException("VGG4 " + variant + " gives " + net.featureDimension()
          + " features instead of Table 8's " + variant.featureDimension() + ".");
    }
    return net;
  }

  /**
   * A slim VGG4 with an embedding layer, for a supervised backbone whose features are few enough
   * to cluster (the strong-feature benchmark, {@code conf/models/}): the four stages of
   * {@link #vgg4} with a {@value #SLIM_FILTER_DIVISOR}th of Table 8's filters (16/32/64/128 for
   * {@code 1×28×28}), flatten, then {@code Linear(D/}{@value #SLIM_FILTER_DIVISOR}{@code ,}
   * {@value #SLIM_FEATURES}{@code ) → ReLU}: the backbone gives {@value #SLIM_FEATURES} features
   * (0.86 million backbone parameters for {@code 1×28×28}, against Table 8's 4.3 million and 4,608
   * features); the head is {@code Linear(}{@value #SLIM_FEATURES}{@code , K)}. Not a network of
   * the paper.
   *
   * @param variant the input variant
   * @param k number of classes or clusters
   * @param device where the network lives
   * @param seed seed of the initial weights
   * @return the network, described as {@link Vgg4Variant#description()} plus {@code -slim}
   */
  public static DeepNetwork vgg4Slim(Vgg4Variant variant, int k, Device device, long seed) {
    Objects.requireNonNull(variant, "variant");
    SequentialBlock backbone = vgg4Stages(variant, SLIM_FILTER_DIVISOR)
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(SLIM_FEATURES).build())
        .add(Activation.reluBlock());
    return new DeepNetwork(variant.description() + "-slim", backbone, variant.imageShape(), k,
        device, seed);
  }

  /** VGG4's four stages (Table 8) with the filters of each divided by {@code divisor}. */
  private static SequentialBlock vgg4Stages(Vgg4Variant variant, int divisor) {
    SequentialBlock stages = new SequentialBlock();
    for (int stage = 0; stage < Vgg4Variant.STAGES; stage++) {
      SequentialBlock s = new SequentialBlock()
          .add(Conv2d.builder()
              .setKernelShape(new Shape(Vgg4Variant.KERNEL, Vgg4Variant.KERNEL))
              .optStride(new Shape(variant.stride, variant.stride))
              .optPadding(new Shape(Vgg4Variant.PADDING, Vgg4Variant.PADDING))
              .setFilters(variant.filters(stage) / divisor)
              .build())
          .add(BatchNorm.builder().build())
          .add(Activation.reluBlock());
      if (stage < Vgg4Variant.STAGES - 1) {
        s.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
      }
      stages.add(s);
    }
    return stages;
  }

  /**
   * The first layers ("stem") of {@link #resnet18}, chosen from the image side as in the code the
   * paper used for Table 4 (E.1: the SCAN repository's CIFAR and STL-10 ResNets) and, for larger
   * images, the standard PyTorch ResNet-18 of its Figure 2.
   */
  public enum ResNetStem {
    /**
     * Sides up to 32 (CIFAR, MNIST): {@code Conv(3×3, s=1, p=1)@64 → BatchNorm → ReLU}, no
     * pooling; the feature maps of the four stages are 32, 16, 8, 4 pixels for 32×32 images.
     */
    SMALL(32),
    /**
     * Sides 33 to 96 (STL-10): {@code Conv(3×3, s=1, p=1)@64 → BatchNorm → ReLU →
     * MaxPool(2×2, s=2, p=1)}; 96×96 images give maps of 49, 25, 13, 7 pixels.
     */
    MEDIUM(96),
    /**
     * Larger sides (ImageNet-like): {@code Conv(7×7, s=2, p=3)@64 → BatchNorm → ReLU →
     * MaxPool(3×3, s=2, p=1)}, torchvision's ResNet-18.
     */
    LARGE(Integer.MAX_VALUE);

    private final int maxSide;

    ResNetStem(int maxSide) {
      this.maxSide = maxSide;
    }

    /**
     * @param side the smaller of the image's height and width
     * @return the stem for that side
     */
    public static ResNetStem forSide(long side) {
      for (ResNetStem s : values()) {
        if (side <= s.maxSide) {
          return s;
        }
      }
      throw new AssertionError(side);
    }

    Block build() {
      SequentialBlock stem = new SequentialBlock();
      int kernel = this == LARGE ? 7 : 3;
      stem.add(Conv2d.builder()
          .setKernelShape(new Shape(kernel, kernel))
          .optStride(this == LARGE ? new Shape(2, 2) : new Shape(1, 1))
          .optPadding(new Shape(kernel / 2, kernel / 2))
          .optBias(false)
          .setFilters(RESNET18_FILTERS[0])
          .build())
          .add(BatchNorm.builder().build())
          .add(Activation.reluBlock());
      if (this == MEDIUM) {
        stem.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2), new Shape(1, 1)));
      } else if (this == LARGE) {
        stem.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
      }
      return stem;
    }
  }

  /**
   * ResNet-18 without its classification layer: a stem ({@link ResNetStem}, from the image side),
   * four stages of two basic residual units (64, 128, 256, 512 filters; the first unit of stages
   * 2-4 halves the map with stride 2 and a 1×1 projection shortcut), global average pooling and
   * flatten: 512 features for any {@code C×H×W} of at least 1 pixel after the stem.
   *
   * <p>The residual units are DJL's ({@link ResNetV1#residualUnit} with {@code bottleneck=false}:
   * {@code Conv3×3 → BN → ReLU → Conv3×3 → BN}, plus the shortcut, then ReLU; convolutions without
   * bias; BN {@code ε=1e-5}, momentum 0.9). {@code ResNetV1.builder().setNumLayers(18)} itself is
   * not used because in DJL 0.36 it is not a ResNet-18: for any image side above 28 it builds
   * bottleneck units of width {@code filters/4} (about 0.89 million parameters instead of 11.2
   * million), for sides up to 28 it refuses 18 layers, and for sides up to 32 its stem is a bare
   * 3×3 convolution without batch normalisation or ReLU.
   *
   * <p>The backbone's trainable parameters number 11,168,832 with the 3×3 stems of 3-channel images
   * (11,167,680 for 1 channel) and 11,176,512 with the 7×7 stem, exactly torchvision's
   * {@code resnet18} without its {@code fc} layer.
   *
   * @param imageShape {@code (C, H, W)} of the images
   * @param k number of clusters
   * @param device where the network lives
   * @param seed seed of the initial weights
   * @return the network, described as {@code resnet18-small}, {@code -medium} or {@code -large}
   */
  public static DeepNetwork resnet18(Shape imageShape, int k, Device device, long seed) {
    requireImageShape(imageShape);
    ResNetStem stem = ResNetStem.forSide(Math.min(imageShape.get(1), imageShape.get(2)));
    SequentialBlock backbone = new SequentialBlock().add(stem.build());
    float momentum = 0.9f;
    for (int stage = 1; stage < RESNET18_FILTERS.length; stage++) {
      int filters = RESNET18_FILTERS[stage];
      boolean first = stage == 1;
      backbone.add(ResNetV1.residualUnit(filters, first ? new Shape(1, 1) : new Shape(2, 2),
          first, false, momentum));
      backbone.add(ResNetV1.residualUnit(filters, new Shape(1, 1), true, false, momentum));
    }
    backbone.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
    try {
      return new DeepNetwork("resnet18-" + stem.name().toLowerCase(Locale.ROOT), backbone,
          imageShape, k, device, seed);
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException("ResNet-18 cannot run on images of shape " + imageShape
          + " (" + e.getMessage() + ").", e);
    }
  }

  /**
   * A backbone read from a TorchScript file (for example a ResNet-18 trained by a pretext task and
   * exported with {@code torch.jit.script} or {@code torch.jit.trace}), trained through DJL's
   * PyTorch engine: its features are the first output of {@code forward} (a tensor, or the first
   * element of a returned tuple), flattened. The module is loaded with DJL's {@code trainParam}
   * option, so every parameter it lists gets gradients in backward and is returned by
   * {@link DeepNetwork#backboneParameters()}; parameters that do not feed the first output (say an
   * exported classifier) get zero gradients. Batch normalisation inside the module follows the
   * {@code training} flag of each forward pass. A pass with {@code training = false} runs under
   * libtorch's inference mode, so it cannot be differentiated: take gradients from training-mode
   * passes only. {@link DeepNetwork#save} writes the whole module, buffers included.
   *
   * @param file the {@code .pt} file
   * @param imageShape {@code (C, H, W)} of the images the module takes
   * @param k number of clusters
   * @param device where the network lives
   * @param seed seed of the head's initial weights
   * @return the network, described as {@code torchscript:<file name>}
   * @throws IllegalArgumentException if the file is missing, is not TorchScript, or the module
   *     cannot run on images of that shape
   */
  public static DeepNetwork torchScript(Path file, Shape imageShape, int k, Device device,
      long seed) {
    Objects.requireNonNull(file, "file");
    requireImageShape(imageShape);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("TorchScript file '" + file + "' does not exist.");
    }
    Path path = file.toAbsolutePath();
    DjlEngine.get(false);
    Model model = Model.newInstance(path.getFileName().toString(), device, DjlEngine.ENGINE);
    DeepNetwork net;
    try {
      model.load(path, null, Map.of("trainParam", "true", "mapLocation", "true"));
      TorchScriptBackbone backbone =
          new TorchScriptBackbone((PtSymbolBlock) model.getBlock(), "'" + file + "'");
      net = new DeepNetwork("torchscript:" + path.getFileName(), backbone, imageShape, k, device,
          seed);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new IllegalArgumentException("Cannot use '" + file + "' as a TorchScript backbone for"
          + " images of shape " + imageShape + " (" + lastLine(e.getMessage()) + ").", e);
    }
    // the module lives in the model's manager: free it with the network
    net.manager().attachInternal("torchscript-model-" + System.identityHashCode(model), model);
    return net;
  }

  /**
   * The network for a command-line name.
   *
   * @param spec {@code vgg4} (the Table 8 variant for the image shape), {@code vgg4-slim}
   *     ({@link #vgg4Slim}), {@code resnet18}, or the
   *     path of a TorchScript file ending in {@code .pt}
   * @param imageShape {@code (C, H, W)} of the images
   * @param k number of clusters
   * @param device where the network lives
   * @param seed seed of the initial weights
   * @throws IllegalArgumentException for an unknown name, listing the choices
   */
  public static DeepNetwork byName(String spec, Shape imageShape, int k, Device device,
      long seed) {
    Objects.requireNonNull(spec, "spec");
    requireImageShape(imageShape);
    String name = spec.trim();
    switch (name.toLowerCase(Locale.ROOT)) {
      case "vgg4":
        return vgg4(Vgg4Variant.forImage(imageShape), k, device, seed);
      case "vgg4-slim":
        return vgg4Slim(Vgg4Variant.forImage(imageShape), k, device, seed);
      case "resnet18":
        return resnet18(imageShape, k, device, seed);
      default:
        if (name.toLowerCase(Locale.ROOT).endsWith(".pt")) {
          return torchScript(Path.of(name), imageShape, k, device, seed);
        }
        throw new IllegalArgumentException("Unknown network '" + spec + "': use vgg4 (the paper's"
            + " Table 8, for 1×28×28, 3×32×32 or 3×96×96 images), vgg4-slim (the same at a"
            + " quarter of the filters, with 512 features), resnet18, or the path of a"
            + " TorchScript file ending in .pt.");
    }
  }

  /**
   * Replaces the backbone's parameters by those in {@code file}, as
   * {@link DeepNetwork#saveBackbone} writes them (a pretext-trained backbone, or the backbone of
   * an earlier run); the head keeps its own. If the file does not hold a backbone of this
   * network's architecture, the network is left as it was.
   *
   * @param net the network
   * @param file the saved backbone
   * @throws IllegalArgumentException if the file is missing or holds another architecture
   * @throws UncheckedIOException if the file cannot be read
   */
  public static void initBackbone(DeepNetwork net, Path file) {
    Objects.requireNonNull(net, "net");
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("Backbone file '" + file + "' does not exist.");
    }
    List<String> expected = parameterShapes(net.backbone());
    ByteArrayOutputStream backup = new ByteArrayOutputStream();
    net.saveBackbone(backup);
    String problem;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      net.loadBackbone(in);
      List<String> loaded = parameterShapes(net.backbone());
      if (!loaded.equals(expected)) {
        problem = "its parameters are " + difference(loaded, expected);
      } else if (in.read() != -1) {
        problem = "it goes on after the parameters of this backbone";
      } else {
        return;
      }
    } catch (UncheckedIOException e) { // the stream ended early or held something else
      problem = e.getCause() instanceof EOFException ? "it ends too early"
          : "reading it fails: " + lastLine(e.getCause().getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read backbone file '" + file + "': " + e, e);
    } catch (RuntimeException e) {
      problem = "reading it fails: " + lastLine(e.getMessage());
    }
    net.loadBackbone(new ByteArrayInputStream(backup.toByteArray()));
    throw new IllegalArgumentException("Backbone file '" + file + "' does not hold a backbone of "
        + net.description() + " for images " + net.imageShape() + " (" + problem + "). It must"
        + " be written by saveBackbone of a network of the same architecture.");
  }

  /** The last non-blank line of a message: libtorch puts a TorchScript traceback before it. */
  static String lastLine(String message) {
    if (message == null) {
      return "no message";
    }
    String[] lines = message.strip().split("\\R");
    return lines[lines.length - 1].strip();
  }

  private static List<String> parameterShapes(Block block) {
    List<String> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      out.add(p.getKey() + " " + p.getValue().getArray().getShape());
    }
    return out;
  }

  private static String difference(List<String> loaded, List<String> expected) {
    for (int i = 0; i < Math.min(loaded.size(), expected.size()); i++) {
      if (!loaded.get(i).equals(expected.get(i))) {
        return loaded.get(i) + " where this backbone has " + expected.get(i);
      }
    }
    return loaded.size() + " arrays where this backbone has " + expected.size();
  }

  static void requireImageShape(Shape imageShape) {
    Objects.requireNonNull(imageShape, "imageShape");
    if (imageShape.dimension() != 3) {
      throw new IllegalArgumentException("Image shape must be (channels, height, width), got "
          + imageShape + ".");
    }
  }

  private static String shapeText(long c, long h, long w) {
    return c + "×" + h + "×" + w;
  }
}
