package org.ccespark.data;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;

/**
 * Where the features of a source row are and how to check and convert them; used inside Spark
 * tasks, so it is serializable. Row layout: {@code [label], feature value(s), ...}.
 */
final class FeatureLayout implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How the features are laid out in the source. */
  enum Kind {
    /** One ML or old MLlib vector column. */
    VECTOR,
    /** One array-of-numbers column. */
    ARRAY,
    /** One column per feature (CSV): numeric, or text holding numbers. */
    COLUMNS
  }

  private final Kind kind;
  private final int first;
  private final String column;
  private final String[] names;

  /**
   * @param kind the layout
   * @param first index in the row of the (first) feature value
   * @param column the features column named in messages (VECTOR and ARRAY)
   * @param names the feature column names (COLUMNS), in order
   */
  FeatureLayout(Kind kind, int first, String column, List<String> names) {
    this.kind = kind;
    this.first = first;
    this.column = column;
    this.names = names.toArray(new String[0]);
  }

  Kind kind() {
    return kind;
  }

  /** Number of feature values of the row; -1 if the vector or array is null. */
  int length(Row r) {
    if (kind == Kind.COLUMNS) {
      return names.length;
    }
    Object v = r.get(first);
    if (v == null) {
      return -1;
    }
    if (v instanceof org.apache.spark.ml.linalg.Vector x) {
      return x.size();
    }
    if (v instanceof org.apache.spark.mllib.linalg.Vector x) {
      return x.size();
    }
    return ((scala.collection.Seq<?>) v).length();
  }

  /**
   * The first null or non-finite feature value of the row, as a phrase such as
   * {@code "a null value in feature column 'b'"}; null if every value is a finite number.
   */
  String problem(Row r) {
    switch (kind) {
      case COLUMNS:
        for (int j = 0; j < names.length; j++) {
          String p = problem(r.get(first + j), j);
          if (p != null) {
            return p;
          }
        }
        return null;
      case ARRAY: {
        Object v = r.get(first);
        if (v == null) {
          return "a null value in " + where(-1);
        }
        scala.collection.Seq<?> seq = (scala.collection.Seq<?>) v;
        int n = seq.length();
        for (int j = 0; j < n; j++) {
          String p = problem(seq.apply(j), j);
          if (p != null) {
            return p;
          }
        }
        return null;
      }
      case VECTOR: {
        Object v = r.get(first);
        if (v == null) {
          return "a null value in " + where(-1);
        }
        int[] indices;
        double[] values;
        if (v instanceof org.apache.spark.ml.linalg.SparseVector s) {
          indices = s.indices();
          values = s.values();
        } else if (v instanceof org.apache.spark.ml.linalg.DenseVector d) {
          indices = null;
          values = d.values();
        } else if (v instanceof org.apache.spark.mllib.linalg.SparseVector s) {
          indices = s.indices();
          values = s.values();
        } else {
          indices = null;
          values = ((org.apache.spark.mllib.linalg.Vector) v).toArray();
        }
        for (int k = 0; k < values.length; k++) {
          if (!Double.isFinite(values[k])) {
            return nonFinite(values[k], indices == null ? k : indices[k]);
          }
        }
        return null;
      }
      default:
        throw new IllegalStateException(kind.name());
    }
  }

  /** Whether the row has no null, non-finite or non-numeric value and {@code numFeatures} values. */
  boolean isValid(Row r, int numFeatures) {
    return length(r) == numFeatures && problem(r) == null;
  }

  /** The features of a valid row as a dense vector. */
  DenseVector toDense(Row r, long row) {
    double[] x;
    if (kind == Kind.COLUMNS) {
      x = new double[names.length];
      for (int j = 0; j < x.length; j++) {
        x[j] = number(r.get(first + j), row);
      }
    } else {
      Object v = r.get(first);
      if (v instanceof org.apache.spark.ml.linalg.Vector vec) {
        x = vec.toArray();
      } else if (v instanceof org.apache.spark.mllib.linalg.Vector vec) {
        x = vec.toArray();
      } else if (v instanceof scala.collection.Seq<?> seq) {
        x = new double[seq.length()];
        for (int j = 0; j < x.length; j++) {
          x[j] = number(seq.apply(j), row);
        }
      } else {
        throw changed(row);
      }
    }
    return (DenseVector) Vectors.dense(x);
  }

  /** Names where a feature lives: a CSV column, or (an element of) the features column. */
  String where(int element) {
    if (kind == Kind.COLUMNS) {
      return element < 0 ? "its feature columns" : "feature column '" + names[element] + "'";
    }
    return element < 0
        ? "features column '" + column + "'"
        : "element " + element + " of features column '" + column + "'";
  }

  private String problem(Object value, int element) {
    if (value == null) {
      return "a null value in " + where(element);
    }
    double d;
    if (value instanceof String text) { // a CSV column that is not numeric throughout
      try {
        d = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        return "a non-numeric value " + printable(text) + " in " + where(element);
      }
    } else {
      d = ((Number) value).doubleValue();
    }
    return Double.isFinite(d) ? null : nonFinite(d, element);
  }

  /**
   * A value from the input as it may appear in a one-line message: quoted, control characters
   * and line breaks escaped ({@code \n}, {@code \u0000}), at most 40 characters of it.
   */
  static String printable(String text) {
    StringBuilder sb = new StringBuilder("'");
    int max = 40;
    for (int i = 0; i < text.length() && i < max; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('\'');
    if (text.length() > max) {
      sb.append(" (").append(text.length() - max).append(" more characters)");
    }
    return sb.toString();
  }

  private String nonFinite(double d, int element) {
    return "a non-finite value (" + d + ") in " + where(element);
  }

  private static double number(Object value, long row) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String text) {
      return Double.parseDouble(text);
    }
    throw changed(row);
  }

  private static IllegalStateException changed(long row) {
    return new IllegalStateException(
        "Row " + row + " has a null feature value that was not there when the input was validated;"
            + " did the input change after it was read?");
  }
}
