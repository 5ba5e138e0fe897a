package org.ccespark.experiment;

import java.io.PrintStream;
import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.ImageFrames;
import org.ccespark.data.PcaFeatures;
import org.ccespark.data.RowSample;
import org.ccespark.data.SettingException;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDataset;
import org.ccespark.experiment.Sections.DatasetSpec;

/**
 * Loads an experiment's datasets: a feature file ({@link FeatureInput}) or a catalog dataset read
 * into pixel features ({@link ImageFrames}), then its seeded sample, PCA features and checks
 * (every row labelled, 2 ≤ k ≤ rows).
 */
final class DatasetLoader {
  /** Seed of the {@code dataset.NAME.sample} samples: the same rows for every run. */
  static final long SAMPLE_SEED = 42;

  private final SparkSession spark;
  private final PrintStream out;

  DatasetLoader(SparkSession spark, PrintStream out) {
    this.spark = spark;
    this.out = out;
  }

  /** The dataset of {@code spec}, persisted. */
  LoadedData load(DatasetSpec spec) {
    out.printf("loading dataset %s%n", spec.name());
    String featuresCol = spec.path() != null ? spec.featuresCol()
        : FeatureInput.DEFAULT_FEATURES_COL;
    Dataset<Row> rows = spec.path() != null ? FeatureInput.read(spark, spec.path(),
        spec.format(), spec.featuresCol(), spec.labelCol()).data() : readCatalog(spec);
    if (!Arrays.asList(rows.columns()).contains(FeatureInput.LABEL_COL)) {
      throw new IllegalArgumentException("dataset " + spec.name() + " has no label column: the"
          + " experiments score against labels");
    }
    rows = rows.withColumn(FeatureInput.LABEL_COL,
        functions.col(FeatureInput.LABEL_COL).cast("int"));
    LoadedData data = new LoadedData(spec.name(), rows.persist(StorageLevel.MEMORY_AND_DISK()),
        rows.count(), 0, featuresCol);
    if (spec.sample() != null && spec.path() != null) {
      LoadedData s = sample(data, spec.sample(), SAMPLE_SEED,
          "dataset." + spec.name() + ".sample");
      data.release();
      data = s;
    }
    if (!spec.features().raw()) {
      data = project(data, spec);
    }
    long labelNulls = data.rows().filter(functions.col(FeatureInput.LABEL_COL).isNull()).count();
    if (labelNulls > 0) {
      throw new IllegalArgumentException("dataset " + spec.name() + " has " + labelNulls
          + " rows without a label");
    }
    int classes = (int) data.rows().select(FeatureInput.LABEL_COL).distinct().count();
    int k = spec.k() == null ? classes : spec.k();
    if (k < 2 || k > data.count()) {
      throw new IllegalArgumentException("dataset " + spec.name() + ": k = " + k + " must be"
          + " between 2 and its " + data.count() + " rows");
    }
    out.printf("dataset %s: %,d rows, %d classes, k=%d%n", spec.name(), data.count(), classes, k);
    return new LoadedData(spec.name(), data.rows(), data.count(), k, featuresCol);
  }

  /** The catalog's images, read on the driver (only the sampled ones) into pixel features. */
  private Dataset<Row> readCatalog(DatasetSpec spec) {
    ImageFrames.Selection selection = spec.sample() == null ? ImageFrames.Selection.ALL
        : new ImageFrames.Selection(spec.sample(), SAMPLE_SEED);
    try (ImageDataset images = DatasetCatalog.open(spec.name())) {
      if (spec.sample() != null && spec.sample() > images.size()) {
        throw new SettingException("dataset." + spec.name() + ".sample = " + spec.sample()
            + " is more than the " + images.size() + " images of " + spec.name());
      }
      return ImageFrames.load(spark, images, selection,
          spark.sparkContext().defaultParallelism(), false).data();
    } catch (Exception e) {
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("cannot read dataset " + spec.name() + ": "
          + e.getMessage(), e);
    }
  }

  /** {@code dataset.NAME.features=pca:...}: the projection, persisted; the input released. */
  private LoadedData project(LoadedData data, DatasetSpec spec) {
    PcaFeatures.Result pca;
    try {
      pca = PcaFeatures.apply(data.rows(), data.featuresCol(), spec.features());
    } catch (IllegalArgumentException e) {
      throw new SettingException("dataset." + spec.name() + ".features: " + e.getMessage());
    }
    Dataset<Row> projected = pca.rows().persist(StorageLevel.MEMORY_AND_DISK());
    long count = projected.count();
    data.release();
    out.printf("dataset %s: features %s (%.1f%% of the variance kept)%n", spec.name(),
        spec.features(), 100 * pca.varianceKept());
    return data.withRows(projected, count);
  }

  /**
   * A seeded random sample of exactly {@code n} rows ({@link RowSample}), persisted.
   *
   * @param key the configuration key of {@code n}, for the error message
   */
  static LoadedData sample(LoadedData data, int n, long seed, String key) {
    if (n > data.count()) {
      throw new SettingException(key + " = " + n + " is more than the " + data.count()
          + " rows of " + data.name());
    }
    Dataset<Row> rows = RowSample.of(data.rows(), n, seed);
    return data.withRows(rows, n);
  }
}
