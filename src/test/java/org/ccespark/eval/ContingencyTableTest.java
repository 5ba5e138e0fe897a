package org.ccespark.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ContingencyTableTest {

  @Test
  void countsFromArraysWithArbitraryIds() {
    // Label ids {-1, 7} become rows {0, 1}; cluster ids {3, 5, 9} become columns {0, 1, 2}.
    // Points: (-1,3) (-1,3) (-1,5) (7,5) (7,9) (7,9) (7,9).
    int[] labels = {-1, -1, -1, 7, 7, 7, 7};
    int[] clusters = {3, 3, 5, 5, 9, 9, 9};
    ContingencyTable t = ContingencyTable.of(labels, clusters);
    assertArrayEquals(new long[][] {{2, 1, 0}, {0, 1, 3}}, t.toArray());
    assertEquals(2, t.numLabels());
    assertEquals(3, t.numClusters());
    assertEquals(7, t.total());
    assertEquals(3, t.labelTotal(0));
    assertEquals(4, t.labelTotal(1));
    assertEquals(2, t.clusterTotal(0));
    assertEquals(2, t.clusterTotal(1));
    assertEquals(3, t.clusterTotal(2));
  }

  @Test
  void triplesAreSummedAndMayLeaveEmptyRows() {
    ContingencyTable t = ContingencyTable.fromTriples(3, 2,
        new int[] {0, 2, 0, 2}, new int[] {1, 0, 1, 1}, new long[] {4, 5, 6, 0});
    assertArrayEquals(new long[][] {{0, 10}, {0, 0}, {5, 0}}, t.toArray());
    assertEquals(15, t.total());
    assertEquals(2, t.nonEmptyLabels());
    assertEquals(2, t.nonEmptyClusters());
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> ContingencyTable.of(new int[2], new int[3]));
    assertThrows(IllegalArgumentException.class,
        () -> ContingencyTable.fromTriples(2, 2, new int[] {2}, new int[] {0}, new long[] {1}));
    assertThrows(IllegalArgumentException.class,
        () -> ContingencyTable.fromTriples(2, 2, new int[] {0}, new int[] {0}, new long[] {-1}));
    assertThrows(IllegalArgumentException.class,
        () -> ContingencyTable.fromTriples(2, 2, new int[] {0, 1}, new int[] {0}, new long[] {1}));
    assertThrows(IllegalArgumentException.class,
        () -> ContingencyTable.fromMatrix(new long[][] {{1, 2}, {3}}));
    assertThrows(IllegalArgumentException.class,
        () -> ContingencyTable.fromMatrix(new long[][] {{1, -2}}));
  }

  @Test
  void fromMatrixCopiesItsInput() {
    long[][] m = {{1, 2}, {3, 4}};
    ContingencyTable t = ContingencyTable.fromMatrix(m);
    m[0][0] = 100;
    assertEquals(1, t.count(0, 0));
    assertEquals(10, t.total());
  }
}
