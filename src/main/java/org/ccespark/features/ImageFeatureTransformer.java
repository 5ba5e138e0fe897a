package org.ccespark.features;

import com.esotericsoftware.kryo.DefaultSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.ccespark.data.images.Image;
import org.ccespark.spark.KryoRegistration;

/**
 * Spark ML {@link Transformer}: an image column to a column of feature vectors computed by a CNN
 * ({@link FeatureExtractor}). The image column may hold
 *
 * <ul>
 *   <li>rows of Spark's image data source ({@code spark.read().format("image")}, column
 *       {@code image});
 *   <li>encoded bytes (JPEG, PNG, ...), e.g. the {@code content} column of Spark's
 *       {@code binaryFile} source;
 *   <li>file paths (strings) on any file system Spark reads, read and decoded by the executors.
 * </ul>
 *
 * <p>Each partition loads its own extractor when its first batch arrives and closes it when the
 * partition ends; images run in batches of {@code batchSize}. Rows keep their order and every
 * other column. {@code handleInvalid} says what an unreadable image does: {@code error} (fail,
 * naming the image) or {@code skip} (drop the row). Persistence saves the params only (the model
 * file is referenced by path, so it must be reachable where the transformer is loaded):
 * {@code save(path)}, {@link #load(String)}, also inside a {@code PipelineModel}.
 */
@DefaultSerializer(KryoRegistration.ViaJavaSerialization.class)
public final class ImageFeatureTransformer extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> model;
  private final Param<String> layer;
  private final IntParam inputSize;
  private final IntParam resize;
  private final Param<String> device;
  private final IntParam batchSize;
  private final LongParam seed;
  private final Param<String> handleInvalid;

  /** A transformer with a random uid and the defaults. */
  public ImageFeatureTransformer() {
    this(Identifiable.randomUID("imageFeatures"));
  }

  /** A transformer with the given uid (used by {@link #load}). */
  public ImageFeatureTransformer(String uid) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", "image column: Spark image struct, encoded bytes or"
        + " file path");
    outputCol = new Param<>(this, "outputCol", "output column of feature vectors");
    model = new Param<>(this, "model", "TorchScript file (e.g. torchvision's ImageNet ResNet-50"
        + " with its 2048 pooled features, src/tools/export-resnet50.py) or "
        + ModelSpec.RANDOM_RESNET50 + " (random weights, testing only); the default "
        + ModelSpec.ZOO_RESNET50 + " is refused with how to export the file");
    layer = new Param<>(this, "layer", "TorchScript output to take: N, METHOD or METHOD:N");
    inputSize = new IntParam(this, "inputSize", "side of the square the model sees",
        ParamValidators.gtEq(1));
    resize = new IntParam(this, "resize", "side the shorter image side is resized to before the"
        + " centre crop; 0 for round(inputSize * 232 / 224)", ParamValidators.gtEq(0));
    device = new Param<>(this, "device", "auto, gpu or cpu",
        ParamValidators.inArray(DjlEngine.DEVICES.toArray(new String[0])));
    batchSize = new IntParam(this, "batchSize", "images per forward pass", ParamValidators.gtEq(1));
    seed = new LongParam(this, "seed", "seed of " + ModelSpec.RANDOM_RESNET50 + "'s weights");
    handleInvalid = new Param<>(this, "handleInvalid", "unreadable images: error or skip (drop)",
        ParamValidators.inArray(new String[] {"error", "skip"}));
    setDefault(inputCol, "image");
    setDefault(outputCol, "features");
    setDefault(model, ModelSpec.ZOO_RESNET50);
    setDefault(layer, ModelSpec.DEFAULT_LAYER);
    setDefault(inputSize, 224);
    setDefault(resize, 0);
    setDefault(device, "auto");
    setDefault(batchSize, 32);
    setDefault(seed, 0L);
    setDefault(handleInvalid, "error");
  }

  @Override
  public String uid() {
    return uid;
  }

  /** Image column (default {@code image}). */
  public Param<String> inputCol() {
    return inputCol;
  }

  /** Output vector column (default {@code features}). */
  public Param<String> outputCol() {
    return outputCol;
  }

  /**
   * The model: a TorchScript file path or {@code random-resnet50} (default {@code resnet50}, which
   * {@link #transform} refuses with how to export torchvision's ImageNet ResNet-50 to a file).
   */
  public Param<String> model() {
    return model;
  }

  /** What to take from a TorchScript model (default {@code 0}). */
  public Param<String> layer() {
    return layer;
  }

  /** Side of the model's input square (default 224). */
  public IntParam inputSize() {
    return inputSize;
  }

  /** Resize of the shorter side before cropping (default 0: inputSize × 232 / 224). */
  public IntParam resize() {
    return resize;
  }

  /** Device (default {@code auto}). */
  public Param<String> device() {
    return device;
  }

  /** Images per forward pass (default 32). */
  public IntParam batchSize() {
    return batchSize;
  }

  /** Seed of the random test model (default 0). */
  public LongParam seed() {
    return seed;
  }

  /** {@code error} (default) or {@code skip}. */
  public Param<String> handleInvalid() {
    return handleInvalid;
  }

  public ImageFeatureTransformer setInputCol(String v) {
    set(inputCol, v);
    return this;
  }

  public ImageFeatureTransformer setOutputCol(String v) {
    set(outputCol, v);
    return this;
  }

  public ImageFeatureTransformer setModel(String v) {
    set(model, v);
    return this;
  }

  public ImageFeatureTransformer setLayer(String v) {
    set(layer, v);
    return this;
  }

  public ImageFeatureTransformer setInputSize(int v) {
    set(inputSize, v);
    return this;
  }

  public ImageFeatureTransformer setResize(int v) {
    set(resize, v);
    return this;
  }

  public ImageFeatureTransformer setDevice(String v) {
    set(device, v);
    return this;
  }

  public ImageFeatureTransformer setBatchSize(int v) {
    set(batchSize, v);
    return this;
  }

  public ImageFeatureTransformer setSeed(long v) {
    set(seed, v);
    return this;
  }

  public ImageFeatureTransformer setHandleInvalid(String v) {
    set(handleInvalid, v);
    return this;
  }

  public String getInputCol() {
    return getOrDefault(inputCol);
  }

  public String getOutputCol() {
    return getOrDefault(outputCol);
  }

  public String getModel() {
    return getOrDefault(model);
  }

  public String getLayer() {
    return getOrDefault(layer);
  }

  public int getInputSize() {
    return (Integer) getOrDefault(inputSize);
  }

  public int getResize() {
    return (Integer) getOrDefault(resize);
  }

  public String getDevice() {
    return getOrDefault(device);
  }

  public int getBatchSize() {
    return (Integer) getOrDefault(batchSize);
  }

  public long getSeed() {
    return (Long) getOrDefault(seed);
  }

  public String getHandleInvalid() {
    return getOrDefault(handleInvalid);
  }

  /** The model specification these params describe. */
  public ModelSpec modelSpec() {
    Preprocessing p = getResize() == 0 ? Preprocessing.of(getInputSize())
        : new Preprocessing(getInputSize(), getResize());
    return new ModelSpec(getModel(), getLayer(), p, getDevice(), getSeed());
  }

  @Override
  public StructType transformSchema(StructType schema) {
    String in = getInputCol();
    if (!Arrays.asList(schema.fieldNames()).contains(in)) {
      throw new IllegalArgumentException("Image column '" + in + "' does not exist; columns: "
          + String.join(", ", schema.fieldNames()) + ".");
    }
    DataType t = schema.apply(in).dataType();
    if (!(t instanceof BinaryType || t instanceof StringType || isSparkImage(t))) {
      throw new IllegalArgumentException("Image column '" + in + "' has type " + t.simpleString()
          + "; expected Spark's image struct, binary (encoded image) or string (file path).");
    }
    if (Arrays.asList(schema.fieldNames()).contains(getOutputCol())) {
      throw new IllegalArgumentException("Output column '" + getOutputCol() + "' already exists.");
    }
    return schema.add(DataTypes.createStructField(getOutputCol(), SQLDataTypes.VectorType(),
        false));
  }

  private static boolean isSparkImage(DataType t) {
    return t instanceof StructType s && Arrays.asList(s.fieldNames()).containsAll(
        List.of("origin", "height", "width", "nChannels", "data"));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema());
    ModelSpec spec = modelSpec();
    int column = dataset.schema().fieldIndex(getInputCol());
    DataType type = dataset.schema().apply(getInputCol()).dataType();
    int batch = getBatchSize();
    boolean skip = getHandleInvalid().equals("skip");
    SerializableConfiguration conf = new SerializableConfiguration(
        dataset.sparkSession().sparkContext().hadoopConfiguration());
    return dataset.sparkSession().createDataFrame(dataset.toDF().javaRDD().mapPartitions(
        it -> new Batches(it, spec, column, type, batch, skip, conf.value())), outSchema);
  }

  /** The rows of one partition with their features, one batch at a time. */
  private static final class Batches implements Iterator<Row> {
    private final Iterator<Row> input;
    private final ModelSpec spec;
    private final int column;
    private final DataType type;
    private final int batchSize;
    private final boolean skip;
    private final Configuration conf;
    private final float[] buffer;
    private FeatureExtractor extractor;
    private List<Row> pending = Collections.emptyList();
    private int position;

    Batches(Iterator<Row> input, ModelSpec spec, int column, DataType type, int batchSize,
        boolean skip, Configuration conf) {
      this.input = input;
      this.spec = spec;
      this.column = column;
      this.type = type;
      this.batchSize = batchSize;
      this.skip = skip;
      this.conf = conf;
      this.buffer = new float[batchSize * spec.preprocessing().floatsPerImage()];
      TaskContext ctx = TaskContext.get();
      if (ctx != null) {
        ctx.addTaskCompletionListener(
            (org.apache.spark.util.TaskCompletionListener) c -> close());
      }
    }

    @Override
    public boolean hasNext() {
      while (position >= pending.size() && input.hasNext()) {
        runBatch();
      }
      if (position >= pending.size()) {
        close();
        return false;
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return pending.get(position++);
    }

    private void runBatch() {
      List<Row> rows = new ArrayList<>(batchSize);
      int floats = spec.preprocessing().floatsPerImage();
      while (rows.size() < batchSize && input.hasNext()) {
        Row row = input.next();
        try {
          spec.preprocessing().apply(image(row.get(column), row), buffer, rows.size() * floats);
        } catch (RuntimeException e) {
          if (skip) {
            continue;
          }
          throw new IllegalArgumentException(e.getMessage() + " Set handleInvalid to 'skip' to"
              + " drop such rows.", e);
        }
        rows.add(row);
      }
      pending = new ArrayList<>(rows.size());
      position = 0;
      if (rows.isEmpty()) {
        return;
      }
      if (extractor == null) {
        extractor = FeatureExtractor.load(spec);
      }
      float[][] features = extractor.extract(buffer, rows.size());
      for (int i = 0; i < rows.size(); i++) {
        Row r = rows.get(i);
        Object[] values = new Object[r.length() + 1];
        for (int j = 0; j < r.length(); j++) {
          values[j] = r.get(j);
        }
        double[] v = new double[features[i].length];
        for (int j = 0; j < v.length; j++) {
          v[j] = features[i][j];
        }
        values[r.length()] = Vectors.dense(v);
        pending.add(RowFactory.create(values));
      }
    }

    private Image image(Object value, Row row) {
      if (value == null) {
        throw new IllegalArgumentException("An image value is null.");
      }
      if (type instanceof StringType) {
        String path = (String) value;
        Path p = new Path(path);
        byte[] bytes;
        try (InputStream in = p.getFileSystem(conf).open(p)) {
          bytes = in.readAllBytes();
        } catch (IOException e) {
          throw new IllegalArgumentException("Cannot read image '" + path + "': " + e.getMessage(),
              e);
        }
        return ImageDecoding.decode(bytes, path);
      }
      if (type instanceof BinaryType) {
        int path = Arrays.asList(row.schema().fieldNames()).indexOf("path");
        return ImageDecoding.decode((byte[]) value, path >= 0 && row.get(path) != null
            ? row.get(path).toString() : "an image of " + ((byte[]) value).length + " bytes");
      }
      return ImageDecoding.fromSparkImage((Row) value);
    }

    private void close() {
      if (extractor != null) {
        extractor.close();
        extractor = null;
      }
    }
  }

  @Override
  public ImageFeatureTransformer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** The reader for transformers saved with {@code save}. */
  public static MLReader<ImageFeatureTransformer> read() {
    return new DefaultParamsReader<>();
  }

  /** Loads a transformer saved with {@code save(path)}. */
  public static ImageFeatureTransformer load(String path) {
    return read().load(path);
  }
}
