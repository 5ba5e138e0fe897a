package org.ccespark.app;

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
}
