package org.ccespark.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers with Kryo every cce-spark class that travels between the driver and the executors
 * (task results, broadcasts, cached blocks), for applications running with
 * {@code spark.serializer=org.apache.spark.serializer.KryoSerializer} and
 * {@code spark.kryo.registrationRequired=true}:
 *
 * <pre>
 * spark.serializer                  org.apache.spark.serializer.KryoSerializer
 * spark.kryo.registrationRequired   true
 * spark.kryo.registrator            org.ccespark.spark.KryoRegistration
 * </pre>
 *
 * <p>Without {@code registrationRequired} Kryo needs no registration (it writes class names) and
 * this registrator is optional. The feature blocks and numeric arrays keep Kryo's field
 * serialization; the estimator, model, evaluator, transformer and the input reader's block
 * summaries (composite objects, rarely shipped) are written with Java serialization inside Kryo
 * ({@link ViaJavaSerialization}, also their default serializer through Kryo's
 * {@code @DefaultSerializer} annotation, so a broadcast model works without this registrator).
 */
public final class KryoRegistration implements KryoRegistrator {

  /** Classes written with Kryo's own field serializer (the large and frequent payloads). */
  static final List<String> FIELD_SERIALIZED = List.of(
      "org.ccespark.spark.PartitionData",
      "org.ccespark.spark.PartitionData$Info",
      "org.ccespark.spark.BatchChunk$Share",
      "[Lorg.ccespark.spark.BatchChunk$Share;",
      "org.ccespark.spark.LabelSums",
      "org.ccespark.math.ExactPseudoLabels$Partial",
      "org.ccespark.data.ImageFrames$Item",
      "[Lorg.ccespark.data.ImageFrames$Item;",
      "[[D", "[D", "[J", "[I", "[B", "[Z", "[Ljava.lang.String;", "[Ljava.lang.Object;",
      // rows the project parallelizes (train-deep's feature rows) and the vectors in them
      "org.apache.spark.sql.catalyst.expressions.GenericRow",
      "org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema",
      "org.apache.spark.ml.linalg.DenseVector",
      "org.apache.spark.ml.linalg.SparseVector",
      // MLlib K-means, which starts the classifier (init = kmeans)
      "org.apache.spark.mllib.clustering.VectorWithNorm",
      "[Lorg.apache.spark.mllib.clustering.VectorWithNorm;",
      "org.apache.spark.mllib.linalg.DenseVector",
      "org.apache.spark.mllib.linalg.SparseVector",
      "[Lorg.apache.spark.mllib.linalg.Vector;",
      "scala.Tuple2", "[Lscala.Tuple2;", "[[Lorg.apache.spark.mllib.clustering.VectorWithNorm;");

  /** Classes written with Java serialization inside Kryo (composite, rarely shipped). */
  static final List<String> JAVA_SERIALIZED = List.of(
      "org.ccespark.data.BlockSummary",
      "org.ccespark.ml.CollisionClustering",
      "org.ccespark.ml.CollisionClusteringModel",
      "org.ccespark.ml.ClusteringMetricsEvaluator",
      "org.ccespark.features.ImageFeatureTransformer");

  /**
   * Checks that a Spark configuration can ship cce-spark's classes: with Kryo and
   * {@code spark.kryo.registrationRequired=true}, this registrator must be among
   * {@code spark.kryo.registrator}'s.
   *
   * @throws IllegalStateException naming the setting to add, instead of Kryo's "Class is not
   *     registered" failure in the middle of a job
   */
  public static void check(SparkConf conf) {
    boolean kryo = conf.get("spark.serializer", "").endsWith(".KryoSerializer");
    boolean required = conf.getBoolean("spark.kryo.registrationRequired", false);
    if (!kryo || !required) {
      return;
    }
    List<String> registrators = Arrays.stream(conf.get("spark.kryo.registrator", "").split(","))
        .map(String::trim).toList();
    if (!registrators.contains(KryoRegistration.class.getName())) {
      throw new IllegalStateException("spark.kryo.registrationRequired is true, so Kryo needs"
          + " cce-spark's classes registered: add " + KryoRegistration.class.getName()
          + " to spark.kryo.registrator (comma-separated list; now '"
          + conf.get("spark.kryo.registrator", "") + "')");
    }
  }

  /** Registers {@link #FIELD_SERIALIZED} and {@link #JAVA_SERIALIZED}. */
  @Override
  public void registerClasses(Kryo kryo) {
    for (String name : FIELD_SERIALIZED) {
      kryo.register(load(name));
    }
    ViaJavaSerialization java = new ViaJavaSerialization();
    for (String name : JAVA_SERIALIZED) {
      kryo.register(load(name), java);
    }
  }

  /**
   * Writes a {@link java.io.Serializable} object with Java serialization inside a Kryo stream
   * (length-prefixed bytes). Kryo's own {@code JavaSerializer} cannot read back objects whose
   * stream names a primitive class (such as MLlib's param validators); this one resolves classes
   * with Kryo's class loader and falls back to Java's own resolution.
   */
  public static final class ViaJavaSerialization extends Serializer<Object> {
    @Override
    public void write(Kryo kryo, Output output, Object object) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(object);
      } catch (IOException e) {
        throw new KryoException("Java serialization of " + object.getClass().getName()
            + " failed: " + e, e);
      }
      output.writeInt(bytes.size(), true);
      output.writeBytes(bytes.toByteArray());
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<Object> type) {
      byte[] bytes = input.readBytes(input.readInt(true));
      ClassLoader loader = kryo.getClassLoader();
      try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes),
          loader)) {
        return in.readObject();
      } catch (IOException | ClassNotFoundException e) {
        throw new KryoException("Java deserialization of " + type.getName() + " failed: " + e, e);
      }
    }
  }

  /** An object stream resolving classes with a given loader first. */
  private static final class LoaderObjectInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc); // primitive types, or the caller's loader
      }
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, KryoRegistration.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("cce-spark's Kryo registration names a missing class " + name,
          e);
    }
  }
}
