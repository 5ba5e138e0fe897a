package org.ccespark.pipeline;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.PixelInput;
import org.ccespark.deep.DeepClusteringTrainer;
import org.ccespark.deep.DeepInput;
import org.ccespark.deep.DeepModel;
import org.ccespark.deep.DeepNetwork;
import org.ccespark.deep.TrainingImages;
import org.ccespark.features.DjlEngine;

/**
 * The features a train-deep network gives a dataset's images.
 *
 * @param rows {@code id}, {@code label} (when the images have labels), {@code features}, in
 *     the images' order, held in memory on the driver until written
 * @param images number of images
 * @param dimension feature dimension
 * @param hasLabel whether the images have labels
 * @param network the network's description, e.g. {@code vgg4-grey28-slim}
 * @param imageShape {@code (C, H, W)} the images were converted to
 */
public record NetworkFeatures(Dataset<Row> rows, int images, int dimension, boolean hasLabel,
    String network, long[] imageShape) {


  /**
   * Runs a network trained by {@code train-deep} on a dataset's images, on the driver: every
   * image converted to the network's shape and normalised as in training, then the backbone.
   *
   * @param spark the session (a feature table of pixels is read with it)
   * @param modelDir the model folder ({@link DeepModel#folderOf})
   * @param input a dataset path or name, or a feature table of pixels (as train-deep reads)
   * @param format the dataset's format, or auto
   * @param device auto, cpu or gpu
   * @param batch images per forward pass
   * @return the features
   */
  public static NetworkFeatures of(SparkSession spark, Path modelDir, String input,
      String format, String device, int batch) {
    DeepModel model = DeepModel.read(modelDir);
    try (DeepInput in = DeepInput.open(PixelInput.open(spark, input, ImageFrames.Selection.ALL,
            PixelInput.Options.of(format), DeepInput.imageShape(model.imageShape())));
        DeepNetwork net = model.load(modelDir, DjlEngine.device(device))) {
      TrainingImages images = in.images();
      int d = (int) net.featureDimension();
      float[] features = new float[Math.multiplyExact(images.size(), d)];
      DeepClusteringTrainer.predict(net, model.normalization(), images, batch, features, null);
      return new NetworkFeatures(DeepOutputs.featureRows(spark, images, features, d),
          images.size(), d, images.hasLabels(), net.description(),
          model.imageShape().getShape());
    }
  }
}
