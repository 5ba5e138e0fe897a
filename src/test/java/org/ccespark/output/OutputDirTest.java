package org.ccespark.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.ccespark.spark.ProcessOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporary folders left beside an output by killed runs: only those of the output's pattern whose
 * writer is certainly gone are removed; the folder of a live process, one without a marker and
 * anything else stay.
 */
class OutputDirTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private Path folder(String name, ProcessOwner owner) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.writeString(dir.resolve("part-00000"), "half-written");
    if (owner != null) {
      JSON.writeValue(dir.resolve(OutputDir.OWNER).toFile(), owner);
    }
    return dir;
  }

  private List<String> entries() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void removesOnlyTheStaleTemporaryFoldersOfItsOutput() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    ProcessOwner self = ProcessOwner.current();
    ProcessOwner dead = new ProcessOwner(finished.pid(), self.host(), 0);
    ProcessOwner elsewhere = new ProcessOwner(finished.pid(), self.host() + "-other", 0);
    ProcessOwner reused = new ProcessOwner(self.pid(), self.host(), self.started() - 1000);
    folder(".out.tmp-0000dead", dead);
    folder(".out.tmp-00e1e5e1", reused); // a live pid that started later than the writer
    folder(".out.tmp-0000a11e", self);
    folder(".out.tmp-00000000", null);
    folder(".out.tmp-0e15e0e1", elsewhere);
    folder(".out.tmp-notours", dead);
    folder(".other.tmp-0000dead", dead);

    try (OutputDir out = OutputDir.open(new Configuration(), tmp.resolve("out").toString(), false)) {
      List<String> left = entries();
      assertFalse(left.contains(".out.tmp-0000dead"), left.toString());
      assertFalse(left.contains(".out.tmp-00e1e5e1"), left.toString());
      assertTrue(left.containsAll(List.of(".out.tmp-0000a11e", ".out.tmp-00000000",
          ".out.tmp-0e15e0e1", ".out.tmp-notours", ".other.tmp-0000dead")), left.toString());
      Path mine = Path.of(out.root().replaceFirst("^file:", ""));
      assertEquals(self, JSON.readValue(mine.resolve(OutputDir.OWNER).toFile(),
          ProcessOwner.class));
      out.writeText("a.txt", "done");
      out.commit();
    }
    try (Stream<Path> s = Files.list(tmp.resolve("out"))) {
      assertEquals(List.of(OutputDir.MARKER, "a.txt"), s.map(p -> p.getFileName().toString())
          .sorted().toList(), "the owner marker is not part of the output; the tool's marker is");
    }
  }

  /** Runs a shell command; whether it succeeded. */
  private static boolean sh(String command) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  /**
   * An old output that {@code --overwrite} cannot delete (a file in it made immutable, or its
   * folder read-only when not root): the new output is in place, a warning names the folder left
   * aside, and the next open of the same output removes it once it can be deleted.
   */
  @Test
  void aPreviousOutputThatCannotBeDeletedIsReportedAndRemovedByTheNextRun() throws Exception {
    Path target = tmp.resolve("out");
    try (OutputDir first = OutputDir.open(new Configuration(), target.toString(), false)) {
      first.writeText("sub/a.txt", "first");
      first.commit();
    }
    Path stuck = target.resolve("sub").resolve("a.txt");
    boolean root = "root".equals(System.getProperty("user.name"));
    String lock = root ? "chattr +i '" + stuck + "'" : "chmod 555 '" + stuck.getParent() + "'";
    String unlock = root ? "chattr -i '" + stuck + "'" : "chmod 755 '" + stuck.getParent() + "'";
    org.junit.jupiter.api.Assumptions.assumeTrue(sh(lock), "cannot make a file undeletable here");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    List<String> aside;
    try {
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      try (OutputDir second = OutputDir.open(new Configuration(), target.toString(), true)) {
        second.writeText("b.txt", "second");
        second.commit();
      }
    } finally {
      System.setErr(saved);
      try (Stream<Path> s = Files.list(tmp)) {
        aside = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".out.old-"))
            .toList();
      }
      for (String a : aside) {
        sh(root ? "chattr -i '" + tmp.resolve(a).resolve("sub").resolve("a.txt") + "'"
            : "chmod 755 '" + tmp.resolve(a).resolve("sub") + "'");
      }
      sh(unlock);
    }
    assertEquals("second", Files.readString(target.resolve("b.txt")));
    assertEquals(1, aside.size(), aside.toString());
    String warning = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(warning.startsWith("warning: ") && warning.contains(aside.get(0))
        && warning.contains("delete it by hand"), warning);

    try (OutputDir third = OutputDir.open(new Configuration(), target.toString(), true)) {
      assertFalse(Files.exists(tmp.resolve(aside.get(0))), "removed by the next run");
    }
  }
}
