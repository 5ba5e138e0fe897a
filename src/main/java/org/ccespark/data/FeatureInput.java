package org.ccespark.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NumericAttribute;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a feature file (Parquet, CSV with a header row, or LibSVM) into the Dataset the clustering
 * estimator consumes: {@code row} (long, 0-based input row index), optionally {@code label} (and
 * {@code seedLabel}, and columns kept as they are, such as an image id), and a dense
 * {@link org.apache.spark.ml.linalg.VectorUDT} features column.
 *
 * <p>Formats:
 *
 * <ul>
 *   <li>{@code parquet}: the features column holds an ML (or old MLlib) vector or an array of
 *       numbers; the label column, if requested, is kept with its type.
 *   <li>{@code csv}: a header row is required and the schema is inferred; every column other than
 *       the label column is a feature, in column order, and each of its values must be a number
 *       (a row with another value is invalid, like a row with a NaN).
 *   <li>{@code libsvm}: Spark's {@code libsvm} source; its {@code label} column is kept when any
 *       label column is requested.
 *   <li>{@code auto}: by extension: {@code .parquet} or a directory of Parquet files, {@code .csv},
 *       {@code .libsvm}/{@code .svm}/{@code .txt} (a compression suffix such as {@code .gz} is
 *       ignored; a directory is judged by its first data file).
 * </ul>
 *
 * <p>A CSV column that holds a value other than a number is read as text and checked row by row,
 * so a malformed line is reported (or skipped) as a row with a non-numeric value. A LibSVM line
 * that Spark's parser rejects fails the read naming its file and line number.
 *
 * <p>The row index follows the files in path order (for a Spark output directory: part order) and
 * the rows of each file in file order, whatever the number of splits. The features are validated in
 * the same Spark job that counts the rows of each file split: the tasks send back per-split counts
 * and at most the first {@value #MAX_REPORTED_ROWS} offending rows, never the data. Any null, NaN or
 * infinite value, or a vector whose length differs from row 0's, fails the read with an {@link
 * IllegalArgumentException} naming the file, the row and the column. Besides schema resolution
 * (Parquet footer, CSV schema inference, LibSVM feature count) that is the only job {@code read}
 * runs. The returned Dataset is not cached and reads the input again each time it is used; the
 * splits are fixed at read time, so the numbering does not change if Spark's file-split settings
 * change afterwards.
 */
public final class FeatureInput {
  /** Name of the row index column of the result. */
  public static final String ROW_COL = "row";
  /** Name of the label column of the result (present only when a label column was requested). */
  public static final String LABEL_COL = "label";
  /**
   * Name of the seed-label column of the result (present only when a seed-label column was
   * requested: semi-supervised mode).
   */
  public static final String SEED_LABEL_COL = "seedLabel";
  /** Name of the features column when none is given. */
  public static final String DEFAULT_FEATURES_COL = "features";
  /**
   * The most features a LibSVM input may have (its largest index): rows are made dense, so a
   * larger index is refused before any row is read.
   */
  public static final int MAX_FEATURES = 1 << 24;

  /** How many offending rows an error message lists at most. */
  static final int MAX_REPORTED_ROWS = 3;

  private static final String FILE_COL = "__cce_file";
  private static final String START_COL = "__cce_block_start";

  private FeatureInput() {}

  /**
   * Reads {@code path} into a validated {@code row}/{@code label}/features Dataset.
   *
   * @param spark the session to read with
   * @param path a file, a directory of part files, or a Hadoop glob
   * @param format {@code auto} (or null), {@code parquet}, {@code csv} or {@code libsvm}
   *     (case-insensitive)
   * @param featuresCol the features column: for Parquet the input column, which is also the output
   *     name; for CSV and LibSVM only the output name; null means {@value #DEFAULT_FEATURES_COL}
   * @param labelCol the label column to keep as {@code label} (for LibSVM any non-null value keeps
   *     the file's labels), or null for none
   * @return the Dataset and its row count, dimension and format
   * @throws IllegalArgumentException if the path does not exist, the format is unknown or cannot be
   *     inferred, a requested column is missing, a CSV column other than the label is not numeric,
   *     a feature value is null, NaN or infinite, vectors differ in length, or the input is empty
   */
  public static LoadedInput read(
      SparkSession spark, String path, String format, String featuresCol, String labelCol) {
    return read(spark, path, format, featuresCol, labelCol, null);
  }

  /**
   * Reads {@code path} like {@link #read(SparkSession, String, String, String, String)} and also
   * keeps the column {@code seedLabelCol} (semi-supervised mode: a class index, or null for an
   * unlabelled row) as {@value #SEED_LABEL_COL}, after {@code label}. It must be numeric; for CSV
   * it is not a feature. {@link #checkClassIndices} checks its values against k.
   *
   * @param seedLabelCol the seed-label column, or null for none; not for LibSVM, and not the
   *     label column
   * @throws IllegalArgumentException as the other {@code read}, and if the seed-label column is
   *     missing, not numeric, the label column, or requested from LibSVM input
   */
  public static LoadedInput read(SparkSession spark, String path, String format,
      String featuresCol, String labelCol, String seedLabelCol) {
    return read(spark, path, format, featuresCol, labelCol, seedLabelCol, false);
  }

  /**
   * As {@link #read(SparkSession, String, String, String, String, String)}, optionally leaving
   * out the invalid rows instead of failing on the first.
   *
   * @param skipInvalid whether to leave out (and count, {@link LoadedInput#skippedRows()}) every
   *     row with a null, NaN, infinite or non-numeric feature value or a vector whose length
   *     differs from that of the first valid row; the kept rows keep their input {@code row} index
   * @throws IllegalArgumentException as the other {@code read}; with {@code skipInvalid}, instead
   *     of an invalid row, when no row is valid
   */
  public static LoadedInput read(SparkSession spark, String path, String format,
      String featuresCol, String labelCol, String seedLabelCol, boolean skipInvalid) {
    return read(spark, path, format, featuresCol, labelCol, seedLabelCol, skipInvalid, List.of());
  }

  /**
   * As {@link #read(SparkSession, String, String, String, String, String, boolean)}, also keeping
   * further columns of the input as they are (for example an image id), after {@code label} and
   * {@code seedLabel}. For CSV they are not features; LibSVM has none.
   *
   * @param keepCols the columns to keep, by their names in the input, which they keep
   * @throws IllegalArgumentException as the other {@code read}, and if a kept column is missing,
   *     requested from LibSVM input, or named like another column of the result
   */
  public static LoadedInput read(SparkSession spark, String path, String format,
      String featuresCol, String labelCol, String seedLabelCol, boolean skipInvalid,
      List<String> keepCols) {
    if (spark == null) {
      throw new NullPointerException("spark");
    }
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("No input path was given.");
    }
    String outFeatures = featuresCol == null ? DEFAULT_FEATURES_COL : featuresCol;
    checkFeaturesColName(outFeatures);
    for (String c : keepCols) {
      if (List.of(ROW_COL, LABEL_COL, SEED_LABEL_COL, outFeatures).contains(c)
          || c.equals(labelCol) || c.equals(seedLabelCol)) {
        throw new IllegalArgumentException("Column '" + c + "' cannot be kept as it is: the"
            + " result has a column of that name, or it is the label, seed-label or features"
            + " column.");
      }
    }
    if (seedLabelCol != null && seedLabelCol.equals(labelCol)) {
      throw new IllegalArgumentException("Seed-label column '" + seedLabelCol + "' is also the"
          + " label column: the true labels and the seed labels must be different columns.");
    }
    FileStatus[] matches = existingPaths(spark, path);
    String fmt = resolveFormat(spark, path, format, matches);
    switch (fmt) {
      case "parquet":
        try {
          return readParquet(spark, path, outFeatures, labelCol, seedLabelCol, keepCols,
              skipInvalid);
        } catch (Exception e) { // Spark's exceptions are checked, thrown unchecked by Scala
          throw namingThePath(e, path);
        }
      case "csv":
        return readCsv(spark, path, outFeatures, labelCol, seedLabelCol, keepCols, skipInvalid);
      case "libsvm":
        if (!keepCols.isEmpty()) {
          throw new IllegalArgumentException("LibSVM input '" + path + "' has no column '"
              + keepCols.get(0) + "': it has only labels and features.");
        }
        if (seedLabelCol != null) {
          throw new IllegalArgumentException("LibSVM input '" + path + "' has no column '"
              + seedLabelCol + "' for seed labels: use Parquet or CSV for semi-supervised"
              + " input.");
        }
        return readLibSvm(spark, path, outFeatures, labelCol, skipInvalid);
      default:
        throw new IllegalStateException(fmt);
    }
  }

  /**
   * Checks a features column name as {@code read} does.
   *
   * @param name the name of the features column in the result
   * @throws IllegalArgumentException if it is blank or the name of another column of the result
   *     ({@value #ROW_COL}, {@value #LABEL_COL}, {@value #SEED_LABEL_COL})
   */
  public static void checkFeaturesColName(String name) {
    if (name.isBlank() || name.equals(ROW_COL) || name.equals(LABEL_COL)
        || name.equals(SEED_LABEL_COL)) {
      throw new IllegalArgumentException(
          "Features column name '" + name + "' is not allowed: it must be non-blank and"
              + " differ from '" + ROW_COL + "', '" + LABEL_COL + "' and '" + SEED_LABEL_COL
              + "'.");
    }
  }

  /**
   * The column names of a feature file, without reading its data: for Parquet the file's, for CSV
   * the header's, for LibSVM {@code label} and {@code features}.
   *
   * @param spark the session to read with
   * @param path as for {@code read}
   * @param format as for {@code read}
   * @return the names, in order
   * @throws IllegalArgumentException if the path does not exist or the format is unknown or
   *     cannot be inferred
   * @throws IllegalStateException naming the path, as {@code read} does, if Parquet input cannot
   *     be read (a corrupt footer) and Spark's message does not name the file
   */
  public static List<String> columns(SparkSession spark, String path, String format) {
    String fmt = resolveFormat(spark, path, format, existingPaths(spark, path));
    if (fmt.equals("libsvm")) {
      return List.of(LABEL_COL, DEFAULT_FEATURES_COL);
    }
    try {
      return List.of(spark.read().format(fmt).option("header", "true").load(path).columns());
    } catch (Exception e) { // Spark's exceptions are checked, thrown unchecked by Scala
      throw fmt.equals("parquet") ? namingThePath(e, path)
          : FeatureInput.<RuntimeException>rethrow(e);
    }
  }

  // ---------------------------------------------------------------------------------- formats

  private static LoadedInput readParquet(SparkSession spark, String path, String featuresCol,
      String labelCol, String seedLabelCol, List<String> keepCols, boolean skip) {
    Dataset<Row> raw = spark.read().parquet(path);
    StructType schema = raw.schema();
    requireColumn(schema, featuresCol, "Features", path);
    if (labelCol != null) {
      requireColumn(schema, labelCol, "Label", path);
    }
    requireSeedLabels(schema, seedLabelCol, path);
    for (String c : keepCols) {
      requireColumn(schema, c, "Kept", path);
    }
    DataType dt = schema.apply(featuresCol).dataType();
    FeatureLayout.Kind kind;
    if (isVectorType(dt)) {
      kind = FeatureLayout.Kind.VECTOR;
    } else if (dt instanceof ArrayType at && at.elementType() instanceof NumericType) {
      kind = FeatureLayout.Kind.ARRAY;
    } else {
      throw new IllegalArgumentException(
          "Features column '" + featuresCol + "' of '" + path + "' has type "
              + dt.simpleString() + ", not an ML vector or an array of numbers.");
    }
    List<Column> payload = kept(raw, labelCol, seedLabelCol, keepCols);
    int kept = payload.size();
    payload.add(raw.col(quote(featuresCol)));
    FeatureLayout layout = new FeatureLayout(kind, payload.size() - 1, featuresCol, List.of());
    return finish(spark, raw, payload, layout, path, "parquet", featuresCol, kept, List.of(),
        skip);
  }

  private static LoadedInput readCsv(SparkSession spark, String path, String featuresCol,
      String labelCol, String seedLabelCol, List<String> keepCols, boolean skip) {
    Dataset<Row> raw = spark.read()
        .option("header", "true")
        .option("inferSchema", "true")
        .csv(path);
    StructType schema = raw.schema();
    if (labelCol != null) {
      requireColumn(schema, labelCol, "Label", path);
    }
    requireSeedLabels(schema, seedLabelCol, path);
    for (String c : keepCols) {
      requireColumn(schema, c, "Kept", path);
    }
    List<String> features = new ArrayList<>();
    List<String> nonNumeric = new ArrayList<>();
    for (StructField f : schema.fields()) {
      if (f.name().equals(labelCol) || f.name().equals(seedLabelCol)
          || keepCols.contains(f.name())) {
        continue;
      }
      features.add(f.name());
      if (!(f.dataType() instanceof NumericType)) {
        nonNumeric.add(f.name());
      }
    }
    if (!nonNumeric.isEmpty() || features.isEmpty()) {
      // A header-only file infers every column as a string: report it as empty instead.
      if (raw.isEmpty()) {
        throw emptyInput(path);
      }
    }
    if (features.isEmpty()) {
      throw new IllegalArgumentException(
          "CSV input '" + path + "' has no feature column besides the label column.");
    }
    List<Column> payload = kept(raw, labelCol, seedLabelCol, keepCols);
    int first = payload.size();
    for (String f : features) {
      // a column with a value that is not a number (a malformed line) is read as text; its rows
      // are then checked one by one, so the error (or the skip) names the row
      payload.add(nonNumeric.contains(f) ? raw.col(quote(f)).cast(DataTypes.StringType)
          : raw.col(quote(f)));
    }
    FeatureLayout layout = new FeatureLayout(FeatureLayout.Kind.COLUMNS, first, null, features);
    return finish(spark, raw, payload, layout, path, "csv", featuresCol, first, features, skip);
  }

  private static LoadedInput readLibSvm(
      SparkSession spark, String path, String featuresCol, String labelCol, boolean skip) {
    try {
      // The source counts the features while resolving the schema, which fails on empty input.
      Dataset<Row> raw = spark.read().format("libsvm").load(path);
      int dim = AttributeGroup.fromStructField(raw.schema().apply("features")).size();
      if (dim > MAX_FEATURES) {
        throw new IllegalArgumentException("LibSVM input '" + path + "' has " + dim
            + " features (its largest index), more than the limit of " + MAX_FEATURES
            + ": every row is made dense (8 bytes per feature), so " + dim + " features would"
            + " take " + String.format("%.1f", dim * 8.0 / (1 << 30)) + " GiB per row. Renumber"
            + " the indices to those in use, or reduce the features first.");
      }
      List<Column> payload = new ArrayList<>();
      if (labelCol != null) {
        payload.add(raw.col("label").as(LABEL_COL));
      }
      payload.add(raw.col("features"));
      FeatureLayout layout =
          new FeatureLayout(FeatureLayout.Kind.VECTOR, payload.size() - 1, "features", List.of());
      return finish(spark, raw, payload, layout, path, "libsvm", featuresCol, payload.size() - 1,
          List.of(), skip);
    } catch (IllegalArgumentException e) {
      throw e; // our own message
    } catch (Exception e) { // a task failure is a SparkException, which Scala throws unchecked
      if (spark.read().text(path).where("trim(value) != '' AND NOT startswith(trim(value), '#')")
          .isEmpty()) {
        throw emptyInput(path);
      }
      // Spark's parser names neither the file nor the line: find them
      String bad = LibSvmLines.firstMalformed(spark, path);
      if (bad != null) {
        throw new IllegalArgumentException(bad, e);
      }
      throw FeatureInput.<RuntimeException>rethrow(e);
    }
  }

  /**
   * A failure to read {@code path} whose message names it: {@code e} itself if its innermost
   * message does (our own row errors, Parquet's "is not a Parquet file"), else an exception
   * saying which input could not be read and why (Parquet's "footer is too large", a truncated
   * column chunk, ... name no file).
   */
  private static RuntimeException namingThePath(Exception e, String path) {
    String message = null;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    String name = new Path(path).getName();
    if (message == null || message.contains(name) || e instanceof IllegalArgumentException) {
      return FeatureInput.<RuntimeException>rethrow(e);
    }
    return new IllegalStateException("Cannot read Parquet input '" + path + "': "
        + message.lines().findFirst().orElse(message).trim(), e);
  }

  /** Throws {@code e} as it is, checked or not. */
  @SuppressWarnings("unchecked")
  private static <T extends Exception> T rethrow(Exception e) throws T {
    throw (T) e;
  }

  // ----------------------------------------------------------------- indexing and validation

  /**
   * Numbers the rows of {@code raw} in file order, validates the features in the same pass and
   * builds the result.
   *
   * @param payload the kept columns ({@code label}, {@code seedLabel}, as requested) followed by
   *     the feature source column(s)
   * @param kept how many leading columns of {@code payload} are kept as they are
   */
  private static LoadedInput finish(
      SparkSession spark,
      Dataset<Row> raw,
      List<Column> payload,
      FeatureLayout layout,
      String path,
      String format,
      String featuresCol,
      int kept,
      List<String> featureNames,
      boolean skip) {
    Column meta = raw.metadataColumn("_metadata");
    List<Column> cols = new ArrayList<>(payload);
    cols.add(meta.getField("file_path").as(FILE_COL));
    cols.add(meta.getField("file_block_start").as(START_COL));
    Dataset<Row> withMeta = raw.select(cols.toArray(new Column[0]));
    int fileIndex = payload.size();
    int keep = MAX_REPORTED_ROWS;

    // Fix the splits once: the numbering below relies on later jobs reading exactly these blocks.
    JavaRDD<Row> rdd = withMeta.javaRDD();

    // The one validation job: per block, its row count and first few offending rows.
    List<BlockSummary> blocks = new ArrayList<>(
        rdd.mapPartitions(it -> summarize(it, layout, fileIndex, keep)).collect());
    blocks.sort(Comparator.comparing((BlockSummary s) -> s.file).thenComparingLong(s -> s.start));
    Map<String, Long> offsets = new HashMap<>();
    long total = 0;
    for (BlockSummary s : blocks) {
      if (offsets.put(s.key(), total) != null) {
        throw new IllegalStateException("Block " + s.key() + " of '" + path
            + "' was read by more than one task, so its rows cannot be numbered.");
      }
      total += s.count;
    }
    if (total == 0) {
      throw emptyInput(path);
    }
    long skipped = 0;
    int numFeatures;
    if (skip) {
      // the length of the first valid row; every other row of another length is skipped too
      numFeatures = blocks.stream().mapToInt(b -> b.firstValidLength).filter(n -> n > 0)
          .findFirst().orElse(0);
      long valid = 0;
      for (BlockSummary b : numFeatures > 0 ? blocks : List.<BlockSummary>of()) {
        valid += b.validLengths.getOrDefault(numFeatures, 0L);
      }
      skipped = total - valid;
      if (valid == 0) {
        throw new IllegalArgumentException("Input '" + path + "' has no valid row: all " + total
            + " rows have a null, NaN, infinite or non-numeric value or no values in "
            + layout.where(-1) + ".");
      }
      total = valid;
    } else {
      numFeatures = blocks.get(0).firstLength;
      if (numFeatures == 0) {
        throw new IllegalArgumentException(
            "Row 0 of '" + path + "' has no values in " + layout.where(-1) + ".");
      }
      checkRows(blocks, offsets, numFeatures, layout, path, keep);
    }

    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(ROW_COL, DataTypes.LongType, false));
    for (int c = 0; c < kept; c++) {
      StructField f = withMeta.schema().fields()[c];
      fields.add(DataTypes.createStructField(f.name(), f.dataType(), f.nullable()));
    }
    boolean hasLabel = kept > 0 && fields.get(1).name().equals(LABEL_COL);
    fields.add(new StructField(featuresCol, SQLDataTypes.VectorType(), false,
        featureMetadata(featuresCol, numFeatures, featureNames)));
    int length = numFeatures;
    JavaRDD<Row> numbered = rdd.mapPartitions(
        it -> number(it, layout, kept, fileIndex, offsets, skip ? length : -1));
    if (skip) {
      numbered = numbered.filter(r -> r != null);
    }
    Dataset<Row> data = spark.createDataFrame(numbered, DataTypes.createStructType(fields));
    return new LoadedInput(data, path, format, featuresCol, hasLabel ? LABEL_COL : null,
        numFeatures, total, featureNames, skipped);
  }

  /** Fails with a message about the first offending row, if any, listing the first few. */
  private static void checkRows(
      List<BlockSummary> blocks,
      Map<String, Long> offsets,
      int numFeatures,
      FeatureLayout layout,
      String path,
      int keep) {
    TreeMap<Long, String> offending = new TreeMap<>();
    for (BlockSummary s : blocks) {
      long offset = offsets.get(s.key());
      for (Map.Entry<Long, String> p : s.problems.entrySet()) {
        offending.putIfAbsent(offset + p.getKey(), p.getValue());
      }
      if (numFeatures > 0) {
        for (Map.Entry<Integer, List<Long>> e : s.lengths.entrySet()) {
          int length = e.getKey();
          if (length != numFeatures) {
            String problem = length + (length == 1 ? " value" : " values") + " in "
                + layout.where(-1) + " but row 0 has " + numFeatures;
            for (long position : e.getValue()) {
              offending.putIfAbsent(offset + position, problem);
            }
          }
        }
      }
    }
    if (offending.isEmpty()) {
      return;
    }
    Map.Entry<Long, String> first = offending.firstEntry();
    String rows = offending.keySet().stream().limit(keep).map(String::valueOf)
        .collect(Collectors.joining(", "));
    String more = offending.size() > 1 ? " (first offending rows: " + rows + ")" : "";
    throw new IllegalArgumentException(
        "Row " + first.getKey() + " of '" + path + "' has " + first.getValue() + more + ".");
  }

  private static Metadata featureMetadata(String name, int numFeatures, List<String> names) {
    if (names.isEmpty()) {
      return new AttributeGroup(name, numFeatures).toMetadata();
    }
    Attribute[] attrs = new Attribute[names.size()];
    for (int j = 0; j < attrs.length; j++) {
      attrs[j] = NumericAttribute.defaultAttr().withName(names.get(j)).withIndex(j);
    }
    return new AttributeGroup(name, attrs).toMetadata();
  }

  /** One summary per run of rows from the same block (a block lies within one partition). */
  private static Iterator<BlockSummary> summarize(
      Iterator<Row> it, FeatureLayout layout, int fileIndex, int keep) {
    List<BlockSummary> out = new ArrayList<>();
    BlockSummary current = null;
    while (it.hasNext()) {
      Row r = it.next();
      String file = r.getString(fileIndex);
      long start = r.getLong(fileIndex + 1);
      int length = layout.length(r);
      if (current == null || current.start != start || !current.file.equals(file)) {
        current = new BlockSummary(file, start, length);
        out.add(current);
      }
      current.add(layout.problem(r), length, keep);
    }
    return out.iterator();
  }

  /**
   * Maps each row to {@code (row, [label], [seedLabel], dense features)}, lazily; with
   * {@code keepLength} ≥ 0, an invalid row (see {@link FeatureLayout#isValid}) to null.
   */
  private static Iterator<Row> number(Iterator<Row> it, FeatureLayout layout, int kept,
      int fileIndex, Map<String, Long> offsets, int keepLength) {
    return new Iterator<>() {
      private String file;
      private long start = Long.MIN_VALUE;
      private long next;

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Row next() {
        Row r = it.next();
        String f = r.getString(fileIndex);
        long s = r.getLong(fileIndex + 1);
        if (s != start || !f.equals(file)) {
          Long offset = offsets.get(BlockSummary.key(f, s));
          if (offset == null) {
            throw new IllegalStateException("Block " + BlockSummary.key(f, s)
                + " was not seen when the rows were counted; did the input change?");
          }
          file = f;
          start = s;
          next = offset;
        }
        long row = next++;
        if (keepLength >= 0 && !layout.isValid(r, keepLength)) {
          return null;
        }
        Object[] values = new Object[kept + 2];
        values[0] = row;
        for (int c = 0; c < kept; c++) {
          values[c + 1] = r.get(c);
        }
        values[kept + 1] = layout.toDense(r, row);
        return RowFactory.create(values);
      }
    };
  }

  // ---------------------------------------------------------------------- paths and formats

  /**
   * A path as Hadoop reads it.
   *
   * @param path a path or URI as given by the user
   * @param what what it is, for the message, e.g. {@code Input path}
   * @throws IllegalArgumentException if Hadoop cannot parse it (a relative path with a colon
   *     before its first slash reads as a URI scheme), saying how to write it instead
   */
  public static Path hadoopPath(String path, String what) {
    try {
      return new Path(path);
    } catch (IllegalArgumentException e) {
      String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new IllegalArgumentException(what + " '" + path + "' is not a valid Hadoop path ("
          + reason + ")" + (path.indexOf(':') >= 0 ? ": a colon before the first '/' reads as a"
              + " URI scheme; write './" + path + "' or a full URI such as 'file:///...'" : "")
          + ".");
    }
  }

  private static FileStatus[] existingPaths(SparkSession spark, String path) {
    try {
      Path p = hadoopPath(path, "Input path");
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus[] matches = fs.globStatus(p);
      if (matches == null || matches.length == 0) {
        if (isGlob(path)) {
          boolean literal = fs.exists(p);
          throw new IllegalArgumentException("Input path '" + path + "' matches no file: it is"
              + " read as a Hadoop glob pattern, in which * ? [ ] { } are special"
              + (literal ? "; a file of that very name exists: escape each of those characters"
                  + " with a backslash ('" + path.replaceAll("([\\[\\]{}*?])", "\\\\$1")
                  + "')" : "") + ".");
        }
        throw new IllegalArgumentException("Input path '" + path + "' does not exist.");
      }
      requireFilesOrFolders("Input path", path, matches);
      return matches;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot access input path '" + path + "'", e);
    }
  }

  /**
   * Refuses an input that names something other than regular files and folders: a named pipe
   * (FIFO), a device or a socket. Spark reads only regular files: such a path would read as empty
   * and fail later on a missing column or no rows.
   *
   * @param what how the message names the input, e.g. {@code Input path} or {@code --input}
   * @param given the path as given (a glob too)
   * @param matches the files and folders it names
   * @throws IllegalArgumentException naming the path and what it is
   */
  public static void requireFilesOrFolders(String what, String given, FileStatus[] matches) {
    for (FileStatus m : matches) {
      String kind = m.isDirectory() ? null : specialFileKind(m.getPath());
      if (kind != null) {
        throw new IllegalArgumentException(what + " '" + given + "' "
            + (isGlob(given) ? "matches " + m.getPath().toUri().getPath() + ", " : "is ") + kind
            + ", not a regular file or folder: only regular files (or folders of them) can be"
            + " read; write the data into a file and pass that.");
      }
    }
  }

  /**
   * What a local path is when it is neither a regular file nor a folder.
   *
   * @return {@code a named pipe (FIFO)}, {@code a character device}, {@code a block device},
   *     {@code a socket} or {@code a special file}; null for a regular file, a folder, a missing
   *     path or a path on another file system than the local one
   */
  private static String specialFileKind(Path path) {
    String scheme = path.toUri().getScheme();
    if (scheme != null && !scheme.equals("file")) {
      return null;
    }
    java.nio.file.Path local = java.nio.file.Path.of(path.toUri().getPath());
    try {
      if (!Files.readAttributes(local, BasicFileAttributes.class).isOther()) {
        return null;
      }
      switch ((Integer) Files.getAttribute(local, "unix:mode") & 0170000) {
        case 0010000:
          return "a named pipe (FIFO)";
        case 0020000:
          return "a character device";
        case 0060000:
          return "a block device";
        case 0140000:
          return "a socket";
        default:
          return "a special file";
      }
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return "a special file"; // no unix attribute view: isOther() said enough
    } catch (IOException e) {
      return null; // gone or unreadable: reading it fails with its own message
    }
  }

  /** Whether Hadoop reads {@code path} as a glob pattern: it has one of * ? [ ] { }. */
  private static boolean isGlob(String path) {
    return path.matches(".*[\\[\\]{}*?].*");
  }

  private static String resolveFormat(
      SparkSession spark, String path, String format, FileStatus[] matches) {
    String f = format == null ? "auto" : format.trim().toLowerCase(Locale.ROOT);
    switch (f) {
      case "parquet":
      case "csv":
      case "libsvm":
        return f;
      case "auto":
        break;
      default:
        throw new IllegalArgumentException("Unknown input format '" + format + "' for '" + path
            + "': use auto, parquet, csv or libsvm.");
    }
    return formatOfFiles(spark, path, matches);
  }

  /**
   * The format of the files Spark will read for {@code path}: a file's own name; for a folder the
   * visible files at its top level (names starting with _ or . are skipped, as Spark does), or, if
   * it has none (a partitioned table), the first file below it. Files of different kinds at the
   * top level are refused, since Spark would read them all as one format.
   */
  private static String formatOfFiles(SparkSession spark, String path, FileStatus[] matches) {
    try {
      for (FileStatus m : matches) {
        if (!m.isDirectory()) {
          return byExtension(path, m.getPath().getName());
        }
        FileSystem fs = m.getPath().getFileSystem(spark.sparkContext().hadoopConfiguration());
        java.util.TreeMap<String, String> kinds = new java.util.TreeMap<>();
        for (FileStatus s : fs.listStatus(m.getPath())) {
          String n = s.getPath().getName();
          if (s.isFile() && !n.startsWith("_") && !n.startsWith(".")) {
            kinds.put(n, String.valueOf(formatOfName(n)));
          }
        }
        if (kinds.isEmpty()) {
          RemoteIterator<LocatedFileStatus> files = fs.listFiles(m.getPath(), true);
          List<String> names = new ArrayList<>();
          while (files.hasNext()) {
            String n = files.next().getPath().getName();
            if (!n.startsWith("_") && !n.startsWith(".")) {
              names.add(n);
            }
          }
          if (names.isEmpty()) {
            continue;
          }
          names.sort(null);
          return byExtension(path, names.get(0));
        }
        if (new java.util.HashSet<>(kinds.values()).size() > 1) {
          StringBuilder list = new StringBuilder();
          java.util.Set<String> shown = new java.util.HashSet<>();
          kinds.forEach((n, k) -> {
            if (shown.add(k)) {
              list.append(list.length() == 0 ? "" : ", ").append(n).append(": ")
                  .append(k.equals("null") ? "unknown" : k);
            }
          });
          throw new IllegalArgumentException("Cannot infer the format of '" + path + "': folder '"
              + m.getPath() + "' holds files of different kinds (" + list + "), and Spark reads"
              + " every file at its top level as one format: move the other files away, or pass"
              + " a glob of the data files only (for example '" + path.replaceAll("/+$", "")
              + "/*.csv').");
        }
        return byExtension(path, kinds.firstKey());
      }
      return byExtension(path, null);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list input path '" + path + "'", e);
    }
  }

  private static String byExtension(String path, String fileName) {
    String format = fileName == null ? null : formatOfName(fileName);
    if (format == null) {
      throw new IllegalArgumentException("Cannot infer the format of '" + path + "' from "
          + (fileName == null ? "its files (none found)" : "the extension of '" + fileName + "'")
          + " (expected .parquet, .csv, .libsvm, .svm or .txt): pass format parquet, csv or"
          + " libsvm.");
    }
    return format;
  }

  /**
   * The format implied by a file name's extension, ignoring a compression suffix.
   *
   * @param fileName a file's name
   * @return {@code parquet}, {@code csv}, {@code libsvm}, or null for another extension
   */
  public static String formatOfName(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    for (String c : new String[] {".gz", ".bz2", ".deflate", ".lz4", ".snappy", ".zst", ".xz"}) {
      if (n.endsWith(c) && !n.endsWith(".parquet" + c)) {
        n = n.substring(0, n.length() - c.length());
        break;
      }
    }
    if (n.endsWith(".parquet")) {
      return "parquet";
    }
    if (n.endsWith(".csv")) {
      return "csv";
    }
    if (n.endsWith(".libsvm") || n.endsWith(".svm") || n.endsWith(".txt")) {
      return "libsvm";
    }
    return null;
  }

  // ------------------------------------------------------------------------------- helpers

  private static boolean isVectorType(DataType dt) {
    return dt instanceof org.apache.spark.ml.linalg.VectorUDT
        || dt instanceof org.apache.spark.mllib.linalg.VectorUDT;
  }

  private static void requireColumn(StructType schema, String name, String role, String path) {
    for (String c : schema.fieldNames()) {
      if (c.equals(name)) {
        return;
      }
    }
    throw new IllegalArgumentException(role + " column '" + name + "' is not in '" + path
        + "', whose columns are " + quoteList(List.of(schema.fieldNames())) + ".");
  }

  /**
   * The label and seed-label columns to keep, renamed, as requested (either may be null), then
   * {@code keepCols} as they are.
   */
  private static List<Column> kept(Dataset<Row> raw, String labelCol, String seedLabelCol,
      List<String> keepCols) {
    List<Column> out = new ArrayList<>();
    if (labelCol != null) {
      out.add(raw.col(quote(labelCol)).as(LABEL_COL));
    }
    if (seedLabelCol != null) {
      out.add(raw.col(quote(seedLabelCol)).as(SEED_LABEL_COL));
    }
    for (String c : keepCols) {
      out.add(raw.col(quote(c)));
    }
    return out;
  }

  private static void requireSeedLabels(StructType schema, String seedLabelCol, String path) {
    if (seedLabelCol == null) {
      return;
    }
    requireColumn(schema, seedLabelCol, "Seed-label", path);
    DataType t = schema.apply(seedLabelCol).dataType();
    if (!(t instanceof NumericType)) {
      throw new IllegalArgumentException("Seed-label column '" + seedLabelCol + "' of '" + path
          + "' has type " + t.simpleString() + ", not a number: it must hold class indices"
          + " 0..k-1, or null for unlabelled rows.");
    }
  }

  /**
   * Checks that every non-null value of the {@value #SEED_LABEL_COL} column of {@code in} is a
   * class index in {@code [0, k)}; one Spark job.
   *
   * @param seedLabelCol the column's name in the input, for the message
   * @return the number of rows with a seed label
   * @throws IllegalArgumentException naming the first offending rows, their values and the column
   */
  public static long checkClassIndices(LoadedInput in, String seedLabelCol, int k) {
    Column v = org.apache.spark.sql.functions.col(SEED_LABEL_COL);
    Column bad = v.isNotNull().and(v.lt(0).or(v.geq(k)).or(v.cast("double").isNaN())
        .or(v.cast("double").notEqual(org.apache.spark.sql.functions.floor(v.cast("double")))));
    Dataset<Row> counted = in.data().select(ROW_COL, SEED_LABEL_COL)
        .withColumn("__bad", bad);
    Row totals = counted.agg(org.apache.spark.sql.functions.count(v),
        org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.col("__bad")
            .cast("long"))).head();
    long labelled = totals.getLong(0);
    if (!totals.isNullAt(1) && totals.getLong(1) > 0) {
      List<Row> first = counted.filter("__bad").orderBy(ROW_COL).limit(MAX_REPORTED_ROWS)
          .collectAsList();
      Row r = first.get(0);
      String rows = first.stream().map(x -> String.valueOf(x.getLong(0)))
          .collect(Collectors.joining(", "));
      throw new IllegalArgumentException("Row " + r.getLong(0) + " of '" + in.path()
          + "' has seed label " + r.get(1) + " in column '" + seedLabelCol + "', which is not a"
          + " class index in [0, " + k + ")" + (totals.getLong(1) > 1 ? " (" + totals.getLong(1)
          + " such rows; first: " + rows + ")" : "") + ".");
    }
    return labelled;
  }

  private static IllegalArgumentException emptyInput(String path) {
    return new IllegalArgumentException("Input '" + path + "' has no rows.");
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static String quoteList(List<String> names) {
    return names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "));
  }
}
