package org.ccespark.selflabel;

import org.ccespark.math.CrossEntropy;
import org.ccespark.math.Softmax;

/**
 * One self-labeling step on a batch of logits, the body of the paper's Algorithm 2 shared by the
 * linear classifier on fixed features ({@code spark.SelfLabelTrainer}) and the deep network
 * ({@code deep.DeepClusteringTrainer}): {@code σ = softmax(z)}; the pseudo-labels {@code y}
 * warm-started from {@code σ} (rows with a given label fixed to it) and solved by the objective;
 * the classifier's loss and its gradient with respect to {@code z}, plus, in the semi-supervised
 * mode (section 5.3, E.2), {@code seedLabelWeight · H(label_i, σ_i)} on the rows with a label.
 *
 * <p>Blocks are row-major {@code rows × K}. Nothing here knows about Spark or DJL.
 */
public final class BatchStep {
  private BatchStep() {}

  /**
   * What one step found.
   *
   * @param loss the objective's value on the block times {@code rows} plus the summed seed term
   *     (only when the labels were solved here; 0 otherwise)
   * @param iterations the solver's iterations (0 when not solved here)
   * @param solved whether pseudo-labels were solved here (false for objectives without them, or
   *     when {@code y} was given)
   */
  public record Result(double loss, int iterations, boolean solved) {}

  /**
   * Runs the step.
   *
   * @param objective the method's objective
   * @param seedLabelWeight weight of the Shannon cross-entropy on rows with a given label; 0 for
   *     none (and for the supervised objectives, whose loss already is a cross-entropy with the
   *     targets)
   * @param z logits, {@code rows × K}
   * @param given labels of the rows that have one ({@code rows × K}, read only where {@code fixed}),
   *     or null
   * @param fixed rows with a given label, or null
   * @param solve whether to solve {@code y} here; false when {@code y} already holds the labels (the
   *     epoch's full-data EM)
   * @param sigma receives {@code softmax(z)}
   * @param y receives the pseudo-labels (or holds them, when {@code solve} is false)
   * @param grad receives {@code ∂(summed loss)/∂z}
   * @return the summed loss and the solver's iterations
   */
  public static Result run(SelfLabelingObjective objective, double seedLabelWeight, double[] z,
      int rows, int k, double[] given, boolean[] fixed, boolean solve, double[] sigma, double[] y,
      double[] grad) {
    for (int i = 0; i < rows; i++) {
      Softmax.softmax(z, i * k, sigma, i * k, k);
    }
    double loss = 0;
    int iterations = 0;
    if (solve) {
      System.arraycopy(sigma, 0, y, 0, rows * k);
      for (int i = 0; fixed != null && i < rows; i++) {
        if (fixed[i]) {
          System.arraycopy(given, i * k, y, i * k, k);
        }
      }
      iterations = objective.solve(sigma, y, rows, k, fixed);
      loss = objective.loss(sigma, y, rows, k) * rows;
    }
    objective.networkLoss(z, sigma, y, rows, k, grad);
    if (fixed != null && seedLabelWeight > 0) {
      double[] h = new double[k];
      for (int i = 0; i < rows; i++) {
        if (fixed[i]) {
          double ce = CrossEntropy.shannonFromLogits(given, i * k, z, i * k, k, h, 0);
          if (solve) {
            loss += seedLabelWeight * ce;
          }
          for (int c = 0; c < k; c++) {
            grad[i * k + c] += seedLabelWeight * h[c];
          }
        }
      }
    }
    return new Result(loss, iterations, solve && objective.usesPseudoLabels());
  }
}
