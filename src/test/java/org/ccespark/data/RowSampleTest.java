package org.ccespark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.Test;

/** A seeded sample of exactly n rows: the same rows of the same input for the same seed. */
class RowSampleTest {
  @Test
  void exactlyNRowsTheSameForTheSameSeed() {
    Dataset<Row> rows = DemoData.load(SharedSpark.session());
    Dataset<Row> a = RowSample.of(rows, 150, 42);
    Dataset<Row> b = RowSample.of(rows, 150, 42);
    Dataset<Row> c = RowSample.of(rows, 150, 43);
    try {
      List<Long> ia = a.select(FeatureInput.ROW_COL).orderBy(FeatureInput.ROW_COL)
          .as(Encoders.LONG()).collectAsList();
      assertEquals(150, ia.size());
      assertEquals(150, ia.stream().distinct().count());
      assertEquals(ia, b.select(FeatureInput.ROW_COL).orderBy(FeatureInput.ROW_COL)
          .as(Encoders.LONG()).collectAsList());
      assertTrue(!ia.equals(c.select(FeatureInput.ROW_COL).orderBy(FeatureInput.ROW_COL)
          .as(Encoders.LONG()).collectAsList()), "another seed, other rows");
      assertEquals(rows.rdd().getNumPartitions(), a.rdd().getNumPartitions());
    } finally {
      a.unpersist(false);
      b.unpersist(false);
      c.unpersist(false);
    }
    assertThrows(IllegalArgumentException.class, () -> RowSample.of(rows, 2001, 1));
  }
}
