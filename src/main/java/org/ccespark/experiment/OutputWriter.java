package org.ccespark.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ccespark.bench.BenchResult;
import org.ccespark.bench.EmVsPgdBenchmark;
import org.ccespark.report.Charts;
import org.ccespark.report.Figures;
import org.ccespark.report.ResultTables;
import org.ccespark.report.RunRecord;
import org.ccespark.report.Table;

/**
 * Writes an experiment's outputs from its typed results: {@code runs.csv} and {@code runs.json}
 * (Jackson), the tuning table and {@code chosen.json}, the tables and figures the configuration's
 * {@code outputs} ask for, and {@code summary.md} collecting them; prints the tables.
 */
final class OutputWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ExperimentConfig cfg;
  private final ExperimentOutput dir;
  private final PrintStream out;
  private final List<String> written = new ArrayList<>();
  private final List<String> figures = new ArrayList<>();
  private final StringBuilder summary = new StringBuilder();

  OutputWriter(ExperimentConfig cfg, ExperimentOutput dir, PrintStream out) {
    this.cfg = cfg;
    this.dir = dir;
    this.out = out;
  }

  /** {@code config.properties}: the file as read. */
  void writeConfig() {
    StringBuilder config = new StringBuilder("# " + cfg.file() + "\n");
    cfg.asMap().forEach((k, v) -> config.append(k).append('=').append(v).append('\n'));
    text("config.properties", config.toString());
  }

  /** Every other output; returns the files written, in order. */
  List<String> write(ExperimentResults results) {
    List<RunRecord> records = results.records();
    text("runs.csv", RunRecord.toTable(records).toCsv());
    json("runs.json", results.details());
    summary.append("# ").append(cfg.title()).append("\n\n");
    List<String> mainDatasets = ResultTables.distinct(records.stream()
        .filter(r -> r.phase().equals("main")).toList(), RunRecord::dataset);
    if (cfg.tuning().any()) {
      Map<String, String> chosenText = new LinkedHashMap<>();
      results.chosen().forEach((k, v) -> chosenText.put(k, EstimatorParams.text(v)));
      Table tuning = ResultTables.tuningTable(records, chosenText, cfg.tuning().metric());
      table("tuning", tuning, tuning.toCsv(), "Tuning (seed " + cfg.tuning().seed()
          + ", criterion " + cfg.tuning().metric() + ")", null);
    }
    json("chosen.json", results.chosen());
    if (cfg.outputs().contains("table2")) {
      Table t = ResultTables.table2Markdown(records, mainDatasets, cfg.methods());
      table("table2", t, ResultTables.clusteringLong(records, mainDatasets, cfg.methods())
          .toCsv(), "Table 2: clustering, mean ± std over seeds 1.." + cfg.seeds(),
          String.format("Table 2 (mean ± sample std over seeds 1..%d):", cfg.seeds()));
    }
    if (cfg.outputs().contains("table6")) {
      Table t = ResultTables.table6Markdown(records, mainDatasets);
      table("table6", t, ResultTables.clusteringLong(records, mainDatasets,
          List.of("cce-pgd", "cce")).toCsv(), "Table 6: eq. 10 (PGD) vs eq. 11 (EM), ACC",
          "Table 6 (ACC):");
    }
    if (cfg.outputs().contains("table5")) {
      Sections.Semi semi = cfg.semi();
      List<String> rows = SemiSupervisedRunner.rowsOfTable5(semi);
      Table t = ResultTables.table5Markdown(records, semi.fractions(), semi.datasets(), rows);
      table("table5", t, ResultTables.table5Long(records, semi.fractions(), semi.datasets(),
          rows).toCsv(), "Table 5: semi-supervised, accuracy on unlabelled rows",
          "Table 5 (accuracy on the unlabelled rows):");
    }
    if (cfg.outputs().contains("table1")) {
      writeTable1();
    }
    if (cfg.outputs().contains("figure1")) {
      png("figure1.png", Figures.figure1());
    }
    if (cfg.outputs().contains("figure2")) {
      writeFigure2(records);
    }
    for (String d : mainDatasets) {
      writeDatasetFigures(d, results);
    }
    if (!figures.isEmpty()) {
      summary.append("## Figures\n\n");
      for (String f : figures) {
        summary.append("![").append(f).append("](").append(f).append(")\n");
      }
    }
    text("summary.md", summary.toString());
    written.addAll(figures);
    return written;
  }

  private void writeTable1() {
    Sections.Table1 t1 = cfg.table1();
    out.printf("table1: EM vs PGD at K=%s, M=%d%n", Arrays.toString(t1.k()), t1.block());
    BenchResult<EmVsPgdBenchmark.Report> bench = Table1.run(t1);
    Table t = Table1.table(bench);
    text("table1.md", t.toMarkdown());
    text("table1.txt", bench.table());
    json("table1.json", bench.json());
    summary.append("## Table 1: EM vs PGD\n\n").append(t.toMarkdown()).append('\n');
    out.printf("%n%s", bench.table());
  }

  private void writeFigure2(List<RunRecord> records) {
    Sections.Figure2 fig = cfg.figure2();
    Table t = ResultTables.figure2Table(records, fig.etas());
    table("figure2", t, ResultTables.figure2Long(records, fig.etas()).toCsv(),
        "Figure 2: test accuracy vs label noise eta (" + fig.train() + " -> " + fig.test() + ")",
        String.format("Figure 2 (test accuracy, mean ± std over seeds 1..%d):", fig.seeds()));
    png("figure2.png", Charts.line("Figure 2: test accuracy vs label noise, trained on "
        + fig.train() + ", tested on " + fig.test(), "eta (fraction of random labels; targets"
        + " eta*u + (1-eta)*onehot)", "test accuracy", ResultTables.figure2Series(records,
        fig.etas()), 0, 1));
  }

  private void writeDatasetFigures(String d, ExperimentResults results) {
    if (cfg.outputs().contains("loss")) {
      BufferedImage loss = ExperimentFigures.loss(d, cfg.methods(), results.losses());
      if (loss != null) {
        png("loss-" + d + ".png", loss);
      }
    }
    if (cfg.outputs().contains("sizes")) {
      png("sizes-" + d + ".png", ExperimentFigures.sizes(d, cfg.methods(), results.firstFits()));
    }
    if (cfg.outputs().contains("confusion")) {
      for (String m : cfg.methods()) {
        png("confusion-" + d + "-" + m + ".png", ExperimentFigures.confusion(d, m,
            results.firstFits().get(ExperimentResults.key(d, m))));
      }
    }
  }

  /**
   * {@code NAME.md} and {@code NAME.csv}, a section of the summary and, with a caption, the table
   * printed.
   */
  private void table(String name, Table t, String csv, String heading, String printed) {
    text(name + ".md", t.toMarkdown());
    text(name + ".csv", csv);
    summary.append("## ").append(heading).append("\n\n").append(t.toMarkdown()).append('\n');
    if (printed != null) {
      out.printf("%n%s%n%s", printed, t.toMarkdown());
    }
  }

  private void text(String name, String content) {
    dir.writeText(name, content);
    written.add(name);
  }

  /** Pretty-printed JSON, as the command line's other JSON files. */
  private void json(String name, Object value) {
    try {
      text(name, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot format " + name + " as JSON", e);
    }
  }

  private void png(String name, BufferedImage image) {
    String path = "figures/" + name;
    dir.writeBytes(path, Charts.png(image));
    figures.add(path);
  }
}
