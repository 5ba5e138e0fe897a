package org.ccespark.math;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Classes whose columns of a row-major {@code rows × K} block are identical, as groups. */
final class ClassGroups {
  private ClassGroups() {}

  /**
   * @return for each class, its group: classes with identical columns share one; groups are
   *     numbered {@code 0..g-1} in the order of their first class
   */
  static int[] groups(double[] a, int rows, int k) {
    int[] group = new int[k];
    Map<Long, int[]> firstByHash = new HashMap<>();
    int next = 0;
    for (int q = 0; q < k; q++) {
      long h = 1;
      for (int i = 0; i < rows; i++) {
        h = 31 * h + Double.doubleToLongBits(a[i * k + q]);
      }
      int[] candidates = firstByHash.get(h);
      int found = -1;
      if (candidates != null) {
        for (int p : candidates) {
          if (sameColumn(a, rows, k, p, q)) {
            found = group[p];
            break;
          }
        }
      }
      if (found < 0) {
        found = next++;
        int[] list = candidates == null ? new int[] {q}
            : Arrays.copyOf(candidates, candidates.length + 1);
        list[list.length - 1] = q;
        firstByHash.put(h, list);
      }
      group[q] = found;
    }
    return group;
  }

  /** @return the number of groups in {@code group} */
  static int count(int[] group) {
    int g = 0;
    for (int v : group) {
      g = Math.max(g, v + 1);
    }
    return g;
  }

  private static boolean sameColumn(double[] a, int rows, int k, int p, int q) {
    for (int i = 0; i < rows; i++) {
      if (a[i * k + p] != a[i * k + q]) {
        return false;
      }
    }
    return true;
  }
}
