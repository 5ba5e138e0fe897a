package org.ccespark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ccespark.data.PcaFeatures.Scaling;
import org.ccespark.data.PcaFeatures.Spec;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** PCA features on the 2,000 demo digits: the properties that define principal components. */
class PcaFeaturesTest {
  private static final Dataset<Row> DEMO = DemoData.load(SharedSpark.session()).cache();

  private static double[][] features(Dataset<Row> rows) {
    List<Row> list = rows.select(FeatureInput.DEFAULT_FEATURES_COL).collectAsList();
    double[][] x = new double[list.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = ((Vector) list.get(i).get(0)).toArray();
    }
    return x;
  }

  /** Sample covariance matrix of the columns of {@code x}. */
  private static double[][] covariance(double[][] x) {
    int n = x.length;
    int d = x[0].length;
    double[] mean = new double[d];
    for (double[] r : x) {
      for (int j = 0; j < d; j++) {
        mean[j] += r[j] / n;
      }
    }
    double[][] c = new double[d][d];
    for (double[] r : x) {
      for (int a = 0; a < d; a++) {
        for (int b = 0; b < d; b++) {
          c[a][b] += (r[a] - mean[a]) * (r[b] - mean[b]) / (n - 1);
        }
      }
    }
    return c;
  }

  private static double totalVariance(double[][] x) {
    double[][] c = covariance(x);
    double t = 0;
    for (int j = 0; j < c.length; j++) {
      t += c[j][j];
    }
    return t;
  }

  @Test
  void parsesSpecsAndRejectsOthersSayingWhatIsExpected() {
    assertSame(Spec.RAW, PcaFeatures.parse(" raw "));
    assertEquals(new Spec(50, Scaling.NONE), PcaFeatures.parse("pca:50"));
    assertEquals(new Spec(8, Scaling.WHITEN), PcaFeatures.parse("PCA:8:whiten"));
    assertEquals(new Spec(8, Scaling.L2), PcaFeatures.parse("pca:8:l2"));
    assertEquals("pca:8:l2", PcaFeatures.parse("pca:8:l2").toString());
    for (String bad : List.of("pca", "pca:0", "pca:x", "pca:5:zca", "pixels", "pca:5:l2:x")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PcaFeatures.parse(bad));
      assertTrue(e.getMessage().contains("pca:D") && e.getMessage().contains(bad),
          e.getMessage());
    }
  }

  @Test
  void centredComponentsAreUncorrelatedInDecreasingVarianceAndKeepTheirShare() {
    double[][] pixels = features(DEMO);
    PcaFeatures.Result r = PcaFeatures.apply(DEMO, FeatureInput.DEFAULT_FEATURES_COL,
        new Spec(6, Scaling.NONE));
    assertArrayEquals(DEMO.columns(), r.rows().columns());
    double[][] z = features(r.rows());
    assertEquals(pixels.length, z.length);
    assertEquals(6, z[0].length);
    double[][] c = covariance(z);
    for (int a = 0; a < 6; a++) {
      double mean = 0;
      for (double[] row : z) {
        mean += row[a] / z.length;
      }
      assertEquals(0, mean, 1e-9, "component " + a + " is centred");
      if (a > 0) {
        assertTrue(c[a][a] <= c[a - 1][a - 1] * (1 + 1e-9), "variances decrease");
      }
      for (int b = 0; b < a; b++) {
        assertEquals(0, c[a][b] / Math.sqrt(c[a][a] * c[b][b]), 1e-6, "uncorrelated " + a + b);
      }
    }
    // An orthonormal projection: the kept components carry varianceKept of the total variance,
    // and the top 6 of 784 directions carry more than an even share.
    assertEquals(r.varianceKept(), totalVariance(z) / totalVariance(pixels), 1e-6);
    assertTrue(r.varianceKept() > 6.0 / pixels[0].length && r.varianceKept() < 1);
  }

  @Test
  void whitenedComponentsHaveUnitVarianceAndL2RowsUnitLength() {
    double[][] w = features(PcaFeatures.apply(DEMO, FeatureInput.DEFAULT_FEATURES_COL,
        new Spec(5, Scaling.WHITEN)).rows());
    double[][] c = covariance(w);
    for (int a = 0; a < 5; a++) {
      assertEquals(1, c[a][a], 1e-9);
    }
    double[][] l2 = features(PcaFeatures.apply(DEMO, FeatureInput.DEFAULT_FEATURES_COL,
        new Spec(5, Scaling.L2)).rows());
    for (double[] row : l2) {
      double norm = 0;
      for (double v : row) {
        norm += v * v;
      }
      assertEquals(1, Math.sqrt(norm), 1e-9);
    }
  }

  @Test
  void rawKeepsTheRowsAndTooManyComponentsAreAnError() {
    assertSame(DEMO, PcaFeatures.apply(DEMO, FeatureInput.DEFAULT_FEATURES_COL, Spec.RAW).rows());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PcaFeatures.apply(DEMO, FeatureInput.DEFAULT_FEATURES_COL,
            new Spec(785, Scaling.NONE)));
    assertTrue(e.getMessage().contains("785") && e.getMessage().contains("784"), e.getMessage());
  }
}
