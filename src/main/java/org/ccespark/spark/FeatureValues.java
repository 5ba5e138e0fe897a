package org.ccespark.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The column types a feature column may have, as MLlib's clustering estimators accept them: an ML
 * {@code Vector}, {@code array<double>} or {@code array<float>}; and one cell's values.
 */
public final class FeatureValues {
  /** How the accepted types are named in messages. */
  public static final String TYPES =
      "vector (org.apache.spark.ml.linalg.Vector), array<double> or array<float>";

  private FeatureValues() {}

  /** @return whether a column of this type can hold feature vectors */
  public static boolean accepts(DataType type) {
    if (type.equals(SQLDataTypes.VectorType())) {
      return true;
    }
    return type instanceof ArrayType a && (a.elementType().equals(DataTypes.DoubleType)
        || a.elementType().equals(DataTypes.FloatType));
  }

  /**
   * The values of one cell of a feature column: a {@code Vector} (its dense values, not copied
   * when already dense) or an array of doubles or floats (a Scala {@code Seq} of boxed numbers, as
   * Spark passes arrays to rows and UDFs).
   *
   * @param cell the cell's value
   * @return its values
   * @throws IllegalArgumentException with a phrase saying what is wrong (for messages of the form
   *     "features column 'f': row 12 has a null vector"): a null cell or element, or another type
   */
  public static double[] values(Object cell) {
    if (cell instanceof Vector v) {
      return v.toArray();
    }
    if (cell == null) {
      throw new IllegalArgumentException("has a null vector");
    }
    if (cell instanceof scala.collection.Seq<?> seq) {
      int n = seq.length();
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        Object x = seq.apply(i);
        if (!(x instanceof Number number)) {
          throw new IllegalArgumentException(x == null ? "has a null value at index " + i
              : "has a " + x.getClass().getSimpleName() + " at index " + i);
        }
        out[i] = number.doubleValue();
      }
      return out;
    }
    throw new IllegalArgumentException("is not a vector but " + cell.getClass().getSimpleName());
  }
}
