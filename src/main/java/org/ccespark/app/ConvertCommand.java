package org.ccespark.app;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.ccespark.app.Help.ShowDefault;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.ImageInputs;
import org.ccespark.data.LoadedInput;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.data.images.ImageDatasets;
import org.ccespark.data.images.ImageFiles;
import org.ccespark.data.images.LabeledImage;
import org.ccespark.pipeline.ConversionReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.ccespark.output.OutputDir;

/**
 * {@code convert}: an image dataset (files or a catalog name) to Parquet pixel features that
 * {@code cluster} reads, or to a folder of PNG images with a sub-folder per class.
 */
@Command(name = "convert",
    customSynopsis = "--input PATH|NAME --to parquet|png --output DIR [--format F] [--limit N]"
        + " [--seed S] [--partitions N] [--overwrite]",
    header = "image dataset (IDX, CIFAR, STL-10, image folder, named dataset) to Parquet or PNG",
    description = "Reads an image dataset and writes it as pixel features in Parquet or as PNG files. The"
          + " input is a path (IDX images file with its labels file beside it, CIFAR-10/100 or"
          + " STL-10 binary file, a CIFAR-10 folder of data batches, or a folder of PNG/JPEG"
          + " images with a sub-folder per class; such image files may also be given by Hadoop URI"
          + " or glob, e.g. hdfs://namenode/photos, file:///data/photos, '/data/*/*.png', listed"
          + " with Spark's binaryFile source) or a dataset name: "
          + "${bundle:list.dataset-names}" + ". Named datasets are read from "
          + DatasetCatalog.DATA_DIR_ENV + " (default ~/.cache/cce-spark) or, for Fashion-MNIST,"
          + " from Debian's dataset-fashion-mnist; one that is missing fails with the command that"
          + " gets it. Nothing is downloaded."
          + "\n\n--to parquet writes DIR as a Parquet folder with columns row (long), label (int;"
          + " null for an unlabelled image, absent when none has a label), features (vector of"
          + " the image's samples in height x width x channel order divided by 255) and id"
          + " (string): 'cluster --input DIR --label-col label' reads it directly."
          + "\n\n--to png writes DIR/<class>/<index>.png, where <class> is the label (zero-padded"
          + " so that folders sort in label order) followed by '-' and the class name when the"
          + " dataset names its classes, and <index> is the image's zero-padded index in the"
          + " dataset; unlabelled images go directly into DIR. Read back as a folder dataset"
          + " (format folder), it gives the same images with the same labels. DIR also gets"
          + " images.csv (file,id,label)."
          + "\n\nBoth write " + ConvertCommand.DATASET_JSON + " (dataset, classes, image size, selection). DIR"
          + " appears only when complete; on any error nothing is left behind.")
final class ConvertCommand implements Cli.Command {
  private static final List<String> TARGETS = List.of("parquet", "png");
  /** Written beside the data in both kinds of output; ignored by Spark and the folder reader. */
  static final String DATASET_JSON = "_dataset.json";
  /** The PNG output's list of images. */
  static final String IMAGES_CSV = "images.csv";

  @Option(names = "--input", paramLabel = "PATH|URI|GLOB|NAME", required = true,
      description = "dataset path, image files by Hadoop URI or glob, or one of"
          + " ${bundle:list.dataset-names}")
  String input;

  @Option(names = "--to", paramLabel = "parquet|png", required = true,
      description = "what to write")
  String to;

  @Option(names = "--output", paramLabel = "DIR", required = true,
      description = "output folder to create")
  String output;

  @Option(names = "--format", paramLabel = "${bundle:list.dataset-formats}",
      defaultValue = "auto",
      description = "format of a path; auto goes by name: *idx3-ubyte[.gz], data_batch_N.bin/"
          + "test_batch.bin (CIFAR-10), train.bin/test.bin (CIFAR-100 fine labels), *_X.bin"
          + " (STL-10), a folder holding data_batch_1.bin (CIFAR-10 training set), any other"
          + " folder (images)")
  String format;

  @Option(names = "--limit", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "take only N images: the first N, or a seeded sample of N with --seed")
  @ShowDefault("all")
  Integer limit;

  @Option(names = "--seed", paramLabel = "S",
      description = "with --limit: take a random sample of N images (seeded by S, kept in dataset"
          + " order) instead of the first N")
  @ShowDefault("none")
  Long seed;

  @Option(names = "--partitions", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "parquet: number of partitions, hence part files")
  @ShowDefault("Spark's default parallelism")
  Integer partitions;

  @Option(names = "--overwrite",
      description = "replace DIR if it exists (only once the new output is complete)")
  boolean overwrite;

  private PrintStream out;

  @Override
  public void run(PrintStream out) throws IOException {
    this.out = out;
    long t0 = System.nanoTime();
    String to = OptionTypes.choice("--to", this.to, TARGETS);
    String format = OptionTypes.choice("--format", this.format, ImageDatasets.FORMATS);
    if (seed != null && limit == null) {
      throw new UsageException("--seed picks a sample of --limit N images; give --limit too");
    }
    if (partitions != null && !to.equals("parquet")) {
      throw new UsageException("--partitions applies to --to parquet only");
    }
    ImageFrames.Selection selection = new ImageFrames.Selection(limit == null ? 0 : limit, seed);

    // A Hadoop path (URI or glob) is listed with Spark's binaryFile source.
    SparkSession spark = to.equals("parquet") || ImageInputs.isHadoopPath(input) ? Main.session()
        : null;
    Configuration conf = spark != null ? spark.sparkContext().hadoopConfiguration()
        : new Configuration();
    try (OutputDir dir = OutputDir.open(conf, output, overwrite,
            OutputDir.Other.input("--input", input));
        ImageDataset dataset = ImageInputs.open(spark, input, format)) {
      out.printf("reading %s: %d images%s%n", dataset.name(), dataset.size(),
          dataset.classNames().isEmpty() ? "" : ", " + dataset.classNames().size() + " classes");
      long images;
      int[] sizes = null; // PNG: the largest height and width, the most channels
      Integer features = null;
      if (to.equals("parquet")) {
        int n = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
        LoadedInput frame = ImageFrames.load(spark, dataset, selection, n, true);
        frame.data().write().mode(SaveMode.Append).parquet(dir.path("."));
        images = frame.numRows();
        features = frame.numFeatures();
      } else {
        sizes = writePngs(dataset, selection, dir);
        images = selection.indices(dataset.size()).length;
      }
      dir.writeJson(DATASET_JSON, new ConversionReport(dataset.name(), input, dataset.size(),
          images, selection.limit() == 0 ? null : selection.limit(), selection.seed(),
          dataset.classNames(), features, sizes == null ? null : sizes[0],
          sizes == null ? null : sizes[1], sizes == null ? null : sizes[2],
          (System.nanoTime() - t0) / 1e9));
      dir.commit();
      out.printf("wrote %s: %s images as %s in %.1f s%n", dir.display(), images, to,
          (System.nanoTime() - t0) / 1e9);
    }
  }

  /**
   * Writes each selected image as DIR/<class>/<index>.png and lists them in images.csv.
   *
   * @return the largest height and width and the most channels of the images
   */
  private int[] writePngs(ImageDataset dataset, ImageFrames.Selection selection,
      OutputDir dir) throws IOException {
    int[] indices = selection.indices(dataset.size());
    if (indices.length == 0) {
      throw new IllegalArgumentException("Dataset " + dataset.name() + " has no images.");
    }
    List<String> names = dataset.classNames();
    int labelWidth = names.isEmpty() ? 3 : Integer.toString(names.size() - 1).length();
    int indexWidth = Integer.toString(dataset.size() - 1).length();
    StringBuilder csv = new StringBuilder("file,id,label\n");
    int step = Math.max(1, indices.length / 10);
    int height = 0;
    int width = 0;
    int channels = 0;
    for (int r = 0; r < indices.length; r++) {
      LabeledImage im = dataset.get(indices[r]);
      String file = String.format("%0" + indexWidth + "d.png", indices[r]);
      if (im.hasLabel()) {
        file = classFolder(im.label(), names, labelWidth) + "/" + file;
      }
      try (OutputStream os = dir.create(file)) {
        ImageFiles.writePng(im.image(), os);
      }
      csv.append(file).append(',').append(csvField(im.id())).append(',')
          .append(im.hasLabel() ? Integer.toString(im.label()) : "").append('\n');
      height = Math.max(height, im.image().height());
      width = Math.max(width, im.image().width());
      channels = Math.max(channels, im.image().channels());
      if ((r + 1) % step == 0 && r + 1 < indices.length) {
        out.printf("  %d of %d images written%n", r + 1, indices.length);
      }
    }
    dir.writeText(IMAGES_CSV, csv.toString());
    return new int[] {height, width, channels};
  }

  /**
   * The folder of a class: the label zero-padded to {@code width} digits, then {@code -} and the
   * class name (characters other than letters, digits, {@code .}, {@code _} and {@code -} replaced
   * by {@code _}) unless the name is the label itself or unknown.
   */
  static String classFolder(int label, List<String> names, int width) {
    String number = String.format("%0" + width + "d", label);
    if (label >= names.size() || names.get(label).equals(Integer.toString(label))) {
      return number;
    }
    return number + "-" + names.get(label).replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static String csvField(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n")
        ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
