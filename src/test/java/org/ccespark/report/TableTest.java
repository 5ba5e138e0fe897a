package org.ccespark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  private static final Table TABLE = new Table(List.of("method", "a,b", "note"), List.of(
      List.of("cce", "0.5 ± 0.1", "says \"hi\""),
      List.of("k|means", "", "two\nlines")));

  @Test
  void csvParsesBackToTheSameTable() {
    assertEquals(TABLE, Table.parseCsv(TABLE.toCsv()));
    assertEquals(TABLE, Table.parseCsv(TABLE.toCsv().replace("\n", "\r\n").replace("two\r\nlines",
        "two\nlines")));
  }

  @Test
  void markdownHasHeaderSeparatorAndEscapedPipes() {
    List<String> lines = TABLE.toMarkdown().lines().toList();
    assertEquals("| method | a,b | note |", lines.get(0));
    assertEquals("|---|---|---|", lines.get(1));
    assertTrue(lines.get(3).startsWith("| k\\|means |  | two lines |"), lines.get(3));
    assertEquals(4, lines.size());
  }

  @Test
  void badCsvIsReportedWithItsRecord() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Table.parseCsv("a,b\n1,2\n3\n"));
    assertTrue(e.getMessage().contains("record 3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Table.parseCsv("a,b\n\"1,2\n"));
    assertThrows(IllegalArgumentException.class,
        () -> new Table(List.of("a"), List.of(List.of("1", "2"))));
  }

  @Test
  void statsAreMeanAndSampleStd() {
    assertEquals(2.0, Stats.mean(new double[] {1, 2, 3}), 1e-15);
    assertEquals(1.0, Stats.std(new double[] {1, 2, 3}), 1e-15);
    assertEquals(0.0, Stats.std(new double[] {5}));
    assertEquals("2.0000 ± 1.0000", Stats.meanStd(new double[] {1, 2, 3}));
  }
}
