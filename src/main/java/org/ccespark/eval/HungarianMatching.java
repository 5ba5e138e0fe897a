package org.ccespark.eval;

import java.util.Arrays;

/**
 * Optimal assignment (linear sum assignment) over a dense {@code double} matrix in O(n²m) time.
 *
 * <p>This is the Hungarian method of Kuhn (H. W. Kuhn, "The Hungarian method for the assignment
 * problem", Naval Research Logistics Quarterly 2, 1955) in its shortest-augmenting-path form with
 * row and column potentials (Jonker &amp; Volgenant 1987; the O(n³) variant described by Tomizawa
 * 1971 and Edmonds &amp; Karp 1972): rows are added one at a time, and each is connected to a free
 * column by a Dijkstra-like search on reduced costs {@code c[i][j] - u[i] - v[j] ≥ 0}.
 *
 * <p>Rectangular matrices are allowed. With n rows and m ≥ n columns the search assigns every row to
 * a distinct column, which is the same as padding the matrix with m - n rows of zero cost. When there
 * are more rows than columns the transposed problem is solved, so every column gets a distinct row
 * and the rows left over are reported as unassigned ({@code -1}).
 */
public final class HungarianMatching {
  private HungarianMatching() {}

  /**
   * An assignment of rows to distinct columns of minimum total cost.
   *
   * @param cost an r×c matrix of finite costs; all rows must have the same length
   * @return {@code a} of length r where {@code a[i]} is the column given to row i, or {@code -1} for
   *     the r - c rows left unassigned when r &gt; c. Exactly {@code min(r, c)} rows are assigned.
   * @throws IllegalArgumentException if the matrix is ragged or holds a NaN or infinite value
   */
  public static int[] minimumCostAssignment(double[][] cost) {
    int rows = cost.length;
    int cols = checkMatrix(cost);
    if (rows == 0) {
      return new int[0];
    }
    if (cols == 0) {
      int[] none = new int[rows];
      Arrays.fill(none, -1);
      return none;
    }
    if (rows <= cols) {
      return solve(cost, rows, cols);
    }
    // More rows than columns: assign every column to a row, on the transposed matrix.
    double[][] transposed = new double[cols][rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        transposed[j][i] = cost[i][j];
      }
    }
    int[] colToRow = solve(transposed, cols, rows);
    int[] rowToCol = new int[rows];
    Arrays.fill(rowToCol, -1);
    for (int j = 0; j < cols; j++) {
      rowToCol[colToRow[j]] = j;
    }
    return rowToCol;
  }

  /**
   * An assignment of rows to distinct columns of maximum total weight; the same as
   * {@link #minimumCostAssignment} on the negated matrix.
   *
   * @param weight an r×c matrix of finite weights; all rows must have the same length
   * @return {@code a} of length r with the column of row i, or {@code -1} when r &gt; c and row i is
   *     left unassigned
   */
  public static int[] maximumWeightAssignment(double[][] weight) {
    double[][] negated = new double[weight.length][];
    for (int i = 0; i < weight.length; i++) {
      negated[i] = new double[weight[i].length];
      for (int j = 0; j < negated[i].length; j++) {
        negated[i][j] = -weight[i][j];
      }
    }
    return minimumCostAssignment(negated);
  }

  /** The total of {@code matrix[i][assignment[i]]} over the assigned rows ({@code assignment[i] ≥ 0}). */
  public static double total(double[][] matrix, int[] assignment) {
    double sum = 0;
    for (int i = 0; i < assignment.length; i++) {
      if (assignment[i] >= 0) {
        sum += matrix[i][assignment[i]];
      }
    }
    return sum;
  }

  /** Checks that the matrix is rectangular and finite; returns its number of columns. */
  private static int checkMatrix(double[][] cost) {
    if (cost.length == 0) {
      return 0;
    }
    int cols = cost[0].length;
    for (int i = 0; i < cost.length; i++) {
      if (cost[i].length != cols) {
        throw new IllegalArgumentException(
            "ragged matrix: row " + i + " has " + cost[i].length + " columns, row 0 has " + cols);
      }
      for (int j = 0; j < cols; j++) {
        if (!Double.isFinite(cost[i][j])) {
          throw new IllegalArgumentException("non-finite cost " + cost[i][j] + " at (" + i + ", " + j + ")");
        }
      }
    }
    return cols;
  }

  /**
   * The shortest-augmenting-path algorithm for n ≤ m. Indices are 1-based inside: row 0 and column 0
   * are the sentinels of the search. Returns for each of the n rows its column, 0-based.
   */
  private static int[] solve(double[][] cost, int n, int m) {
    double[] u = new double[n + 1];      // row potentials
    double[] v = new double[m + 1];      // column potentials
    int[] rowOfCol = new int[m + 1];     // rowOfCol[j]: the row matched to column j, 0 if free
    int[] way = new int[m + 1];          // way[j]: the previous column on the shortest path to j
    double[] minv = new double[m + 1];   // minv[j]: the shortest reduced distance found to column j
    boolean[] used = new boolean[m + 1]; // columns already in the search tree

    for (int i = 1; i <= n; i++) {
      rowOfCol[0] = i;
      int j0 = 0;
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      Arrays.fill(used, false);
      do {
        used[j0] = true;
        int i0 = rowOfCol[j0];
        double[] c = cost[i0 - 1];
        double ui0 = u[i0];
        double delta = Double.POSITIVE_INFINITY;
        int j1 = -1;
        for (int j = 1; j <= m; j++) {
          if (!used[j]) {
            double reduced = c[j - 1] - ui0 - v[j];
            if (reduced < minv[j]) {
              minv[j] = reduced;
              way[j] = j0;
            }
            if (minv[j] < delta) {
              delta = minv[j];
              j1 = j;
            }
          }
        }
        for (int j = 0; j <= m; j++) {
          if (used[j]) {
            u[rowOfCol[j]] += delta;
            v[j] -= delta;
          } else {
            minv[j] -= delta;
          }
        }
        j0 = j1;
      } while (rowOfCol[j0] != 0);
      // Augment along the path that ends at the free column j0.
      do {
        int j1 = way[j0];
        rowOfCol[j0] = rowOfCol[j1];
        j0 = j1;
      } while (j0 != 0);
    }

    int[] colOfRow = new int[n];
    for (int j = 1; j <= m; j++) {
      if (rowOfCol[j] != 0) {
        colOfRow[rowOfCol[j] - 1] = j - 1;
      }
    }
    return colOfRow;
  }
}
