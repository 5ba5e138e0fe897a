package org.ccespark.report;

/** Mean and sample standard deviation, as every table of the project reports them. */
public final class Stats {
  private Stats() {}

  /** The arithmetic mean; NaN for no values. */
  public static double mean(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** Sample standard deviation (n − 1 in the denominator); 0 for a single value, NaN for none. */
  public static double std(double[] v) {
    if (v.length < 2) {
      return v.length == 0 ? Double.NaN : 0;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  /**
   * {@code "0.4742 ± 0.0280"}: mean and sample standard deviation with four decimals; a single
   * value alone, as it has no standard deviation.
   */
  public static String meanStd(double[] v) {
    if (v.length == 1) {
      return String.format("%.4f", v[0]);
    }
    return String.format("%.4f ± %.4f", mean(v), std(v));
  }
}
