package org.ccespark.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.app.Help.ShowDefault;
import org.ccespark.data.ImageInputs;
import org.ccespark.data.PixelInput;
import org.ccespark.data.images.ImageDatasets;
import org.ccespark.deep.DeepModel;
import org.ccespark.features.DjlEngine;
import org.ccespark.features.ExtractionProgress;
import org.ccespark.features.FeatureExtractor;
import org.ccespark.features.ImageFeatures;
import org.ccespark.features.ImagePaths;
import org.ccespark.features.ModelSpec;
import org.ccespark.features.Preprocessing;
import org.ccespark.pipeline.ExtractionReport;
import org.ccespark.pipeline.NetworkFeatures;
import org.ccespark.pipeline.SparkInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import org.ccespark.output.OutputDir;

/**
 * {@code extract}: image dataset to a Parquet folder of {@code id}, {@code path}, {@code label},
 * {@code features} that {@code cluster --input DIR} reads directly (keeping {@code id} and
 * {@code path} in its predictions).
 */
@Command(name = "extract",
    customSynopsis = "--input PATH|NAME --output DIR [--model NAME|FILE|DIR] [options]",
    header = "image features with a CNN (DJL, PyTorch) into a Parquet folder that cluster reads",
    description = "Reads the images of PATH (a folder of JPEG/PNG files with a sub-folder per class, which"
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
          + " complete.")
final class ExtractCommand implements Cli.Command {
  /** Dataset formats, as {@link ImageDatasets#open} takes them. */
  static final List<String> FORMATS = ImageDatasets.FORMATS;

  @Option(names = "--input", paramLabel = "PATH|URI|GLOB|NAME", required = true,
      description = "image dataset: folder, IDX images file, CIFAR or STL-10 binary file or"
          + " folder, image files by Hadoop URI or glob, or one of ${bundle:list.dataset-names}"
          + " (as for convert)")
  String input;

  @Option(names = "--output", paramLabel = "DIR", required = true,
      description = "output folder to create (Parquet)")
  String output;

  @Option(names = "--format", paramLabel = "${bundle:list.dataset-formats}", defaultValue = "auto",
      description = "dataset format; auto goes by the file names")
  String format;

  @Option(names = "--model", paramLabel = "NAME|FILE|DIR", defaultValue = ModelSpec.ZOO_RESNET50,
      description = "TorchScript file (e.g. resnet50-imagenet.pt from"
          + " src/tools/export-resnet50.py), " + ModelSpec.RANDOM_RESNET50 + " (random weights,"
          + " testing only), or a train-deep model folder; " + ModelSpec.ZOO_RESNET50 + " is"
          + " refused with how to export the file")
  String model;

  @Option(names = "--layer", paramLabel = "N|METHOD[:N]", defaultValue = ModelSpec.DEFAULT_LAYER,
      description = "TorchScript: output N of forward, or of an exported METHOD; flattened per"
          + " image")
  String layer;

  @Option(names = "--input-size", paramLabel = "N", defaultValue = "224",
      converter = OptionTypes.Min1.class, description = "side of the square the model sees")
  int size;

  @Option(names = "--resize", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "side the shorter image side is resized to before the centre crop, at least"
          + " --input-size (232 for 224 is the IMAGENET1K_V2 weights'; use 256 for"
          + " IMAGENET1K_V1)")
  @ShowDefault("round(input size * 232 / 224)")
  Integer resize;

  @Option(names = "--device", paramLabel = "${bundle:list.devices}", defaultValue = "auto",
      description = "auto: a GPU if DJL sees one, else the CPU; gpu without one is an error")
  String device;

  @Option(names = "--mode", paramLabel = "auto|driver|executors", defaultValue = "auto",
      description = "where the model runs")
  String mode;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
      converter = OptionTypes.Min1.class,
      description = "images per forward pass; native memory is released after each batch")
  int batch;

  @Option(names = "--partitions", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "executors mode: index ranges (tasks), each loading the model once")
  @ShowDefault("Spark's default parallelism")
  Integer partitions;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0", converter = OptionTypes.Min0.class,
      description = "seed of " + ModelSpec.RANDOM_RESNET50 + "'s weights")
  int seed;

  @Option(names = "--skip-unreadable", description = "skip images that cannot be read or"
      + " decoded and count them, instead of failing on the first")
  boolean skipUnreadable;

  @Option(names = "--overwrite",
      description = "replace DIR if it exists (only once the new output is complete)")
  boolean overwrite;

  @Spec
  CommandSpec spec;

  @Override
  public void run(PrintStream out) {
    long t0 = System.nanoTime();
    String format = OptionTypes.choice("--format", this.format, FORMATS);
    String device = OptionTypes.choice("--device", this.device, DjlEngine.DEVICES);
    Path modelDir = Cli.given(spec, "--model") ? DeepModel.folderOf(Path.of(model)) : null;
    if (modelDir != null) {
      runTrainedNetwork(modelDir, format, device, t0, out);
      return;
    }
    int resize = this.resize != null ? this.resize : Preprocessing.defaultResize(size);
    if (resize < size) {
      throw new UsageException("--resize (" + resize + ") must be at least --input-size (" + size
          + ")");
    }
    String mode = OptionTypes.choice("--mode", this.mode, List.of("auto", "driver", "executors"));
    ModelSpec modelSpec;
    try {
      modelSpec = new ModelSpec(model, layer, new Preprocessing(size, resize), device, seed);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (mode.equals("auto")) {
      mode = DjlEngine.device(device).isGpu() ? "driver" : "executors";
    }
    ImageFeatures.Options options = new ImageFeatures.Options(mode, batch,
        partitions == null ? 0 : partitions, skipUnreadable);
    if (mode.equals("executors")) {
      // A missing or bad model fails here, once, rather than in every task (with its retries).
      FeatureExtractor.load(modelSpec).close();
    }

    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
        overwrite, OutputDir.Other.input("--input", input),
        OutputDir.Other.input("--model", Cli.given(spec, "--model") ? model : null))) {
      out.printf("reading %s (format %s); model %s, input %dx%d (resize %d), %s mode, batch %d%n",
          input, format, modelSpec.model(), size, size, resize, mode, batch);
      ImageFeatures.Extraction ex = ImageFeatures.extract(spark, input, format, modelSpec,
          options, out::println);
      try (ExtractionProgress monitor = mode.equals("executors")
          ? new ExtractionProgress(ex, out::println) : null) {
        ImagePaths.withPath(ex.rows(), ex.pathPrefix()).write().mode(SaveMode.Append).parquet(dir.root());
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long written = ex.size() - ex.skipped();
      dir.writeJson("_extract.json", new ExtractionReport("extract",
          new ExtractionReport.Input(input, format), ex.size(), written, ex.skipped(),
          ex.skippedExamples(), ex.dimension(), ex.hasLabel(), ex.classNames(),
          new ExtractionReport.Model(modelSpec.model(), null, null, modelSpec.layer(), size,
              resize, device, (long) seed), mode, batch,
          new ExtractionReport.Seconds(seconds, ex.size() / seconds), SparkInfo.of(spark)));
      dir.commit();
      out.printf("extracted %,d images x %d features in %.1f s (%.1f images/s)%s%n", written,
          ex.dimension(), seconds, ex.size() / seconds,
          ex.skipped() > 0 ? String.format("; skipped %,d unreadable: %s", ex.skipped(),
              String.join("; ", ex.skippedExamples())) : "");
      printNext(out, dir, ex.hasLabel());
    }
  }

  private static void printNext(PrintStream out, OutputDir dir, boolean hasLabel) {
    out.printf("wrote %s: Parquet (id, path%s, features), _extract.json; next: %s cluster --input"
        + " %s%s --k K --output DIR%n", dir.display(), hasLabel ? ", label" : "", Cli.PROGRAM,
        dir.display(), hasLabel ? " --label-col label" : "");
  }

  /** The options of the ImageNet-style models that a train-deep network does not take. */
  private static final List<String> NOT_FOR_TRAINED = List.of("--input-size", "--resize",
      "--layer", "--mode", "--partitions", "--seed", "--skip-unreadable");

  /**
   * Extraction with a network trained by {@code train-deep}: its backbone's features of every
   * image, computed on the driver at the network's image shape with its training normalisation.
   */
  private void runTrainedNetwork(Path modelDir, String format, String device, long t0,
      PrintStream out) {
    for (String option : NOT_FOR_TRAINED) {
      if (Cli.given(spec, option)) {
        throw new UsageException(option + " does not apply to a network trained by train-deep"
            + " (--model " + modelDir + "): it runs on the driver, on the images at its own"
            + " shape and normalisation");
      }
    }
    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
        overwrite)) {
      out.printf("reading %s (format %s); model %s, on the driver, batch %d%n", input, format,
          modelDir, batch);
      NetworkFeatures f = NetworkFeatures.of(spark, modelDir, input, format, device, batch);
      String prefix = PixelInput.isTable(input, format) ? null
          : ImageInputs.pathPrefix(spark.sparkContext().hadoopConfiguration(), input, format);
      ImagePaths.withPath(f.rows(), prefix).write().mode(SaveMode.Append).parquet(dir.root());
      int d = f.dimension();
      double seconds = (System.nanoTime() - t0) / 1e9;
      dir.writeJson("_extract.json", new ExtractionReport("extract",
          new ExtractionReport.Input(input, format), f.images(), f.images(), 0, null, d,
          f.hasLabel(), null, new ExtractionReport.Model(modelDir.toString(), f.network(),
              f.imageShape(), "backbone", null, null, device, null), "driver", batch,
          new ExtractionReport.Seconds(seconds, f.images() / seconds), SparkInfo.of(spark)));
      dir.commit();
      out.printf("extracted %,d images x %d features (%s) in %.1f s (%.1f images/s)%n",
          f.images(), d, f.network(), seconds, f.images() / seconds);
      printNext(out, dir, f.hasLabel());
    }
  }
}
