package org.ccespark.math;

import java.util.Arrays;

/**
 * Per-column mean and variance of feature rows at any scale (values from 1e-300 to 1e300 alike),
 * in one pass and mergeable across partitions, and the standardization divisors derived from them.
 *
 * <p>Each column keeps a power-of-two scale {@code 2^E} above every magnitude seen, and Welford's
 * running mean and sum of squared deviations of {@code x / 2^E} (Chan et al.'s formula to merge).
 * When a larger value arrives the column is rescaled by a power of two, which is exact, so squares
 * never overflow or underflow whatever the data's scale.
 *
 * <p>The state is a plain {@code double[]} ({@link #state()}), so that it travels between Spark
 * tasks and the driver as an array: {@code [rows, invalid, E_0.., mean_0.., m2_0..]}.
 */
public final class ColumnScales {
  private static final int NONE = Integer.MIN_VALUE;

  private final int dim;
  private long rows;
  private long invalid;
  private final int[] exponent;
  private final double[] mean;
  private final double[] m2;

  /** An empty accumulator for rows of {@code dim} values. */
  public ColumnScales(int dim) {
    this.dim = dim;
    this.exponent = new int[dim];
    Arrays.fill(exponent, NONE);
    this.mean = new double[dim];
    this.m2 = new double[dim];
  }

  /** @return the number of values per row */
  public int dim() {
    return dim;
  }

  /** @return the number of rows added */
  public long rows() {
    return rows;
  }

  /** @return the number of rows reported with {@link #addInvalid()} */
  public long invalid() {
    return invalid;
  }

  /** Counts a row that could not be added (null, non-finite, wrong length). */
  public void addInvalid() {
    invalid++;
  }

  /**
   * Adds one row.
   *
   * @param x {@link #dim()} finite values
   */
  public void add(double[] x) {
    rows++;
    for (int d = 0; d < dim; d++) {
      double v = x[d];
      if (v != 0) {
        int e = Math.getExponent(v) + 1; // |v| < 2^e
        if (e > exponent[d]) {
          rescale(d, e);
        }
      }
      double y = exponent[d] == NONE ? 0 : Math.scalb(v, -exponent[d]);
      double delta = y - mean[d];
      mean[d] += delta / rows;
      m2[d] += delta * (y - mean[d]);
    }
  }

  private void rescale(int d, int e) {
    if (exponent[d] != NONE) {
      int shift = exponent[d] - e;
      mean[d] = Math.scalb(mean[d], shift);
      m2[d] = Math.scalb(m2[d], 2 * shift);
    }
    exponent[d] = e;
  }

  /**
   * Adds the rows of {@code other} (same dimension), as if they had been added here after these.
   */
  public void merge(ColumnScales other) {
    if (other.dim != dim) {
      throw new IllegalArgumentException("cannot merge columns of " + other.dim + " values into "
          + dim);
    }
    invalid += other.invalid;
    if (other.rows == 0) {
      return;
    }
    long n = rows + other.rows;
    for (int d = 0; d < dim; d++) {
      int e = Math.max(exponent[d], other.exponent[d]);
      if (e != NONE && e != exponent[d]) {
        rescale(d, e);
      }
      int shift = other.exponent[d] == NONE || e == NONE ? 0 : other.exponent[d] - e;
      double mb = Math.scalb(other.mean[d], shift);
      double m2b = Math.scalb(other.m2[d], 2 * shift);
      double delta = mb - mean[d];
      mean[d] += delta * other.rows / n;
      m2[d] += m2b + delta * delta * ((double) rows * other.rows / n);
    }
    rows = n;
  }

  /**
   * The standardization divisors: per column its sample standard deviation rounded to the nearest
   * power of two (in log scale), so that dividing a value or a weight by it is exact; 0 for a
   * column with no variance (fewer than two rows, or constant).
   *
   * @return {@link #dim()} divisors, each 0 or a power of two
   */
  public double[] divisors() {
    double[] out = new double[dim];
    for (int d = 0; d < dim; d++) {
      if (rows < 2 || exponent[d] == NONE || !(m2[d] > 0)) {
        continue;
      }
      double std = Math.sqrt(m2[d] / (rows - 1)); // in units of 2^exponent
      out[d] = Math.scalb(1.0, exponent[d] + Math.getExponent(std * Math.sqrt(2)));
    }
    return out;
  }

  /**
   * Divisors that bring the features to scale 1 without changing data already there: with
   * {@code g} the median of the non-zero {@link #divisors()} (the typical column's standard
   * deviation, a power of two), every column is divided by {@code base = 1} if
   * {@code 1/16 ≤ g ≤ 16}, else by {@code base = g}; a column whose own standard deviation
   * {@code s_d} exceeds {@code 16·g} is divided by {@code base·s_d/g} instead, which brings it to
   * the typical column's scale. Small columns are never enlarged relative
   * to the others (on pixels, per-column standardization enlarges rarely used pixels and costs
   * 0.1 of accuracy). Constant columns get 0, as in {@link #divisors()}. Every divisor is 0 or a
   * power of two.
   *
   * @return {@link #dim()} divisors
   */
  public double[] robustDivisors() {
    double[] s = divisors();
    double[] nonZero = Arrays.stream(s).filter(v -> v > 0).sorted().toArray();
    if (nonZero.length == 0) {
      return s;
    }
    double g = nonZero[nonZero.length / 2];
    double base = g >= 1.0 / 16 && g <= 16 ? 1 : g;
    double[] out = new double[dim];
    for (int d = 0; d < dim; d++) {
      // an outlier column is brought to the typical column's scale: s_d / (g / base)
      out[d] = s[d] == 0 ? 0 : s[d] > 16 * g ? base * (s[d] / g) : base;
    }
    return out;
  }

  /** @return the state as one array (see the class comment) */
  public double[] state() {
    double[] out = new double[2 + 3 * dim];
    out[0] = rows;
    out[1] = invalid;
    for (int d = 0; d < dim; d++) {
      out[2 + d] = exponent[d];
      out[2 + dim + d] = mean[d];
      out[2 + 2 * dim + d] = m2[d];
    }
    return out;
  }

  /** @return the accumulator whose {@link #state()} this is */
  public static ColumnScales fromState(double[] state) {
    int dim = (state.length - 2) / 3;
    ColumnScales c = new ColumnScales(dim);
    c.rows = (long) state[0];
    c.invalid = (long) state[1];
    for (int d = 0; d < dim; d++) {
      c.exponent[d] = (int) state[2 + d];
      c.mean[d] = state[2 + dim + d];
      c.m2[d] = state[2 + 2 * dim + d];
    }
    return c;
  }
}
