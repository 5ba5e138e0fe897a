package org.ccespark.selflabel;

import java.io.Serializable;

/**
 * One self-labeling clustering objective for the linear softmax classifier: how pseudo-labels
 * {@code y} are solved for a block of points with the classifier fixed, and the loss by which the
 * classifier is then trained. Blocks are row-major {@code rows × K} arrays ({@code σ}, {@code y},
 * logits {@code z}); nothing here knows about Spark, so a distributed trainer calls these per
 * partition share of a mini-batch.
 *
 * <p>Some rows may have <i>fixed</i> labels (the semi-supervised mode of the paper's section 5.3
 * and E.2, or given soft targets): their {@code y_i} is never changed by {@link #solve}, but they
 * count in every batch statistic (the mean label {@code ȳ}, the transport marginals).
 */
public interface SelfLabelingObjective extends Serializable {

  /**
   * Solves the pseudo-labels of a block in place with {@code σ} fixed.
   *
   * @param sigma the classifier's predictions, {@code rows × K}
   * @param y on entry: the start ({@code σ} for free rows, Algorithm 2's warm start) and the fixed
   *     rows' labels; on return the solution (fixed rows unchanged). Not used by objectives without
   *     pseudo-labels ({@link #usesPseudoLabels()} false)
   * @param fixed rows whose labels are held fixed, or null for none
   * @return solver iterations taken (EM M-steps, PGD steps, Sinkhorn or fixed-point iterations)
   */
  int solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed);

  /** @return the objective's value on the block, for reporting (its equation in the class doc) */
  double loss(double[] sigma, double[] y, int rows, int k);

  /**
   * The classifier's training loss on the block with {@code y} fixed, summed over the rows (the
   * caller divides by the batch size), and its gradient with respect to each row's logits.
   *
   * @param z logits, {@code rows × K}
   * @param sigma {@code softmax(z)} row by row
   * @param y pseudo-labels (ignored when {@link #usesPseudoLabels()} is false)
   * @param grad receives {@code ∂(sum)/∂z}, {@code rows × K}; may not alias the inputs
   * @return the summed loss
   */
  double networkLoss(double[] z, double[] sigma, double[] y, int rows, int k, double[] grad);

  /** @return whether the objective has pseudo-labels (false for MIGD) */
  default boolean usesPseudoLabels() {
    return true;
  }
}
