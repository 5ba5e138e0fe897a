package org.ccespark.math;

import java.util.Arrays;

/**
 * Projected gradient descent (PGD) for the pseudo-labels of {@code L_CCE} (eq. 10), the baseline of
 * the paper's Table 1. With the loss scaled by {@code M} so that the step size does not depend on
 * the number of points, the gradient for point {@code i} is
 *
 * <pre>
 *   ∂(M·L_CCE)/∂y_ik = -σ_ik / (σ_iᵀ y_i) + λ (ln(K ȳ_k) + 1)
 * </pre>
 *
 * and each iteration takes {@code y_i ← Π_Δ(y_i - η ∇_i)} for all points at once (Jacobi style,
 * {@code ȳ} from the previous iterate), with the exact projection of {@link SimplexProjection}.
 * {@code ln ȳ_k} is taken at {@code max(ȳ_k, 1e-300)} so an empty cluster gives a large, finite push.
 *
 * <p>{@link #solvePlus} runs the same iteration on {@code L_CCE+} (eq. 11), whose fairness term
 * {@code λ KL(u‖ȳ)} has the gradient {@code ∂(M·λ KL(u‖ȳ))/∂y_ik = −λ u_k / ȳ_k}
 * ({@code u_k = 1/K}, {@code ȳ_k} again at least 1e-300). {@link #gradient} and
 * {@link #gradientPlus} return the gradients the two iterations step along.
 */
public final class ProjectedGradientPseudoLabels {
  private ProjectedGradientPseudoLabels() {}

  /** How a PGD solve ended. */
  public record Result(int iterations, boolean converged, double maxChange) {}

  /**
   * Runs PGD from the given {@code y} until no entry moves by more than {@code tol} in an iteration
   * or {@code maxIter} iterations ran.
   *
   * @param stepSize the step {@code η}
   */
  public static Result solve(double[] sigma, double[] y, int rows, int k, double lambda,
      double stepSize, int maxIter, double tol) {
    return solve(sigma, y, rows, k, lambda, stepSize, maxIter, tol, null);
  }

  /**
   * As {@link #solve(double[], double[], int, int, double, double, int, double)}, but rows with
   * {@code fixed[i]} keep their {@code y_i} (they still count in {@code ȳ}): PGD on the free rows
   * of eq. 10, as used by the semi-supervised mode.
   *
   * @param fixed rows whose labels are held fixed, or null for none
   */
  public static Result solve(double[] sigma, double[] y, int rows, int k, double lambda,
      double stepSize, int maxIter, double tol, boolean[] fixed) {
    return solve(sigma, y, rows, k, lambda, stepSize, maxIter, tol, fixed, false);
  }

  /**
   * PGD on {@code L_CCE+} (eq. 11) instead of eq. 10: the same iteration with the gradient of the
   * reversed divergence, {@code ∂(M·λ KL(u‖ȳ))/∂y_ik = −λ u_k / ȳ_k} ({@code u_k = 1/K}), so that
   * it can be compared with EM and the exact solver on the same loss (bench {@code em-vs-pgd}).
   */
  public static Result solvePlus(double[] sigma, double[] y, int rows, int k, double lambda,
      double stepSize, int maxIter, double tol) {
    return solve(sigma, y, rows, k, lambda, stepSize, maxIter, tol, null, true);
  }

  /**
   * The gradient {@code ∂(M·L_CCE)/∂y} (eq. 10) that {@link #solve} steps along, written to
   * {@code grad} (row-major {@code rows × K}, like {@code y}).
   */
  public static void gradient(double[] sigma, double[] y, int rows, int k, double lambda,
      double[] grad) {
    gradient(sigma, y, rows, k, lambda, false, grad);
  }

  /**
   * The gradient {@code ∂(M·L_CCE+)/∂y} (eq. 11) that {@link #solvePlus} steps along:
   * {@code −σ_ik / (σ_iᵀy_i) − λ u_k / ȳ_k}, written to {@code grad}.
   */
  public static void gradientPlus(double[] sigma, double[] y, int rows, int k, double lambda,
      double[] grad) {
    gradient(sigma, y, rows, k, lambda, true, grad);
  }

  private static void gradient(double[] sigma, double[] y, int rows, int k, double lambda,
      boolean plus, double[] grad) {
    double[] fairGrad = new double[k];
    fairnessGradient(y, rows, k, lambda, plus, new double[k], fairGrad);
    for (int i = 0; i < rows; i++) {
      rowGradient(sigma, y, i * k, k, fairGrad, grad, i * k);
    }
  }

  /**
   * The fairness term's gradient, the same for every point: eq. 10's {@code λ(ln(K ȳ_k) + 1)} or
   * eq. 11's {@code −λ u_k / ȳ_k}, with {@code ȳ_k} at least 1e-300.
   */
  private static void fairnessGradient(double[] y, int rows, int k, double lambda, boolean plus,
      double[] mean, double[] fairGrad) {
    Arrays.fill(mean, 0);
    PseudoLabelEm.addColumnSums(y, rows, k, mean);
    for (int c = 0; c < k; c++) {
      double ybar = Math.max(mean[c] / rows, 1e-300);
      fairGrad[c] = plus ? -lambda / (k * ybar) : lambda * (Math.log(k * ybar) + 1);
    }
  }

  /**
   * The gradient of the point whose row starts at {@code o}: {@code −σ_ik / (σ_iᵀy_i)} plus the
   * fairness term's, written to {@code out[outOff .. outOff+K)}.
   */
  private static void rowGradient(double[] sigma, double[] y, int o, int k, double[] fairGrad,
      double[] out, int outOff) {
    double dot = 0;
    for (int c = 0; c < k; c++) {
      dot += sigma[o + c] * y[o + c];
    }
    double invDot = 1.0 / Math.max(dot, 1e-300);
    for (int c = 0; c < k; c++) {
      out[outOff + c] = fairGrad[c] - sigma[o + c] * invDot;
    }
  }

  private static Result solve(double[] sigma, double[] y, int rows, int k, double lambda,
      double stepSize, int maxIter, double tol, boolean[] fixed, boolean plus) {
    double[] mean = new double[k];
    double[] fairGrad = new double[k];
    double[] row = new double[k];
    double[] scratch = new double[k];
    int it = 0;
    double maxChange = Double.POSITIVE_INFINITY;
    while (it < maxIter && maxChange > tol) {
      fairnessGradient(y, rows, k, lambda, plus, mean, fairGrad);
      maxChange = 0;
      for (int i = 0; i < rows; i++) {
        if (fixed != null && fixed[i]) {
          continue;
        }
        int o = i * k;
        rowGradient(sigma, y, o, k, fairGrad, row, 0);
        for (int c = 0; c < k; c++) {
          row[c] = y[o + c] - stepSize * row[c];
        }
        SimplexProjection.project(row, 0, k, scratch);
        for (int c = 0; c < k; c++) {
          maxChange = Math.max(maxChange, Math.abs(row[c] - y[o + c]));
          y[o + c] = row[c];
        }
      }
      it++;
    }
    return new Result(it, maxChange <= tol, maxChange);
  }
}
