package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ccespark.app.InProcess.Outcome;
import org.ccespark.testing.CceProcess;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ccespark.output.OutputDir;

/**
 * What {@code --output} may name and what {@code --overwrite} may replace (RELIABILITY.md, "What
 * --overwrite replaces"): never the input, a folder holding it or inside it, the working folder or
 * a parent of it, a plain file, or a folder this tool did not write; each refusal is one line, exit
 * status 2, and nothing is touched. Real files; the working-folder cases run in a child JVM whose
 * working folder is a temporary one, so that a failure cannot delete this project.
 */
class OverwriteGuardTest {
  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  /** Every file below {@code dir} (relative path → content), to show nothing was touched. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    if (Files.isRegularFile(dir)) {
      files.put("", Files.readString(dir));
      return files;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString(), Files.readString(p));
      }
    }
    return files;
  }

  /** A refusal: exit 2, one {@code error:} line holding every part, nothing left beside. */
  private static void assertRefused(Outcome r, String... parts) {
    assertEquals(Main.USAGE, r.status(), r.err() + r.out());
    assertEquals(1, r.errLines().size(), "one line: " + r.err());
    String line = r.errLines().get(0);
    assertTrue(line.startsWith("error: "), line);
    for (String part : parts) {
      assertTrue(line.contains(part), "'" + part + "' in " + line);
    }
  }

  private static List<String> temporaryFolders(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".tmp-") || n.contains(".old-")).toList();
    }
  }

  private Path csv(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    List<String> lines = new ArrayList<>(List.of("a,b"));
    for (int i = 0; i < 30; i++) {
      lines.add((i % 3) * 5 + 0.01 * i + "," + (i % 2) * 0.1);
    }
    return Files.write(file, lines);
  }

  private static String[] cluster(Path input, String output, String... more) {
    List<String> args = new ArrayList<>(List.of("cluster", "--input", input.toString(), "--k",
        "3", "--epochs", "1", "--output", output));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  @Test
  void theInputItsFolderAndAFolderInsideItAreNeverTheOutput() throws IOException {
    Path project = tmp.resolve("sandbox").resolve("proj");
    Path victim = csv(project.resolve("data").resolve("victim.csv"));
    Files.writeString(project.resolve("notes.txt"), "my notes");
    Map<String, String> before = snapshot(project);

    assertRefused(InProcess.run(cluster(victim, victim.toString(), "--overwrite")),
        "--output '" + victim + "' is --input");
    assertRefused(InProcess.run(cluster(victim, project.toString(), "--overwrite")),
        "contains --input");
    assertRefused(InProcess.run(cluster(victim, project.resolve("data").toString(),
        "--overwrite")), "contains --input");
    // a glob's matches count; a folder inside the input folder, with or without --overwrite
    assertRefused(InProcess.run(cluster(project.resolve("data").resolve("*.csv"),
        project.toString(), "--overwrite")), "contains --input");
    assertRefused(InProcess.run(cluster(project.resolve("data"),
        project.resolve("data").resolve("out").toString())), "lies inside --input");
    // the same file reached through a symbolic link
    Path link = Files.createSymbolicLink(tmp.resolve("link.csv"), victim);
    assertRefused(InProcess.run(cluster(link, victim.toString(), "--overwrite")), "is --input");

    assertEquals(before, snapshot(project));
    assertEquals(List.of(), temporaryFolders(project));
    assertEquals(List.of(), temporaryFolders(project.resolve("data")));
  }

  @Test
  void onlyAFolderThisToolWroteIsReplaced() throws IOException {
    Path input = csv(tmp.resolve("in.csv"));
    Path file = Files.writeString(tmp.resolve("results.txt"), "a plain file");
    assertRefused(InProcess.run(cluster(input, file.toString(), "--overwrite")), "is a file");
    assertEquals("a plain file", Files.readString(file));

    Path foreign = Files.createDirectories(tmp.resolve("foreign"));
    Files.writeString(foreign.resolve("thesis.tex"), "keep me");
    assertRefused(InProcess.run(cluster(input, foreign.toString(), "--overwrite")),
        "is not an output folder of cce", OutputDir.MARKER);
    assertEquals(Map.of("thesis.tex", "keep me"), snapshot(foreign));

    // an output of this tool carries the marker, and --overwrite replaces it
    Path out = tmp.resolve("out");
    Outcome first = InProcess.run(cluster(input, out.toString()));
    assertEquals(Main.OK, first.status(), first.err());
    assertTrue(Files.isRegularFile(out.resolve(OutputDir.MARKER)));
    Files.writeString(out.resolve("stale.txt"), "from before");
    Outcome again = InProcess.run(cluster(input, out.toString(), "--overwrite"));
    assertEquals(Main.OK, again.status(), again.err());
    assertFalse(Files.exists(out.resolve("stale.txt")));
    assertTrue(Files.isRegularFile(out.resolve(OutputDir.MARKER)));
    assertEquals(List.of(), temporaryFolders(tmp));

    Outcome empty = InProcess.run(cluster(input, ""));
    assertRefused(empty, "--output is empty");
  }

  /** Every command with --output refuses to replace a folder it did not write. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cluster", "demo", "experiment", "convert", "extract", "train-deep",
      "bench"})
  void everyCommandWithAnOutputRefusesAForeignFolder(String command) throws IOException {
    Path victim = Files.createDirectories(tmp.resolve("victim"));
    Files.writeString(victim.resolve("keep.txt"), "keep me");
    String out = victim.toString();
    List<String> args = switch (command) {
      case "cluster" -> List.of(cluster(csv(tmp.resolve("in.csv")), out));
      case "demo" -> List.of("demo", "--seeds", "1", "--epochs", "1", "--output", out);
      case "experiment" -> List.of("experiment", "--config", Files.writeString(
          tmp.resolve("e.properties"), "datasets=demo\nmethods=kmeans\nseeds=1\noutputs=table2\n")
          .toString(), "--output", out);
      case "convert" -> List.of("convert", "--input", "demo", "--to", "parquet", "--limit", "10",
          "--output", out);
      case "extract" -> List.of("extract", "--input", "demo", "--model", "random-resnet50",
          "--mode", "driver", "--output", out);
      case "train-deep" -> List.of("train-deep", "--input", "demo", "--limit", "20", "--epochs",
          "1", "--output", out);
      default -> List.of("bench", "--only", "kernel", "--output", out);
    };
    List<String> withOverwrite = new ArrayList<>(args);
    withOverwrite.add("--overwrite");
    assertRefused(InProcess.run(withOverwrite.toArray(new String[0])),
        "is not an output folder of cce");
    assertEquals(Map.of("keep.txt", "keep me"), snapshot(victim));
    assertEquals(List.of(), temporaryFolders(tmp));
  }

  /**
   * {@code --output .} and {@code --output ..} with {@code --overwrite}, in a child JVM working in
   * {@code tmp/work/here}: refused, and the folders keep their files.
   */
  @ParameterizedTest(name = "--output {0}")
  @ValueSource(strings = {".", ".."})
  void theWorkingFolderAndItsParentsAreNeverTheOutput(String output) throws Exception {
    Path here = Files.createDirectories(tmp.resolve("work").resolve("here"));
    Path input = csv(here.resolve("data.csv"));
    Files.writeString(tmp.resolve("work").resolve("other.txt"), "keep me");
    Map<String, String> before = snapshot(tmp.resolve("work"));

    Path log = tmp.resolve("child.log");
    Process p = CceProcess.builder(log, List.of("-Xmx512m", "-Dspark.master=local[1]"),
        List.of(cluster(input, output, "--overwrite"))).directory(here.toFile()).start();
    try {
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), "did not end");
    } finally {
      p.destroyForcibly();
    }
    String text = Files.readString(log);
    assertEquals(Main.USAGE, p.exitValue(), text);
    List<String> errors = text.lines().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), text);
    assertTrue(errors.get(0).contains(output.equals(".") ? "is the working folder"
        : "is a parent of the working folder"), errors.get(0));
    assertEquals(before, snapshot(tmp.resolve("work")));
  }
}
