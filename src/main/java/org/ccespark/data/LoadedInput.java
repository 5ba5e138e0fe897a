package org.ccespark.data;

import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The result of {@link FeatureInput#read}: a validated Dataset and what is known about it.
 *
 * <p>{@link #data()} has the columns {@code row} (long, the 0-based index of the row in the input:
 * file order, files taken in path order), {@code label} (only when a label column was requested,
 * with its type in the file), {@code seedLabel} and kept columns (only when requested) and the
 * dense-vector features column {@link #featuresCol()}. Every
 * feature vector has {@link #numFeatures()} finite values. The Dataset is not cached; its rows are
 * in Spark's scan order, which equals {@code row} order for a single file.
 *
 * @param data the Dataset with {@code row}, optional {@code label}, and the features column
 * @param path the input path as given
 * @param format the format that was read: {@code parquet}, {@code csv} or {@code libsvm}
 * @param featuresCol the name of the features column of {@code data}
 * @param labelCol {@code "label"} when {@code data} has a label column, otherwise null
 * @param numFeatures the length of every feature vector (at least 1)
 * @param numRows the number of rows of {@code data} (at least 1)
 * @param featureNames for CSV input the source column of each feature, in order; otherwise empty
 * @param skippedRows rows of the input left out because their features were invalid (read with
 *     {@code skipInvalid}); their {@code row} indices are missing from {@link #data()}
 */
public record LoadedInput(
    Dataset<Row> data,
    String path,
    String format,
    String featuresCol,
    String labelCol,
    int numFeatures,
    long numRows,
    List<String> featureNames,
    long skippedRows) {

  /**
   * Checks the required components and copies {@code featureNames}.
   *
   * @param data the Dataset
   * @param path the input path
   * @param format the format read
   * @param featuresCol the features column of {@code data}
   * @param labelCol {@code "label"} or null
   * @param numFeatures the feature vector length
   * @param numRows the row count
   * @param featureNames the CSV feature columns, or null or empty
   * @param skippedRows the rows left out as invalid
   */
  public LoadedInput {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(featuresCol, "featuresCol");
    featureNames = featureNames == null ? List.of() : List.copyOf(featureNames);
  }

  /** An input of which no row was skipped; the parameters are those of the canonical constructor. */
  public LoadedInput(Dataset<Row> data, String path, String format, String featuresCol,
      String labelCol, int numFeatures, long numRows, List<String> featureNames) {
    this(data, path, format, featuresCol, labelCol, numFeatures, numRows, featureNames, 0);
  }

  /**
   * Whether {@link #data()} has a {@code label} column.
   *
   * @return true when a label column was requested and read
   */
  public boolean hasLabel() {
    return labelCol != null;
  }
}
