package org.ccespark.app;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.app.CommandLine.Command;
import org.ccespark.app.CommandLine.Option;
import org.ccespark.app.CommandLine.Parsed;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.ImageShape;
import org.ccespark.data.PixelInput;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDatasets;
import org.ccespark.deep.DeepClusteringTrainer;
import org.ccespark.deep.DeepInput;
import org.ccespark.deep.DeepModel;
import org.ccespark.deep.DeepNetwork;
import org.ccespark.deep.DeepSettings;
import org.ccespark.deep.ImageAugmentation;
import org.ccespark.deep.ImageTensors;
import org.ccespark.deep.Networks;
import org.ccespark.deep.TrainingImages;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.features.DjlEngine;
import org.ccespark.features.ImageFeatures;
import org.ccespark.spark.FolderLock;

/**
 * {@code train-deep}: deep clustering (the paper's sections 5.2–5.3): a network trained from the
 * images jointly with pseudo-labels, on the driver's GPU or CPU; writes the model, the learned
 * features (a Parquet folder {@code cluster} reads), predictions and metrics.
 */
final class TrainDeepCommand {
  static final Command COMMAND = new Command("train-deep",
      "--input PATH|NAME --output DIR [--network vgg4|vgg4-slim|resnet18|FILE.pt] [--k K]"
          + " [options]",
      "deep clustering: a network (VGG4, ResNet-18, TorchScript) trained by collision CE",
      "Trains a network and its linear softmax head jointly with pseudo-labels, the paper's"
          + " Algorithm 2 with a network (sections 5.2-5.3, appendix E): per batch of images the"
          + " pseudo-labels are warm-started from the network's output and solved by the"
          + " method's solver (CCE: the EM of eq. 14 with the Newton M-step), and the network"
          + " takes one Adam step on the method's loss plus the self-augmentation term (each"
          + " image's augmentation should predict the image's pseudo-label; weight"
          + " --augmentation-weight) and, with --seed-fraction, the cross-entropy of the"
          + " labelled seed images (weight --seed-label-weight; their pseudo-labels are fixed to"
          + " the label). The network runs on the driver: a GPU when DJL sees one (--device"
          + " auto), else the CPU. Images come from local files read by the driver (the formats"
          + " of convert and extract, or a dataset name) or from a feature table read with Spark"
          + " and collected to the driver: a folder of Parquet part files such as convert --to"
          + " parquet writes (or a Parquet, CSV or LibSVM file, or any path with --format"
          + " parquet|csv|libsvm) whose vector column (--features-col) holds each image's pixel"
          + " values in [0, 1] in height x width x channel order; --label-col (default label,"
          + " when there is one) gives labels and an id column the ids (else the row index). Its"
          + " shape is --image-shape C,H,W, or for vectors of 784, 3072 or 27648 values 1x28x28,"
          + " 3x32x32 or 3x96x96; --channels and --image-size do not apply to it."
          + "\n\nSupervised: --method " + DeepSettings.SUPERVISED + " trains the network on"
          + " the images' labels instead (plain cross-entropy; every image needs a label in 0..K-1;"
          + " no pseudo-labels, no lambda, no seeds; --augmentation-weight adds the"
          + " cross-entropy of each image's augmentation with its label): a backbone whose"
          + " features ('extract --model DIR/model') stand in for pretrained ones, as in"
          + " conf/models/."
          + "\n\nNetworks: vgg4 (Table 8 of the paper; the variant follows the image shape:"
          + " 1x28x28, 3x32x32 or 3x96x96), vgg4-slim (vgg4 with a quarter of the filters, then"
          + " Linear(., 512) and ReLU: 512 features; not the paper's), resnet18 (DJL's ResNet-18 without its classifier,"
          + " 512 features; --init FILE loads backbone weights, e.g. a pretext-trained backbone"
          + " saved by a previous run's model/backbone.params) or a TorchScript file whose"
          + " output are the features. Defaults follow E.2: VGG4 Adam rate 1e-4 for all"
          + " parameters, weight decay 0.01, batch 250; ResNet-18 and TorchScript rates 5e-2"
          + " (head) and 1e-5 (backbone), weight decay 1e-4, batch 200; 50 epochs; lambda 100"
          + " for CCE; augmentation weight 0.5 (E.2 uses 0.5, 0.2, 0.4 on STL10, CIFAR10,"
          + " CIFAR100-20); seed-label weight 2. Augmentations: greyscale images get a small"
          + " random affine transform (rotation, scale, shift; no flips), colour images a"
          + " padded random crop, horizontal flip and colour jitter; all seeded by --seed."
          + "\n\nProgress: a line per epoch (loss, solver iterations, ACC on --held-out, images"
          + " per second) and every 30 s within an epoch. --checkpoint-dir keeps the state after"
          + " every epoch; --resume continues from it and ends with the same weights as an"
          + " uninterrupted run (same device and threads)."
          + "\n\nDIR gets: model/ (network.params: every weight; backbone.params: the backbone"
          + " alone, for --init; model.json: network, image shape, K, normalisation, settings),"
          + " features/ (Parquet: id, label, features: the backbone's features of every training"
          + " image; 'cluster --input DIR/features' reads it), predictions.csv (row,label,"
          + " prediction) and predictions/ (Parquet with the probability vector), metrics.json"
          + " (ACC, NMI, ARI on the labelled training images, seeds left out; the epochs'"
          + " history; settings; timings; device). DIR appears only when complete."
          + "\n\n--config FILE reads options from a properties file (keys are option names"
          + " without the dashes, e.g. conf/experiments/deep-mnist.properties); options on the"
          + " command line win.",
      List.of(
          Option.value("--input", "PATH|NAME", "required", "training images: dataset path,"
              + " feature table or one of " + String.join(", ", DatasetCatalog.names())
              + " (here or in --config)"),
          Option.required("--output", "DIR", "output folder to create"),
          Option.value("--config", "FILE", "none", "properties file of options"),
          Option.value("--format", String.join("|", ImageDatasets.FORMATS) + "|"
              + String.join("|", DeepInput.TABLE_FORMATS), "auto", "dataset format (as for"
              + " convert), or a feature table's; auto also takes a folder of Parquet, CSV or"
              + " LibSVM part files, or such a file, as a feature table"),
          Option.value("--image-shape", "C,H,W", "784, 3072, 27648 values: 1,28,28, 3,32,32,"
              + " 3,96,96", "feature table: the images' shape (C 1 or 3)"),
          Option.value("--features-col", "NAME", FeatureInput.DEFAULT_FEATURES_COL,
              "feature table: the pixel vector column"),
          Option.value("--label-col", "NAME", "label, when there is one", "feature table: the"
              + " label column (class indices; null for unlabelled)"),
          Option.value("--limit", "N", "all", "train on N images: a seeded sample (--seed)"),
          Option.value("--network", "vgg4|vgg4-slim|resnet18|FILE.pt", "vgg4", "the network"),
          Option.value("--init", "FILE", "none", "backbone weights to start from (a"
              + " backbone.params written by train-deep, for the same network)"),
          Option.value("--image-size", "N", "the images' size", "resize images to N x N (not"
              + " for a feature table)"),
          Option.value("--channels", "1|3", "the images' channels", "3: grey images as three"
              + " equal channels (colour images cannot be made grey; not for a feature table)"),
          Option.value("--k", "K", "10", "number of clusters"),
          Option.value("--method", String.join("|", DeepSettings.METHODS), "cce",
              "self-labeling method (cce: the paper's), or " + DeepSettings.SUPERVISED
                  + ": supervised on the labels"),
          Option.value("--lambda", "X", "the method's default (CCE 100)", "fairness weight"),
          Option.value("--epochs", "N", "50", "epochs"),
          Option.value("--batch-size", "N", "250 (vgg4), 200 (others)", "images per step"),
          Option.value("--augmentation-weight", "W", "0.5", "self-augmentation term's weight;"
              + " 0 turns it off"),
          Option.value("--lr-head", "X", "1e-4 (vgg4), 5e-2 (others)", "Adam rate of the head"),
          Option.value("--lr-backbone", "X", "1e-4 (vgg4), 1e-5 (others)",
              "Adam rate of the backbone"),
          Option.value("--weight-decay", "X", "0.01 (vgg4), 1e-4 (others)", "L2 weight decay"),
          Option.value("--em-max-iter", "N", "1000", "most solver iterations per batch"),
          Option.value("--em-tol", "X", "1e-5", "solver tolerance"),
          Option.value("--seed-fraction", "F", "0", "semi-supervised: the labels of this"
              + " fraction of the training images (a seeded choice) are given"),
          Option.value("--seed-label-weight", "W", "2", "weight of the seeds' cross-entropy"),
          Option.value("--held-out", "PATH|NAME", "none", "labelled images to report ACC on"
              + " after every epoch (e.g. a test set; a dataset or a feature table)"),
          Option.value("--held-out-limit", "N", "2000", "seeded sample of the held-out images"),
          Option.value("--seed", "S", "0", "seed of weights, batch order, augmentations,"
              + " samples"),
          Option.value("--device", "auto|gpu|cpu", "auto", "auto: a GPU if DJL sees one"),
          Option.value("--checkpoint-dir", "DIR", "none", "keep the state after every epoch"),
          Option.flag("--resume", "continue from the checkpoint in --checkpoint-dir"),
          Option.flag("--overwrite", "replace DIR if it exists (once the new one is complete)")));

  /** No lower bound here: {@link DeepSettings} checks each setting's range and names it. */
  private static final double ANY = -Double.MAX_VALUE;

  private Parsed args;
  private final PrintStream out;

  TrainDeepCommand(Parsed args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  void run() {
    long t0 = System.nanoTime();
    if (args.has("--config")) {
      Path file = Path.of(args.string("--config", ""));
      Properties config = new Properties();
      try (InputStream in = Files.newInputStream(file)) {
        config.load(in);
      } catch (IOException e) {
        throw new UsageException("--config " + file + " cannot be read: " + e.getMessage());
      }
      Map<String, String> defaults = new LinkedHashMap<>();
      for (String key : config.stringPropertyNames()) {
        if (key.equals("config")) {
          throw new UsageException("--config " + file + ": a config cannot name another");
        }
        defaults.put(key, config.getProperty(key));
      }
      args = args.withDefaults(defaults, "--config " + file);
    }
    String input = args.string("--input", null);
    if (input == null) {
      throw new UsageException("--input is required (on the command line or in --config)");
    }
    String output = args.required("--output");
    String network = args.string("--network", "vgg4");
    long seed = args.integer("--seed", 0, 0);
    String method = args.choice("--method", DeepSettings.METHODS, "cce");
    DeepSettings defaults = DeepSettings.paperDefaults(network, method, seed);
    String device = args.choice("--device", DjlEngine.DEVICES, "auto");
    int k = args.integer("--k", 10, 1);
    DeepSettings settings;
    try {
      settings = new DeepSettings(method, args.number("--lambda", defaults.lambda(), ANY),
          args.integer("--em-max-iter", defaults.emMaxIter(), 1),
          args.number("--em-tol", defaults.emTol(), ANY),
          args.integer("--epochs", defaults.epochs(), 1),
          args.integer("--batch-size", defaults.batchSize(), 1),
          args.number("--augmentation-weight", defaults.augmentationWeight(), ANY),
          args.number("--lr-head", defaults.headLearningRate(), ANY),
          args.number("--lr-backbone", defaults.backboneLearningRate(), ANY),
          args.number("--weight-decay", defaults.weightDecay(), ANY),
          args.number("--seed-label-weight", defaults.seedLabelWeight(), ANY), seed);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    double seedFraction = args.number("--seed-fraction", 0, ANY);
    if (seedFraction < 0 || seedFraction > 1) {
      throw new UsageException("--seed-fraction must be in [0, 1], got " + seedFraction);
    }
    if (settings.supervised() && seedFraction > 0) {
      throw new UsageException("--seed-fraction does not apply to --method "
          + DeepSettings.SUPERVISED + ", which uses every image's label");
    }
    int limit = args.integer("--limit", 0, 1);
    Path checkpointDir = args.has("--checkpoint-dir")
        ? Path.of(args.string("--checkpoint-dir", "")) : null;
    if (args.has("--resume") && checkpointDir == null) {
      throw new UsageException("--resume needs --checkpoint-dir");
    }

    PixelInput.Options inputOptions = new PixelInput.Options(args.string("--format", "auto"),
        args.has("--channels") ? args.integer("--channels", 0, 1) : 0,
        args.has("--image-size") ? args.integer("--image-size", 0, 1) : 0,
        args.has("--image-shape") ? ImageShape.parse(args.string("--image-shape", ""),
            "--image-shape") : null,
        args.string("--features-col", null), args.string("--label-col", null));
    PixelInput.Options heldOutOptions = new PixelInput.Options("auto", 0, 0, null,
        inputOptions.featuresCol(), inputOptions.labelCol());

    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
            args.has("--overwrite"), OutputDir.Other.input("--input", input),
            OutputDir.Other.input("--held-out", args.string("--held-out", null)),
            OutputDir.Other.text("--config", args.string("--config", null)),
            OutputDir.Other.input("--init", args.string("--init", null)),
            OutputDir.Other.folder("--checkpoint-dir", args.string("--checkpoint-dir", null)));
        // one run at a time per checkpoint folder, refused before any input is read
        FolderLock lock = checkpointDir == null ? null : FolderLock.takeLocal(checkpointDir);
        DeepInput trainInput = DeepInput.open(PixelInput.open(spark, input,
            new ImageFrames.Selection(limit, limit == 0 ? null : seed), inputOptions, null));
        DeepInput heldOutInput = args.has("--held-out") ? DeepInput.open(PixelInput.open(spark,
            args.string("--held-out", ""), new ImageFrames.Selection(
                args.integer("--held-out-limit", 2000, 1), seed), heldOutOptions,
            DeepInput.imageShape(trainInput.shape()))) : null) {
      Shape shape = trainInput.shape();
      TrainingImages train = trainInput.images();
      TrainingImages heldOut = heldOutInput == null ? null : heldOutInput.images();
      if (heldOut != null) {
        heldOut.requireLabels("--held-out");
      }
      boolean[] seeds = seedFraction > 0 ? train.seedRows(seedFraction, seed, "--input") : null;
      Device dev = DjlEngine.device(device);
      out.printf("training %s on %,d images %s of %s (%s), K=%d, method %s, %d epochs, batch %d,"
          + " device %s%n", network, train.size(), shape, train.name(), input, k, method,
          settings.epochs(), settings.batchSize(), dev);
      try (DeepNetwork net = Networks.byName(network, shape, k, dev, seed)) {
        if (args.has("--init")) {
          Networks.initBackbone(net, Path.of(args.string("--init", "")));
        }
        ImageTensors.ChannelStatistics norm = ImageTensors.ChannelStatistics.of(train,
            (int) shape.get(0));
        DeepClusteringTrainer trainer = new DeepClusteringTrainer(net, settings,
            ImageAugmentation.defaultFor((int) shape.get(0), (int) shape.get(1),
                (int) shape.get(2)), norm);
        long tTrain = System.nanoTime();
        List<DeepClusteringTrainer.EpochStats> history = trainer.train(train, seeds, heldOut,
            checkpointDir, args.has("--resume"), s -> out.printf("epoch %d/%d: loss %.4f,"
                + " solver iterations %.1f, held-out ACC %s, %.1f images/s, %.1f s%n", s.epoch(),
                settings.epochs(), s.loss(), s.solverIterations(),
                Double.isNaN(s.heldOutAccuracy()) ? "-"
                    : String.format(Locale.ROOT, "%.4f", s.heldOutAccuracy()),
                s.imagesPerSecond(), s.seconds()));
        double trainSeconds = (System.nanoTime() - tTrain) / 1e9;
        int n = train.size();
        int d = (int) net.featureDimension();
        float[] features = new float[n * d];
        float[] probabilities = new float[n * k];
        int[] predictions = trainer.predict(train, settings.batchSize(), features, probabilities);
        writeOutputs(spark, dir, train, seeds, features, d, probabilities, k, predictions);
        try (OutputStream o = dir.create("model/" + DeepModel.NETWORK_FILE)) {
          net.save(o);
        }
        try (OutputStream o = dir.create("model/" + DeepModel.BACKBONE_FILE)) {
          net.saveBackbone(o);
        }
        dir.writeJson("model/" + DeepModel.JSON_FILE, DeepModel.describe(network, shape, k,
            norm, settings));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("command", "train-deep");
        metrics.put("input", input);
        metrics.put("images", n);
        metrics.put("network", net.description());
        metrics.put("imageShape", shape.toString());
        metrics.put("featureDimension", d);
        metrics.put("k", k);
        metrics.put("device", dev.toString());
        metrics.put("settings", settings.asMap());
        metrics.put("seedFraction", seedFraction);
        metrics.put("seedRows", count(seeds));
        Map<String, Object> scores = scores(train, seeds, predictions);
        metrics.putAll(scores);
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (DeepClusteringTrainer.EpochStats s : history) {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("epoch", s.epoch());
          e.put("loss", s.loss());
          e.put("augmentationLoss", finiteOrNull(s.augmentationLoss()));
          e.put("solverIterations", s.solverIterations());
          e.put("heldOutAccuracy", finiteOrNull(s.heldOutAccuracy()));
          e.put("imagesPerSecond", s.imagesPerSecond());
          e.put("seconds", s.seconds());
          epochs.add(e);
        }
        metrics.put("history", epochs);
        Map<String, Object> secs = new LinkedHashMap<>();
        secs.put("training", trainSeconds);
        secs.put("total", (System.nanoTime() - t0) / 1e9);
        metrics.put("seconds", secs);
        metrics.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        dir.writeJson("metrics.json", metrics);
        dir.commit();
        out.printf("trained in %.1f s%s%n", trainSeconds, scores.isEmpty() ? ""
            : String.format(Locale.ROOT, "; ACC %.4f, NMI %.4f, ARI %.4f on %s labelled images",
                scores.get("acc"), scores.get("nmi"), scores.get("ari"), scores.get("scoredRows")));
        out.printf("wrote %s: model/, features/, predictions.csv, predictions/, metrics.json;"
            + " next: %s cluster --input %s/features --label-col label --k %d --output DIR%n",
            dir.display(), CommandLine.PROGRAM, dir.display(), k);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static int count(boolean[] flags) {
    int c = 0;
    for (int i = 0; flags != null && i < flags.length; i++) {
      c += flags[i] ? 1 : 0;
    }
    return c;
  }

  /** ACC, NMI, ARI on the training images that have a label and are not seeds. */
  private static Map<String, Object> scores(TrainingImages train, boolean[] seeds,
      int[] predictions) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < predictions.length; i++) {
      if (train.label(i) >= 0 && (seeds == null || !seeds[i])) {
        rows.add(i);
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    if (rows.isEmpty()) {
      return m;
    }
    int[] labels = new int[rows.size()];
    int[] clusters = new int[rows.size()];
    for (int j = 0; j < labels.length; j++) {
      labels[j] = train.label(rows.get(j));
      clusters[j] = predictions[rows.get(j)];
    }
    m.put("acc", ClusteringMetrics.accuracy(labels, clusters));
    m.put("nmi", ClusteringMetrics.nmi(labels, clusters));
    m.put("ari", ClusteringMetrics.ari(labels, clusters));
    m.put("scoredRows", labels.length);
    return m;
  }

  /**
   * A network's features of images as the rows {@code cluster} reads: {@code id}, {@code label}
   * (when any image has one; null for the others) and {@code features}, in the images' order.
   *
   * @param images the images
   * @param features {@code size × d}, image after image
   * @param d the feature dimension
   * @return the rows, to be written as Parquet
   */
  static Dataset<Row> featureRows(SparkSession spark, TrainingImages images, float[] features,
      int d) {
    int n = images.size();
    boolean hasLabel = images.hasLabels();
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double[] f = new double[d];
      for (int j = 0; j < d; j++) {
        f[j] = features[i * d + j];
      }
      Integer label = images.label(i) >= 0 ? images.label(i) : null;
      rows.add(hasLabel ? RowFactory.create(images.id(i), label, Vectors.dense(f))
          : RowFactory.create(images.id(i), Vectors.dense(f)));
    }
    // In slices of about 8 MB of doubles: one local relation of every row would be a single task
    // of n·d·8 bytes (370 MB for VGG4 features of 10,000 digits).
    int slices = (int) Math.max(1, Math.min(n, (long) n * d / 1_000_000));
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(rows, slices), ImageFeatures.schema(hasLabel));
  }

  private static void writeOutputs(SparkSession spark, OutputDir dir, TrainingImages train,
      boolean[] seeds, float[] features, int d, float[] probabilities, int k, int[] predictions) {
    int n = predictions.length;
    featureRows(spark, train, features, d).write().parquet(dir.path("features"));
    List<Row> predictionRows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double[] p = new double[k];
      for (int j = 0; j < k; j++) {
        p[j] = probabilities[i * k + j];
      }
      Integer label = train.label(i) >= 0 ? train.label(i) : null;
      predictionRows.add(RowFactory.create((long) i, train.id(i), label, predictions[i],
          Vectors.dense(p), seeds != null && seeds[i]));
    }
    StructType predictionSchema = new StructType()
        .add("row", DataTypes.LongType, false)
        .add("id", DataTypes.StringType, false)
        .add("label", DataTypes.IntegerType, true)
        .add("prediction", DataTypes.IntegerType, false)
        .add("probability", new org.apache.spark.ml.linalg.VectorUDT(), false)
        .add("seed", DataTypes.BooleanType, false);
    Dataset<Row> preds = spark.createDataFrame(predictionRows, predictionSchema).coalesce(1);
    preds.write().parquet(dir.path("predictions"));
    preds.selectExpr("row", "label", "prediction").write().option("header", "true")
        .csv(dir.path("_predictions.csv"));
    dir.keepSinglePart("_predictions.csv", "predictions.csv");
  }
}
