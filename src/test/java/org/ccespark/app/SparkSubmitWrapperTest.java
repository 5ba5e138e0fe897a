package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit/spark-submit-cce} with {@code SPARK_HOME} set adds the project's
 * {@code conf/spark-defaults.conf} to the cluster's {@code spark-defaults.conf} instead of
 * replacing it: keys the cluster sets reach the application with the cluster's values, the
 * project's other keys are added, and the command line and a {@code --properties-file} of the
 * user still win.
 *
 * <p>The {@code SPARK_HOME} is real Spark 4.2 without a download: {@code jars/} links the jars of
 * this JVM's class path (Spark included), and {@code bin/spark-submit} is what Spark's own
 * {@code bin/spark-submit} and {@code bin/spark-class} come down to: Spark's launcher
 * ({@code org.apache.spark.launcher.Main}) builds the driver's command line (reading
 * {@code conf/spark-defaults.conf} as a Spark installation does), which is then run. The
 * application jar is cce-spark's classes ({@code CCE_APP_JAR}), so no Maven build runs here.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SparkSubmitWrapperTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path sparkHome;
  private Path appJar;

  @BeforeEach
  void sparkHome() throws Exception {
    sparkHome = tmp.resolve("spark-home");
    Files.createDirectories(sparkHome.resolve("jars"));
    Files.createDirectories(sparkHome.resolve("conf"));
    Files.createDirectories(sparkHome.resolve("bin"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      Path link = sparkHome.resolve("jars").resolve(p.getFileName().toString());
      if (entry.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(link)) {
        Files.createSymbolicLink(link, p.toAbsolutePath());
      }
    }
    Path submit = sparkHome.resolve("bin/spark-submit");
    Files.writeString(submit, String.join("\n",
        "#!/usr/bin/env bash",
        "# Spark's bin/spark-submit and bin/spark-class in short: the launcher builds the command.",
        "set -euo pipefail",
        "export SPARK_SCALA_VERSION=2.13",
        "cmd=()",
        "# (the launcher prints a NUL and a newline, then the command's arguments, NUL-ended)",
        "while IFS= read -r -d '' arg; do",
        "  if [ ${#cmd[@]} = 0 ]; then arg=\"${arg#$'\\n'}\"; [ -n \"$arg\" ] || continue; fi",
        "  cmd+=(\"$arg\")",
        "done < <(\"$JAVA_HOME/bin/java\""
            + " -Xmx128m -cp \"$SPARK_HOME/jars/*\" org.apache.spark.launcher.Main"
            + " org.apache.spark.deploy.SparkSubmit \"$@\"; printf '%d\\0' $?)",
        "status=\"${cmd[${#cmd[@]}-1]}\"",
        "[ \"$status\" = 0 ] || exit \"$status\"",
        "exec \"${cmd[@]:0:${#cmd[@]}-1}\"",
        ""));
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    appJar = StandaloneClusterTest.jarOfMainClasses(tmp.resolve("app.jar"));
  }

  /** JUnit would warn about each link of {@code jars/} when deleting the folder. */
  @AfterEach
  void removeLinks() throws IOException {
    try (Stream<Path> links = Files.list(sparkHome.resolve("jars"))) {
      for (Path link : links.toList()) {
        Files.deleteIfExists(link);
      }
    }
  }

  @Test
  void theClustersDefaultsReachTheApplicationAndTheProjectsFillTheRest() throws Exception {
    Files.writeString(sparkHome.resolve("conf/spark-defaults.conf"), String.join("\n",
        "# a cluster's own defaults, in the three syntaxes of a properties file",
        "spark.app.name          from-cluster-defaults",
        "spark.master=local[1]",
        "spark.ui.enabled: false",
        ""));
    Path input = tmp.resolve("points.csv");
    StringBuilder csv = new StringBuilder("x,y,label\n");
    for (int i = 0; i < 40; i++) {
      int label = i % 2;
      csv.append(label * 10 + (i % 5) * 0.1).append(',').append(label * 10 - (i % 3) * 0.1)
          .append(',').append(label).append('\n');
    }
    Files.writeString(input, csv);
    Path out = tmp.resolve("out");

    Run run = submit(List.of("--verbose", "--driver-memory", "1g", "--",
        "cluster", "--input", input.toString(), "--label-col", "label", "--k", "2",
        "--epochs", "1", "--output", out.toString()));
    assertEquals(0, run.status, run.output);

    // What the application's SparkContext saw (metrics.json's "spark").
    JsonNode spark = JSON.readTree(out.resolve("metrics.json").toFile()).get("spark");
    assertEquals("from-cluster-defaults", spark.get("appName").asText(), run.output);
    assertEquals("local[1]", spark.get("master").asText(), run.output);
    // What spark-submit gave the application (its --verbose "Spark config:").
    String config = run.output.substring(run.output.indexOf("Spark config:"));
    assertTrue(config.contains("(spark.kryo.registrator,org.ccespark.spark.KryoRegistration)"),
        run.output);
    assertTrue(config.contains("(spark.ui.enabled,false)"), run.output);
    assertTrue(config.contains("(spark.driver.memory,1g)"), run.output); // --driver-memory wins
    String added = line(run.output, "spark-submit-cce: added from conf/spark-defaults.conf:");
    assertFalse(added.contains("spark.app.name"), added);
    assertFalse(added.contains("spark.driver.memory"), added);
    assertFalse(run.output.contains("--properties-file"), run.output);
  }

  @Test
  void withoutClusterDefaultsTheProjectsApplyAndYourPropertiesFileWins() throws Exception {
    // No conf/spark-defaults.conf in SPARK_HOME: the project's settings all apply.
    Run plain = submit(List.of("--master", "local[1]", "--verbose", "--", "--help"));
    assertEquals(0, plain.status, plain.output);
    String config = plain.output.substring(plain.output.indexOf("Spark config:"));
    assertTrue(config.contains("(spark.app.name,cce-spark)"), plain.output);
    assertTrue(config.contains("(spark.driver.memory,4g)"), plain.output);

    // A cluster file, and the user's own properties file: Spark then ignores the cluster's file,
    // and the user's file wins over the project's.
    Files.writeString(sparkHome.resolve("conf/spark-defaults.conf"),
        "spark.master local[1]\nspark.app.name from-cluster-defaults\n");
    Path userProps = tmp.resolve("mine.conf");
    Files.writeString(userProps, "spark.app.name from-my-file\nspark.driver.memory 768m\n");
    Run withFile = submit(List.of("--master", "local[1]", "--properties-file",
        userProps.toString(), "--verbose", "--", "--help"));
    assertEquals(0, withFile.status, withFile.output);
    config = withFile.output.substring(withFile.output.indexOf("Spark config:"));
    assertTrue(config.contains("(spark.app.name,from-my-file)"), withFile.output);
    assertTrue(config.contains("(spark.driver.memory,768m)"), withFile.output);
    assertTrue(config.contains("(spark.kryo.registrator,org.ccespark.spark.KryoRegistration)"),
        withFile.output);
  }

  private record Run(int status, String output) {}

  private Run submit(List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of("submit", "spark-submit-cce").toAbsolutePath().toString()));
    command.addAll(args);
    Path log = tmp.resolve("submit-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("CCE_"));
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("CCE_APP_JAR", appJar.toString());
    env.put("CCE_NATIVE_JARS", "");
    env.put("CCE_SUBMIT_VERBOSE", "1");
    Process p = pb.start();
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("spark-submit-cce did not finish in 240 s:\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
    return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static String line(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no line '" + prefix + "' in:\n" + text));
  }
}
