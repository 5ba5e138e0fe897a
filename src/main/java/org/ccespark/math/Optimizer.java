package org.ccespark.math;

import java.io.Serializable;

/**
 * First-order optimisers over one flat parameter vector (the classifier's {@code W} then {@code b}).
 * The caller passes the full gradient, weight decay included. State is plain arrays so that it can
 * be serialised with the model's training state.
 */
public abstract class Optimizer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Applies one update to {@code params} in place from {@code grad}. */
  public abstract void step(double[] params, double[] grad);

  /**
   * The optimisers by name: the one list the estimator's {@code optimizer} param, the trainer and
   * the command line look up through {@link #of}.
   */
  public enum Kind {
    /** SGD with heavy-ball momentum ({@link Sgd}); momentum 0 is plain SGD. */
    SGD("sgd"),
    /** Adam with β = (0.9, 0.999), ε = 1e-8 ({@link Adam}); momentum is not used. */
    ADAM("adam");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    /** @return the name used on the command line and in the estimator's params */
    public String id() {
      return id;
    }

    /** @return {@link #id()} */
    @Override
    public String toString() {
      return id;
    }

    /** Creates this optimiser for {@code n} parameters. */
    public Optimizer create(int n, double stepSize, double momentum) {
      return this == SGD ? new Sgd(n, stepSize, momentum) : new Adam(n, stepSize, 0.9, 0.999, 1e-8);
    }

    /** @return every optimiser's {@link #id()}, in declaration order */
    public static java.util.List<String> names() {
      return java.util.Arrays.stream(values()).map(Kind::id).toList();
    }

    /**
     * @param name an optimiser's {@link #id()}
     * @throws IllegalArgumentException if there is none of that name
     */
    public static Kind of(String name) {
      for (Kind k : values()) {
        if (k.id.equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException("optimizer must be " + String.join(" or ", names())
          + ", got '" + name + "'");
    }
  }

  /** Creates {@code sgd} (with {@code momentum}, 0 for plain SGD) or {@code adam} for n parameters. */
  public static Optimizer create(String name, int n, double stepSize, double momentum) {
    return Kind.of(name).create(n, stepSize, momentum);
  }

  /** SGD with heavy-ball momentum as in PyTorch: {@code v ← μ v + g; θ ← θ - η v}. */
  public static final class Sgd extends Optimizer {
    private static final long serialVersionUID = 1L;
    private final double stepSize;
    private final double momentum;
    private final double[] velocity;

    public Sgd(int n, double stepSize, double momentum) {
      this.stepSize = stepSize;
      this.momentum = momentum;
      this.velocity = momentum > 0 ? new double[n] : null;
    }

    @Override
    public void step(double[] params, double[] grad) {
      for (int j = 0; j < params.length; j++) {
        double g = grad[j];
        if (velocity != null) {
          g = velocity[j] = momentum * velocity[j] + g;
        }
        params[j] -= stepSize * g;
      }
    }
  }

  /** Adam (Kingma and Ba 2015) with bias correction. */
  public static final class Adam extends Optimizer {
    private static final long serialVersionUID = 1L;
    private final double stepSize;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double[] m;
    private final double[] v;
    private long t;

    public Adam(int n, double stepSize, double beta1, double beta2, double eps) {
      this.stepSize = stepSize;
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.eps = eps;
      this.m = new double[n];
      this.v = new double[n];
    }

    @Override
    public void step(double[] params, double[] grad) {
      t++;
      double c1 = 1 - Math.pow(beta1, t);
      double c2 = 1 - Math.pow(beta2, t);
      for (int j = 0; j < params.length; j++) {
        double g = grad[j];
        m[j] = beta1 * m[j] + (1 - beta1) * g;
        v[j] = beta2 * v[j] + (1 - beta2) * g * g;
        params[j] -= stepSize * (m[j] / c1) / (Math.sqrt(v[j] / c2) + eps);
      }
    }
  }
}
