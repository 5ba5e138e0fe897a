package org.ccespark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** Seed labels and noisy soft targets on the demo sample: fractions, targets, determinism. */
class LabelNoiseTest {
  @Test
  void seedLabelsAndNoisyTargetsFollowTheirFractions() {
    Dataset<Row> rows = DemoData.load(SharedSpark.session());
    Dataset<Row> seeded = LabelNoise.withSeedLabels(rows, 0.1, 3);
    long labelled = seeded.filter(functions.col(LabelNoise.SEED_LABEL_COL).isNotNull())
        .count();
    assertTrue(labelled > 140 && labelled < 260, "about 10% of 2,000 rows: " + labelled);
    assertEquals(0, seeded.filter(functions.col(LabelNoise.SEED_LABEL_COL).isNotNull()
        .and(functions.col(LabelNoise.SEED_LABEL_COL).notEqual(functions.col("label"))))
        .count());
    // the same rows whatever the partitioning
    assertEquals(labelled, LabelNoise.withSeedLabels(rows.repartition(3), 0.1, 3)
        .filter(functions.col(LabelNoise.SEED_LABEL_COL).isNotNull()).count());

    double eta = 0.4;
    List<Row> noisy = LabelNoise.withNoisyTargets(rows, "label", 10, eta, 5)
        .select("label", LabelNoise.NOISY_LABEL_COL, LabelNoise.TARGET_COL)
        .collectAsList();
    int changed = 0;
    for (Row r : noisy) {
      double[] t = ((org.apache.spark.ml.linalg.Vector) r.get(2)).toArray();
      assertEquals(10, t.length);
      double sum = 0;
      for (int c = 0; c < 10; c++) {
        sum += t[c];
        assertEquals(c == r.getInt(1) ? 1 - eta + eta / 10 : eta / 10, t[c], 1e-12);
      }
      assertEquals(1.0, sum, 1e-12);
      changed += r.getInt(0) != r.getInt(1) ? 1 : 0;
    }
    // a fraction eta gets a random label, which is wrong 9 times in 10: about 0.36 of the rows
    assertTrue(changed > 0.30 * noisy.size() && changed < 0.42 * noisy.size(), "changed " + changed);
  }

  @Test
  void theSameRowsWhateverThePartitioningAndNoKeyColumnNeeded() {
    Dataset<Row> rows = DemoData.load(SharedSpark.session());
    List<Row> a = LabelNoise.withNoisyTargets(rows, "label", 10, 0.5, 7).orderBy("row")
        .select(LabelNoise.NOISY_LABEL_COL).collectAsList();
    List<Row> b = LabelNoise.withNoisyTargets(rows.repartition(5), "label", 10, 0.5, 7)
        .orderBy("row").select(LabelNoise.NOISY_LABEL_COL).collectAsList();
    assertEquals(a, b);
    // without a row column the rows are keyed by monotonically_increasing_id()
    Dataset<Row> noKey = rows.drop(FeatureInput.ROW_COL);
    assertEquals(rows.count(), LabelNoise.withNoisyTargets(noKey, "label", 10, 0.5, 7)
        .filter(functions.col(LabelNoise.TARGET_COL).isNotNull()).count());
  }

  @Test
  void aLabelOutsideTheClassesGetsATargetTheTrainerRejects() {
    Dataset<Row> rows = DemoData.load(SharedSpark.session()).limit(20);
    Row r = LabelNoise.withNoisyTargets(rows, "label", 2, 0, 1)
        .filter(functions.col("label").equalTo(7)).select(LabelNoise.TARGET_COL).first();
    assertArrayEquals(new double[] {7}, ((Vector) r.get(0)).toArray());
    assertThrows(IllegalArgumentException.class,
        () -> LabelNoise.withNoisyTargets(rows, "label", 2, 1.5, 1));
  }
}
