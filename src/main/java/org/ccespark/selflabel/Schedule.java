package org.ccespark.selflabel;

import java.util.Arrays;
import java.util.List;

/**
 * How the training loop visits the data: the one list of schedules, looked up by the estimator's
 * {@code schedule} param, the trainer and the command line through {@link #of}.
 */
public enum Schedule {
  /** Algorithm 2: pseudo-labels solved per mini-batch, then one gradient step on the batch. */
  MINIBATCH("minibatch"),
  /**
   * Pseudo-labels of all rows solved once per epoch by a distributed solver, then mini-batch
   * gradient steps; only {@link Method#CCE}'s EM runs distributed.
   */
  FULLDATA("fulldata");

  private final String id;

  Schedule(String id) {
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

  /** @return every schedule's {@link #id()}, in declaration order */
  public static List<String> names() {
    return Arrays.stream(values()).map(Schedule::id).toList();
  }

  /**
   * @param name a schedule's {@link #id()}
   * @return the schedule of that name
   * @throws IllegalArgumentException naming the supported schedules if there is none
   */
  public static Schedule of(String name) {
    for (Schedule s : values()) {
      if (s.id.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown schedule '" + name + "'; supported: "
        + String.join(", ", names()));
  }
}
