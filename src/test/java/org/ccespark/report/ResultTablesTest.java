package org.ccespark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTablesTest {
  private static RunRecord run(String phase, String d, String m, long seed, double f, double acc) {
    return new RunRecord(phase, d, m, seed, f, "lambda=100;stepSize=0.1", acc, acc / 2, acc / 4,
        phase.equals("semi") ? acc + 0.1 : Double.NaN, 1.5, 100);
  }

  private static List<RunRecord> runs() {
    List<RunRecord> r = new ArrayList<>();
    r.add(run("tune", "a", "cce", 0, 0, 0.9));
    for (long s = 1; s <= 3; s++) {
      r.add(run("main", "a", "cce", s, 0, 0.5 + 0.1 * s));
      r.add(run("main", "a", "kmeans", s, 0, 0.4));
      r.add(run("main", "b", "cce", s, 0, 0.3));
      r.add(run("semi", "a", "cce", s, 0.1, 0.7));
    }
    return r;
  }

  @Test
  void table2IsMeanAndStdOverTheReportedSeedsOnly() {
    Table t = ResultTables.table2Markdown(runs(), List.of("a", "b"), List.of("cce", "kmeans"));
    assertEquals(List.of("method", "a ACC", "a NMI", "a ARI", "b ACC", "b NMI", "b ARI"),
        t.header());
    assertEquals("0.7000 ± 0.1000", t.cell(0, "a ACC")); // the tuning run (0.9) is not counted
    assertEquals("0.3500 ± 0.0500", t.cell(0, "a NMI"));
    assertEquals("–", t.cell(1, "b ACC"));
    Table longForm = ResultTables.clusteringLong(runs(), List.of("a"), List.of("cce"));
    assertEquals(0.7, Double.parseDouble(longForm.cell(0, "mean")), 1e-12);
    assertEquals("3", longForm.cell(0, "n"));
  }

  @Test
  void tablesRebuildFromRunsCsv() {
    List<RunRecord> back = RunRecord.fromTable(Table.parseCsv(RunRecord.toTable(runs()).toCsv()));
    assertEquals(runs(), back);
    assertEquals(ResultTables.table2Markdown(runs(), List.of("a"), List.of("cce")),
        ResultTables.table2Markdown(back, List.of("a"), List.of("cce")));
    assertThrows(IllegalArgumentException.class,
        () -> RunRecord.fromTable(Table.parseCsv("phase,dataset\nmain,a\n")));
  }

  @Test
  void figure2TableAndCurves() {
    List<RunRecord> r = new ArrayList<>();
    for (long s = 1; s <= 2; s++) {
      r.add(new RunRecord("figure2", "a", "supervised-collision", s, 0.5, "", 0, 0, 0, 0.8 + s / 100.0, 1, 10));
      r.add(new RunRecord("figure2", "a", "supervised-shannon", s, 0.5, "", 0, 0, 0, 0.6, 1, 10));
    }
    Table t = ResultTables.figure2Table(r, new double[] {0.5, 0.9});
    assertEquals("0.8150 ± 0.0071", t.cell(0, "collision CE (eq. 9)"));
    assertEquals("0.6000 ± 0.0000", t.cell(0, "Shannon CE (eq. 8)"));
    assertEquals("–", t.cell(1, "Shannon CE (eq. 8)"));
    List<Charts.Series> series = ResultTables.figure2Series(r, new double[] {0.5, 0.9});
    assertEquals(0.815, series.get(0).y()[0], 1e-12);
    assertTrue(Double.isNaN(series.get(1).y()[1]));
  }

  @Test
  void table5AndTuning() {
    Table t5 = ResultTables.table5Markdown(runs(), new double[] {0.1, 0.05}, List.of("a"),
        List.of("cce"));
    assertEquals("0.8000 ± 0.0000", t5.cell(0, "0.1 a"));
    assertEquals("–", t5.cell(0, "0.05 a"));
    List<RunRecord> withSeeds = new ArrayList<>(runs());
    withSeeds.add(run("semi", "a", ResultTables.ONLY_SEEDS, 1, 0.1, 0.5));
    Table rows = ResultTables.table5Markdown(withSeeds, new double[] {0.1}, List.of("a"),
        List.of(ResultTables.ONLY_SEEDS, "cce"));
    assertEquals("Only seeds", rows.cell(0, "method"));
    assertEquals("0.6000", rows.cell(0, "0.1 a")); // one seed: no std
    assertEquals("+ CCE (ours, eq. 11)", rows.cell(1, "method"));
    Table tuning = ResultTables.tuningTable(runs(), Map.of("a/cce", "lambda=100;stepSize=0.1"),
        "acc");
    assertEquals(1, tuning.rows().size());
    assertEquals("yes", tuning.cell(0, "chosen"));
    Table t6 = ResultTables.table6Markdown(runs(), List.of("a"));
    assertEquals("0.7000 ± 0.1000", t6.cell(1, "a"));
  }
}
