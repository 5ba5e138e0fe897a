package org.ccespark.data;

import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Fixed, unsupervised features computed from a dataset's own rows: the projection on its first
 * {@code D} principal components (Spark MLlib {@link PCA}, fitted on the rows themselves, labels
 * unused), centred, then optionally whitened (every component scaled to unit variance) or
 * L2-normalised (every row scaled to unit length).
 *
 * <p>A spec is written {@code pca:D}, {@code pca:D:whiten} or {@code pca:D:l2}; {@code raw} keeps the
 * features as read.
 */
public final class PcaFeatures {
  private PcaFeatures() {}

  /** How the principal components are scaled after centring. */
  public enum Scaling {
    /** Centred projection: each component keeps its own variance (the eigenvalue). */
    NONE,
    /** Each component divided by its standard deviation: unit variance, uncorrelated. */
    WHITEN,
    /** Each centred projected row divided by its Euclidean length. */
    L2
  }

  /**
   * A feature spec: {@code dim == 0} keeps the features as read.
   *
   * @param dim number of principal components, or 0 for the raw features
   * @param scaling scaling after centring (ignored when {@code dim == 0})
   */
  public record Spec(int dim, Scaling scaling) {
    /** The raw features, unchanged. */
    public static final Spec RAW = new Spec(0, Scaling.NONE);

    /** @return whether this keeps the features as read */
    public boolean raw() {
      return dim == 0;
    }

    @Override
    public String toString() {
      return raw() ? "raw" : "pca:" + dim + (scaling == Scaling.NONE ? ""
          : ":" + scaling.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Parses {@code raw}, {@code pca:D}, {@code pca:D:whiten} or {@code pca:D:l2}.
   *
   * @throws IllegalArgumentException saying what is expected
   */
  public static Spec parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("raw")) {
      return Spec.RAW;
    }
    String[] parts = t.split(":", -1);
    String expected = "expected raw, pca:D, pca:D:whiten or pca:D:l2 (D a number of components"
        + " of at least 1), got '" + text.trim() + "'";
    if (parts.length < 2 || parts.length > 3 || !parts[0].equals("pca")) {
      throw new IllegalArgumentException(expected);
    }
    int dim;
    try {
      dim = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(expected);
    }
    if (dim < 1) {
      throw new IllegalArgumentException(expected);
    }
    Scaling scaling = Scaling.NONE;
    if (parts.length == 3) {
      scaling = switch (parts[2]) {
        case "whiten" -> Scaling.WHITEN;
        case "l2" -> Scaling.L2;
        default -> throw new IllegalArgumentException(expected);
      };
    }
    return new Spec(dim, scaling);
  }

  /**
   * The rows with their features column replaced by the spec's features (other columns kept).
   *
   * @param rows the rows (persist them first: PCA and the scaler each pass over them)
   * @param featuresCol a vector column
   * @param spec what to compute; {@link Spec#RAW} returns {@code rows} unchanged
   * @return the transformed rows (not persisted) and the fraction of variance kept
   * @throws IllegalArgumentException when {@code spec.dim()} is more than the feature dimension
   */
  public static Result apply(Dataset<Row> rows, String featuresCol, Spec spec) {
    if (spec.raw()) {
      return new Result(rows, 1.0);
    }
    int inputDim = ((org.apache.spark.ml.linalg.Vector) rows.select(featuresCol).first().get(0))
        .size();
    if (spec.dim() > inputDim) {
      throw new IllegalArgumentException(spec + ": " + spec.dim() + " components of "
          + inputDim + "-dimensional features");
    }
    String pcaCol = featuresCol + "_pca";
    String centredCol = featuresCol + "_centred";
    PCAModel pca = new PCA().setK(spec.dim()).setInputCol(featuresCol).setOutputCol(pcaCol)
        .fit(rows);
    Dataset<Row> projected = pca.transform(rows);
    StandardScalerModel scaler = new StandardScaler().setWithMean(true)
        .setWithStd(spec.scaling() == Scaling.WHITEN).setInputCol(pcaCol)
        .setOutputCol(centredCol).fit(projected);
    Dataset<Row> out = scaler.transform(projected);
    String finalCol = centredCol;
    if (spec.scaling() == Scaling.L2) {
      finalCol = featuresCol + "_l2";
      out = new Normalizer().setP(2).setInputCol(centredCol).setOutputCol(finalCol)
          .transform(out);
    }
    double kept = Arrays.stream(pca.explainedVariance().toArray()).sum();
    Dataset<Row> result = out.drop(featuresCol, pcaCol).withColumnRenamed(finalCol, featuresCol);
    if (!finalCol.equals(centredCol)) {
      result = result.drop(centredCol);
    }
    return new Result(result.select(Arrays.stream(rows.columns())
        .map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new)),
        kept);
  }

  /**
   * Transformed rows and what PCA kept.
   *
   * @param rows the rows, same columns in the same order, features replaced
   * @param varianceKept fraction of the total variance on the kept components (1 for raw)
   */
  public record Result(Dataset<Row> rows, double varianceKept) {}
}
