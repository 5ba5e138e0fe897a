package org.ccespark.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.ccespark.app.CommandLine.Command;
import org.ccespark.app.CommandLine.Option;
import org.ccespark.app.CommandLine.Parsed;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.ImageInputs;
import org.ccespark.data.PixelInput;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDatasets;
import org.ccespark.deep.DeepClusteringTrainer;
import org.ccespark.deep.DeepInput;
import org.ccespark.deep.DeepModel;
import org.ccespark.deep.DeepNetwork;
import org.ccespark.deep.TrainingImages;
import org.ccespark.features.DjlEngine;
import org.ccespark.features.FeatureExtractor;
import org.ccespark.features.ImageFeatures;
import org.ccespark.features.ModelSpec;
import org.ccespark.features.Preprocessing;

/**
 * {@code extract}: image dataset to a Parquet folder of {@code id}, {@code path}, {@code label},
 * {@code features} that {@code cluster --input DIR} reads directly (keeping {@code id} and
 * {@code path} in its predictions).
 */
final class ExtractCommand {
  /**
   * Name of the column of each image's path: for a folder of image files the absolute path of its
   * file, otherwise its id.
   */
  static final String PATH_COL = "path";

  /** Dataset formats, as {@link ImageDatasets#open} takes them. */
  static final List<String> FORMATS = ImageDatasets.FORMATS;

  static final Command COMMAND = new Command("extract",
      "--input PATH|NAME --output DIR [--model NAME|FILE|DIR] [options]",
      "image features with a CNN (DJL, PyTorch) into a Parquet folder that cluster reads",
      "Reads the images of PATH (a folder of JPEG/PNG files with a sub-folder per class, which"
          + " gives the label; IDX files such as MNIST's; CIFAR-10/100 or STL-10 binary files; or"
          + " JPEG/PNG files on any Hadoop file system by URI or glob, e.g. hdfs://namenode/photos,"
          + " s3a://bucket/photos, file:///data/photos, '/data/photos/*/*.jpg', listed with Spark's"
          + " binaryFile source),"
          + " preprocesses them as the model expects (pixels to [0, 1], grey to three channels,"
          + " shorter side resized to --resize with Pillow's antialiased bilinear filter, centre"
          + " crop of --input-size, ImageNet mean and standard deviation: torchvision's transforms"
          + " of the IMAGENET1K_V2 ResNet-50 weights), runs the model in batches and"
          + " writes DIR: Parquet part files with the columns id (string: the file's path under"
          + " the folder, or file#index), path (string: for image files the full path or URI of"
          + " the image's file, otherwise the id), label (int, only when the"
          + " dataset has classes) and features (ML vector), in the dataset's order, plus"
          + " _extract.json (model, sizes, counts, timings). Then run 'cluster --input DIR"
          + " --label-col label --k K', whose predictions keep id and path."
          + "\n\nModels (DJL's PyTorch engine, offline from the bundled libtorch): FILE, a"
          + " TorchScript file (--layer picks the output; a file whose output is the 1000 ImageNet"
          + " class scores is refused), e.g. torchvision's ImageNet ResNet-50 with its 2048 pooled"
          + " features, exported by src/tools/export-resnet50.py (docs/image-features.md); "
          + ModelSpec.RANDOM_RESNET50 + ", ResNet-50 with seeded random weights and its 2048"
          + " pooled features, for tests and benchmarks only; " + ModelSpec.ZOO_RESNET50 + ", the"
          + " default, is refused with how to export that file (DJL's model-zoo ResNet-50 gives"
          + " only the 1000 class scores). DIR, a model folder written by"
          + " train-deep (its model/ folder, or the run's folder holding it), e.g. the"
          + " supervised backbone conf/models/fashion-mnist-vgg4-slim: the network's backbone"
          + " features, on the driver, of the images at the network's own shape (grey or colour,"
          + " resized if needed) and normalisation; --input-size, --resize, --layer, --mode,"
          + " --partitions, --seed and --skip-unreadable do not apply."
          + "\n\nModes: driver runs the model in the driver JVM (the path for a GPU) and keeps"
          + " the features in memory until written; executors splits the images into one index"
          + " range per partition, each task reading its images (PATH must be readable by every"
          + " executor) and loading the model once. Both give identical rows. auto: driver"
          + " when the device is a GPU, else executors."
          + "\n\nDIR is written as .DIR.tmp-<random> beside it and renamed to DIR only once"
          + " complete.",
      List.of(
          Option.required("--input", "PATH|URI|GLOB|NAME", "image dataset: folder, IDX images"
              + " file, CIFAR or STL-10 binary file or folder, image files by Hadoop URI or glob,"
              + " or one of " + String.join(", ",
                  DatasetCatalog.names()) + " (as for convert)"),
          Option.required("--output", "DIR", "output folder to create (Parquet)"),
          Option.value("--format", String.join("|", FORMATS), "auto",
              "dataset format; auto goes by the file names"),
          Option.value("--model", "NAME|FILE|DIR", ModelSpec.ZOO_RESNET50, "TorchScript file"
              + " (e.g. resnet50-imagenet.pt from src/tools/export-resnet50.py), "
              + ModelSpec.RANDOM_RESNET50 + " (random weights, testing only), or a train-deep"
              + " model folder; " + ModelSpec.ZOO_RESNET50 + " is refused with how to export"
              + " the file"),
          Option.value("--layer", "N|METHOD[:N]", ModelSpec.DEFAULT_LAYER, "TorchScript: output"
              + " N of forward, or of an exported METHOD; flattened per image"),
          Option.value("--input-size", "N", "224", "side of the square the model sees"),
          Option.value("--resize", "N", "round(input size * 232 / 224)", "side the shorter image"
              + " side is resized to before the centre crop, at least --input-size (232 for 224"
              + " is the IMAGENET1K_V2 weights'; use 256 for IMAGENET1K_V1)"),
          Option.value("--device", "auto|gpu|cpu", "auto", "auto: a GPU if DJL sees one, else"
              + " the CPU; gpu without one is an error"),
          Option.value("--mode", "auto|driver|executors", "auto", "where the model runs"),
          Option.value("--batch-size", "N", "32", "images per forward pass; native memory is"
              + " released after each batch"),
          Option.value("--partitions", "N", "Spark's default parallelism", "executors mode:"
              + " index ranges (tasks), each loading the model once"),
          Option.value("--seed", "N", "0", "seed of " + ModelSpec.RANDOM_RESNET50 + "'s weights"),
          Option.flag("--skip-unreadable", "skip images that cannot be read or decoded and count"
              + " them, instead of failing on the first"),
          Option.flag("--overwrite", "replace DIR if it exists (only once the new output is"
              + " complete)")));

  private final Parsed args;
  private final PrintStream out;

  ExtractCommand(Parsed args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  void run() {
    long t0 = System.nanoTime();
    String input = args.required("--input");
    String output = args.required("--output");
    String format = args.choice("--format", FORMATS, "auto");
    Path modelDir = args.has("--model") ? DeepModel.folderOf(Path.of(args.string("--model", "")))
        : null;
    if (modelDir != null) {
      runTrainedNetwork(modelDir, input, output, format, t0);
      return;
    }
    int size = args.integer("--input-size", 224, 1);
    int resize = args.integer("--resize", Preprocessing.defaultResize(size), 1);
    if (resize < size) {
      throw new UsageException("--resize (" + resize + ") must be at least --input-size (" + size
          + ")");
    }
    String device = args.choice("--device", DjlEngine.DEVICES, "auto");
    String mode = args.choice("--mode", List.of("auto", "driver", "executors"), "auto");
    int batch = args.integer("--batch-size", 32, 1);
    int partitions = args.integer("--partitions", 0, 1);
    long seed = args.integer("--seed", 0, 0);
    ModelSpec spec;
    try {
      spec = new ModelSpec(args.string("--model", ModelSpec.ZOO_RESNET50),
          args.string("--layer", ModelSpec.DEFAULT_LAYER), new Preprocessing(size, resize), device,
          seed);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (mode.equals("auto")) {
      mode = DjlEngine.device(device).isGpu() ? "driver" : "executors";
    }
    ImageFeatures.Options options = new ImageFeatures.Options(mode, batch, partitions,
        args.has("--skip-unreadable"));
    if (mode.equals("executors")) {
      // A missing or bad model fails here, once, rather than in every task (with its retries).
      FeatureExtractor.load(spec).close();
    }

    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
        args.has("--overwrite"), OutputDir.Other.input("--input", input),
        OutputDir.Other.input("--model", args.string("--model", null)))) {
      out.printf("reading %s (format %s); model %s, input %dx%d (resize %d), %s mode, batch %d%n",
          input, format, spec.model(), size, size, resize, mode, batch);
      ImageFeatures.Extraction ex = ImageFeatures.extract(spark, input, format, spec, options,
          out::println);
      long tWrite = System.nanoTime();
      try (ProgressMonitor monitor = mode.equals("executors")
          ? new ProgressMonitor(ex, out) : null) {
        withPath(ex.rows(), ex.pathPrefix()).write().mode(SaveMode.Append).parquet(dir.root());
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long written = ex.size() - ex.skipped();
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("command", "extract");
      meta.put("input", Map.of("path", input, "format", format));
      meta.put("images", ex.size());
      meta.put("extracted", written);
      meta.put("skipped", ex.skipped());
      meta.put("skippedExamples", ex.skippedExamples());
      meta.put("dimension", ex.dimension());
      meta.put("hasLabel", ex.hasLabel());
      meta.put("classNames", ex.classNames());
      Map<String, Object> model = new LinkedHashMap<>();
      model.put("model", spec.model());
      model.put("layer", spec.layer());
      model.put("inputSize", size);
      model.put("resize", resize);
      model.put("device", device);
      model.put("seed", seed);
      meta.put("model", model);
      meta.put("mode", mode);
      meta.put("batchSize", batch);
      Map<String, Object> secs = new LinkedHashMap<>();
      secs.put("total", seconds);
      secs.put("imagesPerSecond", ex.size() / seconds);
      meta.put("seconds", secs);
      meta.put("spark", ClusteringRun.sparkInfo(spark));
      dir.writeJson("_extract.json", meta);
      dir.commit();
      out.printf("extracted %,d images x %d features in %.1f s (%.1f images/s)%s%n", written,
          ex.dimension(), seconds, ex.size() / seconds,
          ex.skipped() > 0 ? String.format("; skipped %,d unreadable: %s", ex.skipped(),
              String.join("; ", ex.skippedExamples())) : "");
      out.printf("wrote %s: Parquet (id, path%s, features), _extract.json; next: %s cluster --input %s%s"
          + " --k K --output DIR%n", dir.display(), ex.hasLabel() ? ", label" : "",
          CommandLine.PROGRAM, dir.display(), ex.hasLabel() ? " --label-col label" : "");
    }
  }

  /**
   * The extracted rows with a {@value #PATH_COL} column after {@code id}: for image files (a local
   * folder, or a Hadoop path: URI or glob) the full path or URI of each image's file, {@code
   * prefix} followed by the id (the file's path under the folder); otherwise (images stored in
   * dataset files, a dataset name, a feature table) the id itself, which names the file and the
   * image's position in it.
   *
   * @param rows {@code id}, then the other columns
   * @param prefix {@link ImageInputs.Source#pathPrefix}, or null when the images are not files
   */
  static Dataset<Row> withPath(Dataset<Row> rows, String prefix) {
    Column id = functions.col(ImageFeatures.ID_COL);
    Column path = prefix == null ? id : functions.concat(functions.lit(prefix), id);
    List<Column> columns = new ArrayList<>(List.of(id, path.as(PATH_COL)));
    for (String c : rows.columns()) {
      if (!c.equals(ImageFeatures.ID_COL)) {
        columns.add(rows.col(c));
      }
    }
    return rows.select(columns.toArray(new Column[0]));
  }

  /** The options of the ImageNet-style models that a train-deep network does not take. */
  private static final List<String> NOT_FOR_TRAINED = List.of("--input-size", "--resize",
      "--layer", "--mode", "--partitions", "--seed", "--skip-unreadable");

  /**
   * Extraction with a network trained by {@code train-deep}: its backbone's features of every
   * image, computed on the driver at the network's image shape with its training normalisation.
   */
  private void runTrainedNetwork(Path modelDir, String input, String output, String format,
      long t0) {
    for (String option : NOT_FOR_TRAINED) {
      if (args.has(option)) {
        throw new UsageException(option + " does not apply to a network trained by train-deep"
            + " (--model " + modelDir + "): it runs on the driver, on the images at its own"
            + " shape and normalisation");
      }
    }
    int batch = args.integer("--batch-size", 32, 1);
    String device = args.choice("--device", DjlEngine.DEVICES, "auto");
    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
        args.has("--overwrite"))) {
      out.printf("reading %s (format %s); model %s, on the driver, batch %d%n", input, format,
          modelDir, batch);
      NetworkFeatures f = networkFeatures(spark, modelDir, input, format, device, batch);
      String prefix = PixelInput.isTable(input, format) ? null
          : ImageInputs.pathPrefix(spark.sparkContext().hadoopConfiguration(), input, format);
      withPath(f.rows(), prefix).write().mode(SaveMode.Append).parquet(dir.root());
      int d = f.dimension();
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("command", "extract");
      meta.put("input", Map.of("path", input, "format", format));
      meta.put("images", f.images());
      meta.put("extracted", f.images());
      meta.put("skipped", 0);
      meta.put("dimension", d);
      meta.put("hasLabel", f.hasLabel());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", modelDir.toString());
      m.put("network", f.network());
      m.put("imageShape", f.imageShape());
      m.put("layer", "backbone");
      m.put("device", device);
      meta.put("model", m);
      meta.put("mode", "driver");
      meta.put("batchSize", batch);
      Map<String, Object> secs = new LinkedHashMap<>();
      secs.put("total", seconds);
      secs.put("imagesPerSecond", f.images() / seconds);
      meta.put("seconds", secs);
      meta.put("spark", ClusteringRun.sparkInfo(spark));
      dir.writeJson("_extract.json", meta);
      dir.commit();
      out.printf("extracted %,d images x %d features (%s) in %.1f s (%.1f images/s)%n",
          f.images(), d, f.network(), seconds, f.images() / seconds);
      out.printf("wrote %s: Parquet (id, path%s, features), _extract.json; next: %s cluster --input %s%s"
          + " --k K --output DIR%n", dir.display(), f.hasLabel() ? ", label" : "",
          CommandLine.PROGRAM, dir.display(), f.hasLabel() ? " --label-col label" : "");
    }
  }

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
  record NetworkFeatures(Dataset<Row> rows, int images, int dimension, boolean hasLabel,
      String network, long[] imageShape) {}

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
  static NetworkFeatures networkFeatures(SparkSession spark, Path modelDir, String input,
      String format, String device, int batch) {
    DeepModel model = DeepModel.read(modelDir);
    try (DeepInput in = DeepInput.open(PixelInput.open(spark, input, ImageFrames.Selection.ALL,
            PixelInput.Options.of(format), DeepInput.imageShape(model.imageShape())));
        DeepNetwork net = model.load(modelDir, DjlEngine.device(device))) {
      TrainingImages images = in.images();
      int d = (int) net.featureDimension();
      float[] features = new float[Math.multiplyExact(images.size(), d)];
      DeepClusteringTrainer.predict(net, model.normalization(), images, batch, features, null);
      return new NetworkFeatures(TrainDeepCommand.featureRows(spark, images, features, d),
          images.size(), d, images.hasLabels(), net.description(),
          model.imageShape().getShape());
    }
  }

  /** Prints the executors' progress (their accumulators, sent with heartbeats) every 10 s. */
  private static final class ProgressMonitor implements AutoCloseable {
    private final Thread thread;

    ProgressMonitor(ImageFeatures.Extraction ex, PrintStream out) {
      long t0 = System.nanoTime();
      thread = new Thread(() -> {
        try {
          while (true) {
            Thread.sleep(10_000);
            long done = ex.processed();
            double s = (System.nanoTime() - t0) / 1e9;
            out.printf("  about %,d / %,d images (%.1f%%), %.1f images/s, %.0f s%n", done,
                ex.size(), 100.0 * done / ex.size(), done / s, s);
          }
        } catch (InterruptedException e) {
          // done
        }
      }, "extract-progress");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      thread.interrupt();
    }
  }
}
