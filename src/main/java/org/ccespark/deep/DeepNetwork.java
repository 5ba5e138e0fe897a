package org.ccespark.deep;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ccespark.features.DjlEngine;

/**
 * A clustering network: a backbone (images {@code N×C×H×W} to features {@code N×D}) followed by
 * the linear softmax head {@code σ = softmax(Wᵀf + b)} of the paper (its {@code K} logits), trained
 * jointly as in the paper's section 5.2. The parameters live in this network's own DJL manager on
 * its device (a GPU when one was asked for); {@link #close} frees them.
 *
 * <p>The backbone and the head are kept apart because E.2 trains them with different learning
 * rates ({@link #backboneParameters}, {@link #headParameters}).
 */
public final class DeepNetwork implements AutoCloseable {
  private final String description;
  private final NDManager manager;
  private final Block backbone;
  private final Linear head;
  private final Shape imageShape;
  private final int k;
  private final long featureDimension;
  /** Caches parameter arrays, so it is replaced whenever {@link #load} replaces them. */
  private ParameterStore store;

  /**
   * Initialises the backbone (unless it already is, as a loaded TorchScript block) and a new head
   * with the engine's random generator seeded by {@code seed}.
   *
   * @param description what the network is, for logs and metadata (e.g. {@code vgg4-grey28})
   * @param backbone maps {@code N×C×H×W} float images to {@code N×D} (or any {@code N×…}, which is
   *     flattened to {@code N×D})
   * @param imageShape {@code (C, H, W)} of one image
   * @param k number of clusters, at least 1
   * @param device where the parameters live and the network runs
   * @param seed seed of the initial weights
   */
  public DeepNetwork(String description, Block backbone, Shape imageShape, int k, Device device,
      long seed) {
    this.description = Objects.requireNonNull(description, "description");
    this.backbone = Objects.requireNonNull(backbone, "backbone");
    Objects.requireNonNull(imageShape, "imageShape");
    Objects.requireNonNull(device, "device");
    if (imageShape.dimension() != 3 || imageShape.size() <= 0) {
      throw new IllegalArgumentException("Image shape must be (channels, height, width), got "
          + imageShape + ".");
    }
    if (k < 1) {
      throw new IllegalArgumentException("Number of clusters k must be at least 1, got " + k + ".");
    }
    this.imageShape = imageShape;
    this.k = k;
    Engine engine = DjlEngine.get(false);
    engine.setRandomSeed((int) (seed ^ (seed >>> 32)));
    this.manager = engine.newBaseManager(device);
    Shape batchShape = new Shape(1).addAll(imageShape);
    if (!backbone.isInitialized()) {
      backbone.initialize(manager, DataType.FLOAT32, batchShape);
    }
    this.store = new ParameterStore(manager, false);
    this.featureDimension = probeFeatureDimension(batchShape);
    this.head = Linear.builder().setUnits(k).build();
    head.initialize(manager, DataType.FLOAT32, new Shape(1, featureDimension));
  }

  private long probeFeatureDimension(Shape batchShape) {
    try (NDManager probe = manager.newSubManager()) {
      NDArray out = backbone.forward(store, new NDList(probe.zeros(batchShape)), false).head();
      long d = out.getShape().size() / out.getShape().get(0);
      if (d < 1) {
        throw new IllegalArgumentException("Backbone " + description + " gives an empty output "
            + out.getShape() + " for images of shape " + imageShape + ".");
      }
      return d;
    }
  }

  /**
   * Runs backbone and head. Inside an open {@link ai.djl.training.GradientCollector} the result is
   * recorded for {@code backward}.
   *
   * @param images {@code N×C×H×W} float32 on this network's device
   * @param training whether batch normalisation uses (and updates) batch statistics
   * @return logits {@code N×K}
   */
  public NDArray logits(NDArray images, boolean training) {
    return head.forward(store, new NDList(backboneOutput(images, training)), training).head();
  }

  /**
   * The head alone, in inference mode: the logits of given features.
   *
   * @param features {@code N×D}
   * @return logits {@code N×K}
   */
  public NDArray head(NDArray features) {
    return head.forward(store, new NDList(features), false).head();
  }

  /**
   * The backbone's features in inference mode (batch normalisation with running statistics).
   *
   * @param images {@code N×C×H×W} float32 on this network's device
   * @return {@code N×D}
   */
  public NDArray features(NDArray images) {
    return backboneOutput(images, false);
  }

  private NDArray backboneOutput(NDArray images, boolean training) {
    Shape s = images.getShape();
    if (s.dimension() != 4 || !s.slice(1).equals(imageShape)) {
      throw new IllegalArgumentException("Network " + description + " takes images of shape N×"
          + imageShape + ", got " + s + ".");
    }
    NDArray out = backbone.forward(store, new NDList(images), training).head();
    return out.reshape(s.get(0), featureDimension);
  }

  /** @return the backbone's trainable parameters (gradients attached), in a fixed order */
  public List<Parameter> backboneParameters() {
    return trainable(backbone);
  }

  /** @return the head's trainable parameters: its weight and bias */
  public List<Parameter> headParameters() {
    return trainable(head);
  }

  private static List<Parameter> trainable(Block block) {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      if (p.getValue().requiresGradient()) {
        out.add(p.getValue());
      }
    }
    return out;
  }

  /**
   * Writes every parameter of backbone and head, batch-normalisation running statistics included.
   *
   * @param out the stream (not closed)
   */
  public void save(OutputStream out) {
    try {
      DataOutputStream data = new DataOutputStream(out);
      data.writeUTF(description);
      data.writeInt(k);
      data.writeLong(featureDimension);
      backbone.saveParameters(data);
      head.saveParameters(data);
      data.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the parameters of " + description + ": " + e, e);
    }
  }

  /**
   * Reads parameters written by {@link #save} of a network of the same kind.
   *
   * @param in the stream (not closed)
   * @throws IllegalArgumentException if the stream holds another network, naming both
   */
  public void load(InputStream in) {
    try {
      DataInputStream data = new DataInputStream(in);
      String savedDescription = data.readUTF();
      int savedK = data.readInt();
      long savedD = data.readLong();
      if (!savedDescription.equals(description) || savedK != k || savedD != featureDimension) {
        throw new IllegalArgumentException("Saved parameters are of " + savedDescription + " with k="
            + savedK + " and " + savedD + " features; this network is " + description + " with k="
            + k + " and " + featureDimension + " features.");
      }
      backbone.loadParameters(manager, data);
      head.loadParameters(manager, data);
      afterLoad();
    } catch (IOException | MalformedModelException e) {
      throw new UncheckedIOException("Cannot read the parameters of " + description + ": " + e,
          e instanceof IOException io ? io : new IOException(e));
    }
  }

  /**
   * Reads only the backbone's parameters, as {@link Block#saveParameters} of the backbone block
   * writes them (a pretext-trained backbone, or one saved by {@link #saveBackbone}).
   *
   * @param in the stream (not closed)
   */
  public void loadBackbone(InputStream in) {
    try {
      backbone.loadParameters(manager, new DataInputStream(in));
      afterLoad();
    } catch (IOException | MalformedModelException e) {
      throw new UncheckedIOException("Cannot read backbone parameters for " + description + ": "
          + e, e instanceof IOException io ? io : new IOException(e));
    }
  }

  /**
   * Loading replaces the parameter arrays by new ones, which DJL does not mark for gradients:
   * mark the trainable ones again (else the next backward fails), and drop the cached arrays.
   */
  private void afterLoad() {
    for (Parameter p : backboneParameters()) {
      p.getArray().setRequiresGradient(true);
    }
    for (Parameter p : headParameters()) {
      p.getArray().setRequiresGradient(true);
    }
    store = new ParameterStore(manager, false);
  }

  /**
   * Writes only the backbone's parameters (the format {@link #loadBackbone} reads).
   *
   * @param out the stream (not closed)
   */
  public void saveBackbone(OutputStream out) {
    try {
      DataOutputStream data = new DataOutputStream(out);
      backbone.saveParameters(data);
      data.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the backbone of " + description + ": " + e, e);
    }
  }

  /** @return the manager owning the parameters; make batch arrays in sub-managers of it */
  public NDManager manager() {
    return manager;
  }

  /** @return the backbone block (for shape inspection) */
  public Block backbone() {
    return backbone;
  }

  /** @return {@code (C, H, W)} of one image */
  public Shape imageShape() {
    return imageShape;
  }

  /** @return the number of clusters {@code K} */
  public int k() {
    return k;
  }

  /** @return the backbone's feature dimension {@code D} */
  public long featureDimension() {
    return featureDimension;
  }

  /** @return what the network is */
  public String description() {
    return description;
  }

  /** @return the device the parameters live on */
  public Device device() {
    return manager.getDevice();
  }

  @Override
  public void close() {
    manager.close();
  }
}
