package org.ccespark.experiment;

import java.util.List;
import org.ccespark.bench.BenchResult;
import org.ccespark.bench.EmVsPgdBenchmark;
import org.ccespark.report.Table;

/** Table 1, EM vs PGD: the {@code em-vs-pgd} benchmark at the configuration's sizes. */
final class Table1 {
  private Table1() {}

  /** Runs the benchmark. */
  static BenchResult<EmVsPgdBenchmark.Report> run(Sections.Table1 t) {
    return EmVsPgdBenchmark.run(new EmVsPgdBenchmark.Config(t.k(), t.block(), t.lambda(),
        t.tol(), 20000, 2000, 3.0, 1, 1, t.reps(), t.budget()));
  }

  /** Table 1 from the benchmark's figures. */
  static Table table(BenchResult<EmVsPgdBenchmark.Report> bench) {
    Table.Builder b = new Table.Builder(List.of("K", "solver", "loss", "step size × M",
        "iterations", "converged", "s per iteration", "s to converge"));
    int block = bench.json().settings().block();
    for (EmVsPgdBenchmark.PerK perK : bench.json().results()) {
      for (EmVsPgdBenchmark.Solver s : perK.solvers()) {
        b.add(List.of(String.valueOf(perK.k()), s.solver(), s.loss(), s.stepSize() != null
                ? String.format("%.3g", s.stepSize() * block) : "–",
            String.valueOf(s.iterations()), s.converged() ? "yes" : "no",
            String.format("%.2e", s.secondsPerIteration().median()),
            String.format("%.4f", s.secondsToConvergence().median())));
      }
    }
    return b.build();
  }
}
