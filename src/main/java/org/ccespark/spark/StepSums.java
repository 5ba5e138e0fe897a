package org.ccespark.spark;

import java.io.Serializable;
import java.util.List;

/**
 * The sums one optimiser step needs, over one partition's share of the global mini-batch or, once
 * {@link #sumInOrder merged}, over the whole batch: the rows, the loss, the pseudo-label solver's
 * iterations and solves, and the loss's gradient with respect to the classifier
 * ({@code ∂Σloss/∂W} then {@code ∂Σloss/∂b}, the layout of the parameter vector). Merged in
 * partition order, so a fit's result does not depend on how the rows are partitioned or gathered.
 */
final class StepSums implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Rows of the batch (share). */
  double rows;
  /** Σ of the rows' loss (or the solved batch's mean loss times its rows). */
  double loss;
  /** Iterations of the pseudo-label solves. */
  double solverIterations;
  /** Pseudo-label solves run (0 or 1 per share or batch). */
  double solves;
  /** {@code ∂Σloss/∂W} then {@code ∂Σloss/∂b}, one entry per classifier parameter. */
  final double[] gradient;

  /** Zero sums for a classifier of {@code numParams} parameters. */
  StepSums(int numParams) {
    this.gradient = new double[numParams];
  }

  /** Adds {@code other} into these sums; returns this. */
  StepSums add(StepSums other) {
    rows += other.rows;
    loss += other.loss;
    solverIterations += other.solverIterations;
    solves += other.solves;
    for (int j = 0; j < gradient.length; j++) {
      gradient[j] += other.gradient[j];
    }
    return this;
  }

  /** The sum of {@code parts} in list (= partition) order; {@code parts} are left unchanged. */
  static StepSums sumInOrder(List<StepSums> parts) {
    StepSums total = new StepSums(parts.get(0).gradient.length);
    for (StepSums p : parts) {
      total.add(p);
    }
    return total;
  }
}
