package org.ccespark.selflabel;

/**
 * Supervised training on given soft targets, the setting of the paper's Figure 2: every row's
 * {@code y_i} is fixed (for example {@code η·u + (1-η)·onehot(label)} for labels corrupted at rate
 * η), nothing is solved, and the classifier minimises {@code mean_i H2(y_i, σ_i)} (collision
 * cross-entropy, eq. 9) or {@code mean_i H(y_i, σ_i)} (Shannon, eq. 8).
 */
public final class SupervisedTargets implements SelfLabelingObjective {
  private static final long serialVersionUID = 1L;

  private final boolean collision;

  /** @param collision true for collision cross-entropy, false for Shannon cross-entropy */
  public SupervisedTargets(boolean collision) {
    this.collision = collision;
  }

  /** Targets are given: nothing to solve. */
  @Override
  public int solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed) {
    return 0;
  }

  /** The mean cross-entropy of the targets and the predictions. */
  @Override
  public double loss(double[] sigma, double[] y, int rows, int k) {
    return collision ? org.ccespark.math.SelfLabelingLoss.meanCollision(sigma, y, rows, k)
        : NetworkLosses.meanShannon(sigma, y, rows, k);
  }

  @Override
  public double networkLoss(double[] z, double[] sigma, double[] y, int rows, int k,
      double[] grad) {
    return collision ? NetworkLosses.collision(z, y, rows, k, grad)
        : NetworkLosses.shannon(z, y, rows, k, grad);
  }
}
