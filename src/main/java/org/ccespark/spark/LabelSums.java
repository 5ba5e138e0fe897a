package org.ccespark.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What one pass of the {@code fulldata} schedule's distributed EM needs from each partition: its
 * rows, {@code Σ_i H₂(y_i, σ_i)}, the largest change of a pseudo-label entry since the previous
 * iterate, and the pseudo-labels' column sums {@code Σ_i y_ic} (the M-step's only global
 * quantity). Merged in partition order: sums add, the change is a maximum.
 */
final class LabelSums implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Rows. */
  double rows;
  /** {@code Σ_i H₂(y_i, σ_i)}. */
  double collision;
  /** Largest absolute change of a pseudo-label entry. */
  double maxChange;
  /** {@code Σ_i y_ic} for each cluster {@code c}. */
  final double[] columnSums;

  /** Zero sums for {@code k} clusters. */
  LabelSums(int k) {
    this.columnSums = new double[k];
  }

  /** Adds {@code other} into these sums (the change as a maximum); returns this. */
  LabelSums add(LabelSums other) {
    rows += other.rows;
    collision += other.collision;
    maxChange = Math.max(maxChange, other.maxChange);
    for (int c = 0; c < columnSums.length; c++) {
      columnSums[c] += other.columnSums[c];
    }
    return this;
  }

  /** The sum of {@code parts} in list (= partition) order; {@code parts} are left unchanged. */
  static LabelSums sumInOrder(List<LabelSums> parts) {
    LabelSums total = new LabelSums(parts.get(0).columnSums.length);
    for (LabelSums p : parts) {
      total.add(p);
    }
    return total;
  }
}
