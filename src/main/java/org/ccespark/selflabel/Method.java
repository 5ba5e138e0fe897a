package org.ccespark.selflabel;

import java.util.Arrays;
import java.util.List;

/**
 * The self-labeling methods and supervised objectives by name, with each one's default λ, the
 * training schedules it supports, whether it clusters (pseudo-labels) or trains on given targets,
 * and its objective: the one place the estimator, the trainers, the reports and the command line
 * look them up ({@link #of} turns a name into a method and is the only check of a name).
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
public enum Method {
  /** Collision cross-entropy with the fairness term (eq. 11); the default. */
  CCE("cce", 100, "CCE (ours, eq. 11)", List.of(Schedule.MINIBATCH, Schedule.FULLDATA),
      (lambda, maxIter, tol, pgdStepSize, solver) -> new CollisionEm(lambda, maxIter, tol, solver)),
  /** Collision cross-entropy (eq. 10), pseudo-labels by projected gradient. */
  CCE_PGD("cce-pgd", 100, "CCE eq. 10 (PGD)", List.of(Schedule.MINIBATCH),
      (lambda, maxIter, tol, pgdStepSize, solver) ->
          new CollisionPgd(lambda, pgdStepSize, maxIter, tol)),
  /** SeLa (Asano et al.): Sinkhorn-Knopp pseudo-labels (eq. 4). */
  SELA("sela", 25, "SeLa", List.of(Schedule.MINIBATCH),
      (lambda, maxIter, tol, pgdStepSize, solver) -> new Sela(lambda, maxIter, tol)),
  /** MIADM (Jabi et al.): mutual information by alternating direction (eq. 5). */
  MIADM("miadm", 1, "MIADM", List.of(Schedule.MINIBATCH),
      (lambda, maxIter, tol, pgdStepSize, solver) -> new Miadm(lambda, maxIter, tol)),
  /** MIGD (Krause et al. 2010): mutual information by gradient descent (eq. 1). */
  MIGD("migd", 1, "MIGD", List.of(Schedule.MINIBATCH),
      (lambda, maxIter, tol, pgdStepSize, solver) -> new Migd(lambda)),
  /** Supervised training on fixed soft targets with collision cross-entropy (Figure 2). */
  SUPERVISED_COLLISION("supervised-collision", 0, "supervised, collision CE",
      List.of(Schedule.MINIBATCH),
      (lambda, maxIter, tol, pgdStepSize, solver) -> new SupervisedTargets(true)),
  /** Supervised training on fixed soft targets with Shannon cross-entropy (Figure 2). */
  SUPERVISED_SHANNON("supervised-shannon", 0, "supervised, Shannon CE",
      List.of(Schedule.MINIBATCH),
      (lambda, maxIter, tol, pgdStepSize, solver) -> new SupervisedTargets(false));

  /** Default of {@link #objective}'s solver: {@code cce}'s exact solver. */
  public static final String DEFAULT_SOLVER = "exact";

  /** Makes a method's objective from the solver settings. */
  @FunctionalInterface
  private interface Factory {
    SelfLabelingObjective create(double lambda, int maxIter, double tol, double pgdStepSize,
        String solver);
  }

  private final String id;
  private final double defaultLambda;
  private final String title;
  private final List<Schedule> schedules;
  private final Factory factory;

  Method(String id, double defaultLambda, String title, List<Schedule> schedules,
      Factory factory) {
    this.id = id;
    this.defaultLambda = defaultLambda;
    this.title = title;
    this.schedules = schedules;
    this.factory = factory;
  }

  /** @return the name used on the command line, in params, run records and saved models */
  public String id() {
    return id;
  }

  /** @return {@link #id()} */
  @Override
  public String toString() {
    return id;
  }

  /**
   * @return λ used when none is given: 100 for CCE (the paper), 25 for SeLa (Asano et al.), 1 for
   *     MIADM (eq. 5) and MIGD (eq. 1), 0 for the supervised objectives (which have none)
   */
  public double defaultLambda() {
    return defaultLambda;
  }

  /** @return the name result tables show */
  public String title() {
    return title;
  }

  /**
   * @return the training schedules it supports: {@code fulldata} needs a pseudo-label solver that
   *     runs distributed over all rows, which only CCE's EM has
   */
  public List<Schedule> schedules() {
    return schedules;
  }

  /** @return whether it clusters (pseudo-labels); false for the supervised objectives */
  public boolean clustering() {
    return this != SUPERVISED_COLLISION && this != SUPERVISED_SHANNON;
  }

  /** @return whether it trains on given targets only (every row needs a label) */
  public boolean supervised() {
    return !clustering();
  }

  /**
   * @throws IllegalArgumentException naming the method and the schedules it supports, if it does
   *     not support {@code schedule}
   */
  public void checkSchedule(Schedule schedule) {
    if (!schedules.contains(schedule)) {
      throw new IllegalArgumentException("method '" + id + "' supports schedule "
          + String.join(" or ", schedules.stream().map(Schedule::id).toList()) + " only, not '"
          + schedule + "'");
    }
  }

  /**
   * The objective with these settings.
   *
   * @param lambda the method's λ (see {@link #defaultLambda})
   * @param maxIter maximum iterations of one pseudo-label solve (EM M-steps, PGD steps, Sinkhorn or
   *     fixed-point iterations)
   * @param tol the solver's tolerance (EM, PGD, MIADM: largest change of a label entry; SeLa:
   *     relative error of the class marginals)
   * @param pgdStepSize PGD's step ({@code cce-pgd} only)
   * @param solver {@code cce}'s pseudo-label solver ({@link CollisionEm#SOLVERS}; the other
   *     methods have one solver each and ignore it)
   */
  public SelfLabelingObjective objective(double lambda, int maxIter, double tol,
      double pgdStepSize, String solver) {
    return factory.create(lambda, maxIter, tol, pgdStepSize, solver);
  }

  /** As {@link #objective(double, int, double, double, String)} with {@link #DEFAULT_SOLVER}. */
  public SelfLabelingObjective objective(double lambda, int maxIter, double tol,
      double pgdStepSize) {
    return objective(lambda, maxIter, tol, pgdStepSize, DEFAULT_SOLVER);
  }

  /**
   * @return the clustering methods' default λ, methods of equal λ together in documentation
   *     order: {@code cce, cce-pgd 100; sela 25; miadm, migd 1}
   */
  public static String defaultLambdas() {
    java.util.Map<Double, List<String>> byValue = new java.util.LinkedHashMap<>();
    for (Method m : clusteringMethods()) {
      byValue.computeIfAbsent(m.defaultLambda, v -> new java.util.ArrayList<>()).add(m.id);
    }
    List<String> parts = new java.util.ArrayList<>();
    byValue.forEach((v, ms) -> parts.add(String.join(", ", ms) + " "
        + (v == Math.rint(v) ? Long.toString(v.longValue()) : v.toString())));
    return String.join("; ", parts);
  }

  /** @return the clustering methods, in documentation order; {@code cce} is the default */
  public static List<Method> clusteringMethods() {
    return Arrays.stream(values()).filter(Method::clustering).toList();
  }

  /** @return the {@link #id()} of each clustering method, in documentation order */
  public static List<String> clusteringNames() {
    return clusteringMethods().stream().map(Method::id).toList();
  }

  /** @return every method's {@link #id()}: the clustering methods, then the supervised ones */
  public static List<String> names() {
    return Arrays.stream(values()).map(Method::id).toList();
  }

  /**
   * @param name a method's {@link #id()}
   * @return the method of that name
   * @throws IllegalArgumentException naming the supported methods if there is none
   */
  public static Method of(String name) {
    for (Method m : values()) {
      if (m.id.equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown method '" + name + "'; supported: "
        + String.join(", ", names()));
  }
}
