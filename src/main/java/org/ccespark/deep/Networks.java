package org.ccespark.deep;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The clustering networks of the paper's appendix E.1, as {@link DeepNetwork}s (backbone plus the
 * linear softmax head): VGG4 exactly as its Table 8, in three input variants.
 *
 * <p>Weights start from DJL's defaults, drawn from the engine's generator seeded by the factory's
 * {@code seed}: convolution weights Kaiming-normal (fan in), biases zero, batch-normalisation scale
 * one and shift zero; the head as {@link DeepNetwork} makes it.
 */
public final class Networks {
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
    /** MNIST: {@code 1×28×28}, stride 1, 64/128/256/512 filters, head {@code Linear(512·3·3, K)}. */
    GREY28(1, 28, 1, 64, 3),
    /** CIFAR-10/100: {@code 3×32×32}, stride 1, 32/64/128/256 filters, {@code Linear(256·4·4, K)}. */
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

    /** @see #forImage(long, long, long) */
    public static Vgg4Variant forImage(Shape imageShape) {
      requireImageShape(imageShape);
      return forImage(imageShape.get(0), imageShape.get(1), imageShape.get(2));
    }
  }

  /**
   * VGG4 as in the paper's Table 8 (appendix E.1): four stages of
   * {@code Conv(5×5, s, p=2) → BatchNorm → ReLU → MaxPool(2×2, s=2)} (no pooling after the fourth),
   * then flatten, then the head {@code Linear(D, K)}. The backbone's children are the four stages
   * (each a {@link SequentialBlock} in that order) and the flatten.
   *
   * @param variant the input variant
   * @param k number of clusters
   * @param device where the network lives
   * @param seed seed of the initial weights
   * @return the network, described as {@link Vgg4Variant#description()}
   */
  public static DeepNetwork vgg4(Vgg4Variant variant, int k, Device device, long seed) {
    Objects.requireNonNull(variant, "variant");
    SequentialBlock backbone = new SequentialBlock();
    for (int stage = 0; stage < Vgg4Variant.STAGES; stage++) {
      SequentialBlock s = new SequentialBlock()
          .add(Conv2d.builder()
              .setKernelShape(new Shape(Vgg4Variant.KERNEL, Vgg4Variant.KERNEL))
              .optStride(new Shape(variant.stride, variant.stride))
              .optPadding(new Shape(Vgg4Variant.PADDING, Vgg4Variant.PADDING))
              .setFilters(variant.filters(stage))
              .build())
          .add(BatchNorm.builder().build())
          .add(Activation.reluBlock());
      if (stage < Vgg4Variant.STAGES - 1) {
        s.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
      }
      backbone.add(s);
    }
    backbone.add(Blocks.batchFlattenBlock());
    DeepNetwork net = new DeepNetwork(variant.description(), backbone, variant.imageShape(), k,
        device, seed);
    if (net.featureDimension() != variant.featureDimension()) {
      net.close();
      throw new IllegalStateException("VGG4 " + variant + " gives " + net.featureDimension()
          + " features instead of Table 8's " + variant.featureDimension() + ".");
    }
    return net;
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
