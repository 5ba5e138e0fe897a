package org.ccespark.app;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.app.Help.ShowDefault;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.ImageShape;
import org.ccespark.data.PixelInput;
import org.ccespark.deep.DeepInput;
import org.ccespark.deep.DeepSettings;
import org.ccespark.features.DjlEngine;
import org.ccespark.pipeline.DeepMetrics;
import org.ccespark.pipeline.DeepPipeline;
import org.ccespark.spark.FolderLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.ccespark.output.OutputDir;

/**
 * {@code train-deep}: deep clustering (the paper's sections 5.2–5.3): a network trained from the
 * images jointly with pseudo-labels, on the driver's GPU or CPU; writes the model, the learned
 * features (a Parquet folder {@code cluster} reads), predictions and metrics
 * ({@link DeepOutputs}).
 */
@Command(name = "train-deep",
    customSynopsis = "--input PATH|NAME --output DIR [--network vgg4|vgg4-slim|resnet18|FILE.pt]"
        + " [--k K] [options]",
    header = "deep clustering: a network (VGG4, ResNet-18, TorchScript) trained by collision CE",
    description = "Trains a network and its linear softmax head jointly with pseudo-labels, the paper's"
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
          + "\n\nSupervised: --method ${bundle:list.supervised} trains the network on"
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
          + " command line win.")
final class TrainDeepCommand implements Cli.Command, Cli.OptionsFromConfig {
  @Option(names = "--input", paramLabel = "PATH|NAME", description = "training images: dataset"
      + " path, feature table or one of ${bundle:list.dataset-names} (here or in --config)")
  @ShowDefault("required")
  String input;

  @Option(names = "--output", paramLabel = "DIR", required = true,
      description = "output folder to create")
  String output;

  @Option(names = "--config", paramLabel = "FILE", description = "properties file of options")
  @ShowDefault("none")
  String config;

  @Option(names = "--format", defaultValue = "auto",
      paramLabel = "${bundle:list.dataset-formats}|${bundle:list.table-formats}",
      description = "dataset format (as for convert), or a feature table's; auto also takes a"
          + " folder of Parquet, CSV or LibSVM part files, or such a file, as a feature table")
  String format;

  @Option(names = "--image-shape", paramLabel = "C,H,W",
      description = "feature table: the images' shape (C 1 or 3)")
  @ShowDefault("784, 3072, 27648 values: 1,28,28, 3,32,32, 3,96,96")
  String imageShape;

  @Option(names = "--features-col", paramLabel = "NAME",
      description = "feature table: the pixel vector column")
  @ShowDefault(FeatureInput.DEFAULT_FEATURES_COL)
  String featuresCol;

  @Option(names = "--label-col", paramLabel = "NAME",
      description = "feature table: the label column (class indices; null for unlabelled)")
  @ShowDefault("label, when there is one")
  String labelCol;

  @Option(names = "--limit", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "train on N images: a seeded sample (--seed)")
  @ShowDefault("all")
  Integer limit;

  @Option(names = "--network", paramLabel = "vgg4|vgg4-slim|resnet18|FILE.pt",
      defaultValue = "vgg4", description = "the network")
  String network;

  @Option(names = "--init", paramLabel = "FILE", description = "backbone weights to start from"
      + " (a backbone.params written by train-deep, for the same network)")
  @ShowDefault("none")
  String init;

  @Option(names = "--image-size", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "resize images to N x N (not for a feature table)")
  @ShowDefault("the images' size")
  Integer imageSize;

  @Option(names = "--channels", paramLabel = "1|3", converter = OptionTypes.Min1.class,
      description = "3: grey images as three equal channels (colour images cannot be made grey;"
          + " not for a feature table)")
  @ShowDefault("the images' channels")
  Integer channels;

  @Option(names = "--k", paramLabel = "K", defaultValue = "10", converter = OptionTypes.Min1.class,
      description = "number of clusters")
  int k;

  @Option(names = "--method", paramLabel = "${bundle:list.deep-methods}", defaultValue = "cce",
      description = "self-labeling method (cce: the paper's), or ${bundle:list.supervised}:"
          + " supervised on the labels")
  String method;

  @Option(names = "--lambda", paramLabel = "X", description = "fairness weight")
  @ShowDefault("the method's default (CCE 100)")
  Double lambda;

  @Option(names = "--epochs", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "epochs")
  @ShowDefault("50")
  Integer epochs;

  @Option(names = "--batch-size", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "images per step")
  @ShowDefault("250 (vgg4), 200 (others)")
  Integer batchSize;

  @Option(names = "--augmentation-weight", paramLabel = "W",
      description = "self-augmentation term's weight; 0 turns it off")
  @ShowDefault("0.5")
  Double augmentationWeight;

  @Option(names = "--lr-head", paramLabel = "X", description = "Adam rate of the head")
  @ShowDefault("1e-4 (vgg4), 5e-2 (others)")
  Double lrHead;

  @Option(names = "--lr-backbone", paramLabel = "X", description = "Adam rate of the backbone")
  @ShowDefault("1e-4 (vgg4), 1e-5 (others)")
  Double lrBackbone;

  @Option(names = "--weight-decay", paramLabel = "X", description = "L2 weight decay")
  @ShowDefault("0.01 (vgg4), 1e-4 (others)")
  Double weightDecay;

  @Option(names = "--em-max-iter", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "most solver iterations per batch")
  @ShowDefault("1000")
  Integer emMaxIter;

  @Option(names = "--em-tol", paramLabel = "X", description = "solver tolerance")
  @ShowDefault("1e-5")
  Double emTol;

  @Option(names = "--seed-fraction", paramLabel = "F", defaultValue = "0",
      description = "semi-supervised: the labels of this fraction of the training images (a"
          + " seeded choice) are given")
  double seedFraction;

  @Option(names = "--seed-label-weight", paramLabel = "W",
      description = "weight of the seeds' cross-entropy")
  @ShowDefault("2")
  Double seedLabelWeight;

  @Option(names = "--held-out", paramLabel = "PATH|NAME", description = "labelled images to"
      + " report ACC on after every epoch (e.g. a test set; a dataset or a feature table)")
  @ShowDefault("none")
  String heldOut;

  @Option(names = "--held-out-limit", paramLabel = "N", defaultValue = "2000",
      converter = OptionTypes.Min1.class, description = "seeded sample of the held-out images")
  int heldOutLimit;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0", converter = OptionTypes.Min0.class,
      description = "seed of weights, batch order, augmentations, samples")
  int seed;

  @Option(names = "--device", paramLabel = "${bundle:list.devices}", defaultValue = "auto",
      description = "auto: a GPU if DJL sees one")
  String device;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR",
      description = "keep the state after every epoch")
  @ShowDefault("none")
  String checkpointDir;

  @Option(names = "--resume", description = "continue from the checkpoint in --checkpoint-dir")
  boolean resume;

  @Option(names = "--overwrite",
      description = "replace DIR if it exists (once the new one is complete)")
  boolean overwrite;

  @Override
  public void run(PrintStream out) {
    long t0 = System.nanoTime();
    if (input == null) {
      throw new UsageException("--input is required (on the command line or in --config)");
    }
    String method = OptionTypes.choice("--method", this.method, DeepSettings.METHODS);
    DeepSettings settings = settings(method);
    if (seedFraction < 0 || seedFraction > 1) {
      throw new UsageException("--seed-fraction must be in [0, 1], got " + seedFraction);
    }
    if (settings.supervised() && seedFraction > 0) {
      throw new UsageException("--seed-fraction does not apply to --method "
          + DeepSettings.SUPERVISED + ", which uses every image's label");
    }
    String device = OptionTypes.choice("--device", this.device, DjlEngine.DEVICES);
    Path checkpoint = checkpointDir != null ? Path.of(checkpointDir) : null;
    if (resume && checkpoint == null) {
      throw new UsageException("--resume needs --checkpoint-dir");
    }
    PixelInput.Options inputOptions = new PixelInput.Options(format,
        channels == null ? 0 : channels, imageSize == null ? 0 : imageSize,
        imageShape != null ? ImageShape.parse(imageShape, "--image-shape") : null, featuresCol,
        labelCol);
    PixelInput.Options heldOutOptions = inputOptions.sameColumns();

    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
            overwrite, OutputDir.Other.input("--input", input),
            OutputDir.Other.input("--held-out", heldOut),
            OutputDir.Other.text("--config", config),
            OutputDir.Other.input("--init", init),
            OutputDir.Other.folder("--checkpoint-dir", checkpointDir));
        // one run at a time per checkpoint folder, refused before any input is read
        FolderLock lock = checkpoint == null ? null : FolderLock.takeLocal(checkpoint);
        DeepInput trainInput = DeepInput.open(PixelInput.open(spark, input,
            new ImageFrames.Selection(limit == null ? 0 : limit, limit == null ? null : (long) seed),
            inputOptions, null));
        DeepInput heldOutInput = heldOut != null ? DeepInput.open(PixelInput.open(spark, heldOut,
            new ImageFrames.Selection(heldOutLimit, (long) seed), heldOutOptions,
            DeepInput.imageShape(trainInput.shape()))) : null) {
      DeepMetrics metrics = DeepPipeline.run(spark, new DeepPipeline.Request(input, network,
          init, k, settings, DjlEngine.device(device), checkpoint, resume, seedFraction, seed),
          trainInput.shape(), trainInput.images(), heldOutInput == null ? null
              : heldOutInput.images(), dir.sink(), out::println, t0);
      dir.commit();
      out.println(metrics.summary());
      out.printf("wrote %s: model/, features/, predictions.csv, predictions/, metrics.json;"
          + " next: %s cluster --input %s/features --label-col label --k %d --output DIR%n",
          dir.display(), Cli.PROGRAM, dir.display(), k);
    }
  }

  /** The training settings: the options given, the paper's defaults for the others. */
  private DeepSettings settings(String method) {
    DeepSettings d = DeepSettings.paperDefaults(network, method, seed);
    try {
      return new DeepSettings(method, or(lambda, d.lambda()), or(emMaxIter, d.emMaxIter()),
          or(emTol, d.emTol()), or(epochs, d.epochs()), or(batchSize, d.batchSize()),
          or(augmentationWeight, d.augmentationWeight()), or(lrHead, d.headLearningRate()),
          or(lrBackbone, d.backboneLearningRate()), or(weightDecay, d.weightDecay()),
          or(seedLabelWeight, d.seedLabelWeight()), seed);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static <T> T or(T given, T fallback) {
    return given != null ? given : fallback;
  }
}
