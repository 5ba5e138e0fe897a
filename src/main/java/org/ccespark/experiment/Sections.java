package org.ccespark.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.ccespark.data.PcaFeatures;

/** The typed sections of an {@link ExperimentConfig}. */
public final class Sections {
  private Sections() {}

  /**
   * A dataset of the experiment.
   *
   * @param name its name: of the catalog, or any name with a {@code path}
   * @param path the feature file, or null for the catalog's dataset
   * @param format the feature file's format
   * @param labelCol the feature file's label column
   * @param featuresCol the feature file's features column
   * @param sample rows of a seeded sample, or null for all rows
   * @param k number of clusters, or null for the number of distinct labels
   * @param features raw features or a PCA projection
   */
  public record DatasetSpec(String name, String path, String format, String labelCol,
      String featuresCol, Integer sample, Integer k, PcaFeatures.Spec features) {}

  /**
   * Hyper-parameter tuning: per method, a grid of param values fitted once each with a seed that
   * is not reported.
   *
   * @param grids per method, param name to its values (as text) in file order
   * @param seed the tuning seed
   * @param budget grid points per tuned method, or null when every grid must have the same size
   * @param metric acc, nmi or ari: the criterion
   * @param sample rows of the seeded sample tuned on, or null for the whole dataset
   */
  public record Tuning(Map<String, Map<String, List<String>>> grids, long seed, Integer budget,
      String metric, Integer sample) {
    /** Number of points of {@code method}'s full grid (1 when it has none). */
    public int gridSize(String method) {
      int size = 1;
      for (List<String> v : grids.get(method).values()) {
        size *= v.size();
      }
      return size;
    }

    /** Whether {@code method} has a grid. */
    public boolean tunes(String method) {
      return !grids.get(method).isEmpty();
    }

    /** Whether any method has a grid. */
    public boolean any() {
      return grids.values().stream().anyMatch(g -> !g.isEmpty());
    }

    /**
     * The grid points {@code method} is tuned at, in row-major order of its params: every point
     * of its grid, or {@link #budget} of them drawn at random (seeded by {@link #seed} and the
     * method's name) when its grid is larger.
     */
    public List<Map<String, String>> grid(String method) {
      List<Map<String, String>> all = fullGrid(method);
      if (budget == null || all.size() <= budget) {
        return all;
      }
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, new Random(seed * 1_000_003L + method.hashCode()));
      List<Map<String, String>> points = new ArrayList<>();
      for (int i : new TreeSet<>(order.subList(0, budget))) {
        points.add(all.get(i));
      }
      return points;
    }

    /** Every point of {@code method}'s grid, in row-major order of its params. */
    public List<Map<String, String>> fullGrid(String method) {
      List<Map<String, String>> points = new ArrayList<>();
      points.add(new LinkedHashMap<>());
      for (Map.Entry<String, List<String>> e : grids.get(method).entrySet()) {
        List<Map<String, String>> next = new ArrayList<>();
        for (Map<String, String> p : points) {
          for (String v : e.getValue()) {
            Map<String, String> q = new LinkedHashMap<>(p);
            q.put(e.getKey(), v);
            next.add(q);
          }
        }
        points = next;
      }
      return points;
    }
  }

  /** Table 1 (bench em-vs-pgd): classes, block size M, λ, tolerance, repetitions, seconds. */
  public record Table1(int[] k, int block, double lambda, double tol, int reps, double budget) {}

  /** Table 5 (semi-supervised): datasets, methods, label fractions, seeds 1..N. */
  public record Semi(List<String> datasets, List<String> methods, double[] fractions,
      int seeds) {}

  /**
   * Figure 2 (noisy soft labels): training and test dataset, noise levels, seeds 1..N, and the
   * estimator params of both losses.
   */
  public record Figure2(String train, String test, double[] etas, int seeds,
      Map<String, String> params) {}
}
