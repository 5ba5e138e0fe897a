package org.ccespark.selflabel;

import java.util.List;

/**
 * The objectives by name, with each one's default λ and the training schedules it supports: the
 * one place the estimator, the trainer and the command line look them up.
 *
 * <table>
 *   <caption>methods</caption>
 *   <tr><th>name</th><th>objective</th><th>default λ</th><th>schedules</th></tr>
 *   <tr><td>{@code cce}</td><td>{@link CollisionEm}, eq. 11</td><td>100</td><td>minibatch, fulldata</td></tr>
 *   <tr><td>{@code cce-pgd}</td><td>{@link CollisionPgd}, eq. 10</td><td>100</td><td>minibatch</td></tr>
 *   <tr><td>{@code sela}</td><td>{@link Sela}, eq. 4</td><td>25</td><td>minibatch</td></tr>
 *   <tr><td>{@code miadm}</td><td>{@link Miadm}, eq. 5</td><td>1</td><td>minibatch</td></tr>
 *   <tr><td>{@code migd}</td><td>{@link Migd}, eq. 1</td><td>1</td><td>minibatch</td></tr>
 *   <tr><td>{@code supervised-collision}, {@code supervised-shannon}</td><td>{@link SupervisedTargets}</td><td>-</td><td>minibatch</td></tr>
 * </table>
 */
public final class SelfLabelingMethods {
  private SelfLabelingMethods() {}

  /** The clustering methods, in documentation order; {@code cce} is the default. */
  public static final List<String> CLUSTERING = List.of("cce", "cce-pgd", "sela", "miadm", "migd");
  /** Supervised training on fixed soft targets with collision cross-entropy (Figure 2). */
  public static final String SUPERVISED_COLLISION = "supervised-collision";
  /** Supervised training on fixed soft targets with Shannon cross-entropy (Figure 2). */
  public static final String SUPERVISED_SHANNON = "supervised-shannon";

  /**
   * @param method a method name
   * @return λ used when none is given: 100 for CCE (the paper), 25 for SeLa (Asano et al.), 1 for
   *     MIADM (eq. 5) and MIGD (eq. 1), 0 for the supervised objectives (which have none)
   */
  public static double defaultLambda(String method) {
    switch (check(method)) {
      case "cce":
      case "cce-pgd":
        return 100;
      case "sela":
        return 25;
      case "miadm":
      case "migd":
        return 1;
      default:
        return 0;
    }
  }

  /**
   * @param method a method name
   * @return the training schedules it supports: {@code fulldata} needs a pseudo-label solver that
   *     runs distributed over all rows, which only CCE's EM has
   */
  public static List<String> schedules(String method) {
    return check(method).equals("cce") ? List.of("minibatch", "fulldata") : List.of("minibatch");
  }

  /**
   * @throws IllegalArgumentException naming the method and the schedules it supports, if it does
   *     not support {@code schedule}
   */
  public static void checkSchedule(String method, String schedule) {
    if (!schedules(method).contains(schedule)) {
      throw new IllegalArgumentException("method '" + method + "' supports schedule "
          + String.join(" or ", schedules(method)) + " only, not '" + schedule + "'");
    }
  }

  /**
   * The objective of a method.
   *
   * @param lambda the method's λ (see {@link #defaultLambda})
   * @param maxIter maximum iterations of one pseudo-label solve (EM M-steps, PGD steps, Sinkhorn or
   *     fixed-point iterations)
   * @param tol the solver's tolerance (EM, PGD, MIADM: largest change of a label entry; SeLa:
   *     relative error of the class marginals)
   * @param pgdStepSize PGD's step ({@code cce-pgd} only)
   */
  public static SelfLabelingObjective create(String method, double lambda, int maxIter, double tol,
      double pgdStepSize) {
    return create(method, lambda, maxIter, tol, pgdStepSize, "exact");
  }

  /**
   * As {@link #create(String, double, int, double, double)} with {@code cce}'s pseudo-label solver
   * ({@link CollisionEm#SOLVERS}; the other methods have one solver each and ignore it).
   */
  public static SelfLabelingObjective create(String method, double lambda, int maxIter, double tol,
      double pgdStepSize, String solver) {
    switch (check(method)) {
      case "cce":
        return new CollisionEm(lambda, maxIter, tol, solver);
      case "cce-pgd":
        return new CollisionPgd(lambda, pgdStepSize, maxIter, tol);
      case "sela":
        return new Sela(lambda, maxIter, tol);
      case "miadm":
        return new Miadm(lambda, maxIter, tol);
      case "migd":
        return new Migd(lambda);
      case SUPERVISED_COLLISION:
        return new SupervisedTargets(true);
      default:
        return new SupervisedTargets(false);
    }
  }

  private static String check(String method) {
    if (!CLUSTERING.contains(method) && !method.equals(SUPERVISED_COLLISION)
        && !method.equals(SUPERVISED_SHANNON)) {
      throw new IllegalArgumentException("unknown method '" + method + "'; supported: "
          + String.join(", ", CLUSTERING) + ", " + SUPERVISED_COLLISION + ", " + SUPERVISED_SHANNON);
    }
    return method;
  }
}
