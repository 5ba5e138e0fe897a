package org.ccespark.deep;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model folder {@code train-deep} writes ({@code DIR/model/}) and reading it back:
 * {@value #NETWORK_FILE} (every parameter, {@link DeepNetwork#save}), {@value #BACKBONE_FILE} (the
 * backbone alone, for {@code --init}) and {@value #JSON_FILE} (network name, image shape, K, the
 * normalisation and the training settings).
 *
 * @param network the network as named on the command line ({@code vgg4}, {@code resnet18}, a file)
 * @param imageShape {@code (C, H, W)}
 * @param k number of clusters
 * @param normalization the per-channel normalisation of the training images
 */
public record DeepModel(String network, Shape imageShape, int k, ImageTensors.ChannelStatistics normalization) {
  /** Every parameter of the trained network. */
  public static final String NETWORK_FILE = "network.params";
  /** The backbone's parameters alone. */
  public static final String BACKBONE_FILE = "backbone.params";
  /** What the network is. */
  public static final String JSON_FILE = "model.json";

  /**
   * The content of {@value #JSON_FILE}, written by Jackson (fields in this order).
   *
   * @param network the network as named on the command line
   * @param imageShape {@code (C, H, W)}
   * @param k number of clusters
   * @param normalizationMean per-channel mean of the training images
   * @param normalizationStd per-channel standard deviation of the training images
   * @param settings every training setting by name ({@link DeepSettings#asMap()})
   */
  public record Description(String network, long[] imageShape, int k, float[] normalizationMean,
      float[] normalizationStd, Map<String, String> settings) {}

  /**
   * The content of {@value #JSON_FILE}.
   *
   * @return the description, for Jackson
   */
  public static Description describe(String network, Shape imageShape, int k,
      ImageTensors.ChannelStatistics normalization, DeepSettings settings) {
    return new Description(network, imageShape.getShape(), k, normalization.mean(),
        normalization.std(), settings.asMap());
  }

  /**
   * The model folder a path names: the path itself when it holds {@value #JSON_FILE}, or its
   * {@code model} sub-folder when that does (a {@code train-deep} output folder).
   *
   * @param path a folder
   * @return the model folder, or null when the path is neither
   */
  public static Path folderOf(Path path) {
    if (Files.isRegularFile(path.resolve(JSON_FILE))) {
      return path;
    }
    Path inner = path.resolve("model");
    return Files.isRegularFile(inner.resolve(JSON_FILE)) ? inner : null;
  }

  /**
   * Reads a model folder's description.
   *
   * @param dir the {@code model} folder
   * @return the description
   * @throws UncheckedIOException if it cannot be read, naming the file
   */
  public static DeepModel read(Path dir) {
    Path json = dir.resolve(JSON_FILE);
    try {
      JsonNode root = new ObjectMapper().readTree(json.toFile());
      long[] shape = new ObjectMapper().convertValue(root.get("imageShape"), long[].class);
      float[] mean = new ObjectMapper().convertValue(root.get("normalizationMean"), float[].class);
      float[] std = new ObjectMapper().convertValue(root.get("normalizationStd"), float[].class);
      return new DeepModel(root.get("network").asText(), new Shape(shape), root.get("k").asInt(),
          new ImageTensors.ChannelStatistics(mean, std));
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException("Cannot read the model description " + json + ": " + e,
          e instanceof IOException io ? io : new IOException(e));
    }
  }

  /**
   * Rebuilds the trained network from a model folder.
   *
   * @param dir the {@code model} folder
   * @param device where to put it
   * @return the network with the trained parameters
   */
  public DeepNetwork load(Path dir, Device device) {
    DeepNetwork net = Networks.byName(network, imageShape, k, device, 0);
    try (InputStream in = new java.io.BufferedInputStream(
        Files.newInputStream(dir.resolve(NETWORK_FILE)))) {
      net.load(in);
      return net;
    } catch (IOException | RuntimeException e) {
      net.close();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("Cannot read " + dir.resolve(NETWORK_FILE) + ": " + io, io);
      }
      throw (RuntimeException) e;
    }
  }
}
