package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.DemoData;
import org.ccespark.testing.SharedSpark;
import org.ccespark.testing.StandaloneCluster;
import org.ccespark.testing.ClusterEventsListener;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cluster} command on a real Spark standalone cluster: a Master and two Workers (one
 * core, 1 GiB each) in child JVMs on 127.0.0.1, the job submitted by {@code SparkSubmit} in a
 * third child JVM ({@code --deploy-mode client}) with the application jar, on 1,000 digits of the
 * bundled MNIST sample, 2 partitions, a fixed seed. Its tasks must run in two executor JVMs (one
 * per Worker), and its predictions and metrics must equal those of the same command run in-process
 * on the suite's {@code local[2]} session. The cluster is torn down in every case.
 *
 * <p>Tagged {@value #TAG}: {@code ./mvnw test -DexcludedGroups=standalone-cluster} skips it; the
 * default {@code ./mvnw test} runs it.
 */
@Tag(StandaloneClusterTest.TAG)
class StandaloneClusterTest {
  static final String TAG = "standalone-cluster";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DAEMON_PID =
      Pattern.compile("Started daemon with process name: (\\d+)@");

  @TempDir
  Path tmp;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void clusterJobRunsInTwoExecutorJvmsAndEqualsLocalRun() throws Exception {
    long t0 = System.nanoTime();
    SparkSession spark = SharedSpark.session();
    // 50 images of each digit in each of two Parquet files.
    Path input = tmp.resolve("mnist-1000.parquet");
    DemoData.load(spark).where("row < 500 OR row >= 1500").select("label", "features")
        .write().parquet(input.toString());
    Path appJar = jarOfMainClasses(tmp.resolve("cce-spark-app.jar"));
    Path executorLog = StandaloneCluster.writeLogConfig(
        tmp.resolve("executor-log4j2.properties"), "warn",
        // "Started daemon with process name: <pid>@<host>", "Running task ..."
        "logger.executor.name = org.apache.spark.executor",
        "logger.executor.level = info");
    Path taskLog = tmp.resolve("events.txt");

    try (StandaloneCluster cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2, 1,
        "1g")) {
      // The local run, while the cluster starts.
      Path localOut = tmp.resolve("out-local");
      InProcess.Outcome localRun = InProcess.run(clusterArgs(input, localOut));
      assertEquals(Main.OK, localRun.status(), localRun.err());
      double localSeconds = (System.nanoTime() - t0) / 1e9;

      cluster.awaitWorkers(Duration.ofSeconds(120));
      double clusterUpSeconds = (System.nanoTime() - t0) / 1e9;

      Path clusterOut = tmp.resolve("out-cluster");
      List<String> submit = new ArrayList<>(List.of(
          "--master", cluster.masterUrl(),
          "--deploy-mode", "client",
          "--class", Main.class.getName(),
          "--name", "cce-spark-standalone-test",
          "--conf", "spark.driver.host=127.0.0.1",
          "--conf", "spark.driver.bindAddress=127.0.0.1",
          "--conf", "spark.ui.enabled=false",
          "--conf", "spark.executor.memory=1g",
          "--conf", "spark.cores.max=2",
          // Start only once both executors are registered, so that both get tasks.
          "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
          "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
          // As the suite's local[2] session.
          "--conf", "spark.default.parallelism=2",
          "--conf", "spark.sql.shuffle.partitions=2",
          "--conf", "spark.sql.warehouse.dir=" + tmp.resolve("warehouse"),
          "--conf", "spark.extraListeners=" + ClusterEventsListener.class.getName(),
          "--conf", ClusterEventsListener.FILE_CONF + "=" + taskLog,
          // Short-lived JVMs on two cores: the C1 compiler alone costs less CPU than C2 here
          // (and cannot change a result: Java's double arithmetic is the same in every tier).
          "--conf", "spark.executor.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
              + " -Dlog4j2.configurationFile=" + executorLog.toUri(),
          appJar.toString()));
      submit.addAll(List.of(clusterArgs(input, clusterOut)));
      Process driver = cluster.launch("spark-submit",
          List.of("-Xmx1g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
          "org.apache.spark.deploy.SparkSubmit", submit);
      boolean finished = driver.waitFor(150, TimeUnit.SECONDS);
      assertTrue(finished, "spark-submit did not finish in 150 s\n" + cluster.logTails());
      assertEquals(0, driver.exitValue(), "spark-submit failed\n" + cluster.logTails());
      double clusterJobSeconds = (System.nanoTime() - t0) / 1e9 - clusterUpSeconds;

      JsonNode local = JSON.readTree(localOut.resolve("metrics.json").toFile());
      JsonNode remote = JSON.readTree(clusterOut.resolve("metrics.json").toFile());
      assertEquals("local[2]", local.at("/spark/master").asText());
      assertEquals(cluster.masterUrl(), remote.at("/spark/master").asText());
      String appId = remote.at("/spark/applicationId").asText();

      // (a) Tasks ran in two executors, as the driver's scheduler saw it ...
      Map<String, Integer> tasksPerExecutor = new TreeMap<>();
      for (String line : Files.readAllLines(taskLog)) {
        String[] f = line.split(" ");
        if (f[0].equals("task") && f[5].equals("true")) {
          tasksPerExecutor.merge(f[1], 1, Integer::sum);
        }
      }
      assertTrue(tasksPerExecutor.size() >= 2, "executors that ran tasks: " + tasksPerExecutor);
      assertTrue(!tasksPerExecutor.containsKey("driver"), "no task ran in the driver");
      // ... which two different Workers launched as processes of their own (a Worker writes
      // <work dir>/<app id>/<executor id>/ for each executor JVM it starts) ...
      Map<String, Path> executorDirs = new TreeMap<>();
      Set<Integer> workersUsed = new HashSet<>();
      for (int w = 1; w <= 2; w++) {
        Path appDir = cluster.workDir(w).resolve(appId);
        if (Files.isDirectory(appDir)) {
          try (Stream<Path> dirs = Files.list(appDir)) {
            for (Path d : dirs.toList()) {
              executorDirs.put(d.getFileName().toString(), d);
              if (tasksPerExecutor.containsKey(d.getFileName().toString())) {
                workersUsed.add(w);
              }
            }
          }
        }
      }
      assertTrue(executorDirs.keySet().containsAll(tasksPerExecutor.keySet()),
          "executors launched by the workers for " + appId + ": " + executorDirs.keySet()
              + "; executors that ran tasks: " + tasksPerExecutor.keySet());
      assertEquals(Set.of(1, 2), workersUsed, "workers whose executors ran tasks");
      // ... and whose own logs show them running tasks, under two different process ids.
      Set<Long> pids = new HashSet<>();
      for (String id : tasksPerExecutor.keySet()) {
        Path stderr = executorDirs.get(id).resolve("stderr");
        assertTrue(StandaloneCluster.firstLineContaining(stderr, "Running task").isPresent(),
            "executor " + id + " logged no task:\n" + StandaloneCluster.tail(stderr, 30));
        String started = StandaloneCluster.firstLineContaining(stderr, "Started daemon")
            .orElseThrow(() -> new AssertionError("no process id in " + stderr));
        Matcher m = DAEMON_PID.matcher(started);
        assertTrue(m.find(), started);
        pids.add(Long.parseLong(m.group(1)));
      }
      assertEquals(tasksPerExecutor.size(), pids.size(), "executor process ids " + pids);
      assertTrue(!pids.contains(driver.pid()) && !pids.contains(ProcessHandle.current().pid()),
          "executors are neither the driver nor this JVM: " + pids);

      // (b) The same clustering as on local[2]: identical predictions, equal metrics.
      List<String> localPredictions = Files.readAllLines(localOut.resolve("predictions.csv"));
      List<String> clusterPredictions = Files.readAllLines(clusterOut.resolve("predictions.csv"));
      assertEquals(1001, localPredictions.size());
      assertEquals(List.of(), differences(localPredictions, clusterPredictions),
          "lines of predictions.csv that differ (local | cluster); metrics local " + local
              + "\ncluster " + remote);
      for (String metric : List.of("acc", "nmi", "ari")) {
        assertEquals(local.get(metric).asDouble(), remote.get(metric).asDouble(), 1e-9, metric);
      }
      for (String series : List.of("lossPerEpoch", "emIterationsPerEpoch")) {
        assertEquals(2, local.get(series).size(), series);
        assertEquals(local.get(series).size(), remote.get(series).size(), series);
        for (int i = 0; i < local.get(series).size(); i++) {
          assertEquals(local.get(series).get(i).asDouble(), remote.get(series).get(i).asDouble(),
              1e-9, series + "[" + i + "]");
        }
      }
      assertEquals(local.get("clusterSizes"), remote.get("clusterSizes"));
      assertEquals(local.get("params"), remote.get("params"));
      assertNotEquals(0.0, local.get("acc").asDouble());

      // (c) Torn down: nothing of this cluster survives close().
      cluster.close();
      assertEquals(List.of(), cluster.leftoverProcesses(), "processes left after close()");
      System.out.printf("standalone cluster test: local run done at %.1f s, cluster up at %.1f s,"
          + " cluster job %.1f s, total %.1f s; tasks per executor %s%n", localSeconds,
          clusterUpSeconds, clusterJobSeconds, (System.nanoTime() - t0) / 1e9, tasksPerExecutor);
    }
  }

  /** The lines where two files differ, as {@code line n: a | b}, at most 10 of them. */
  static List<String> differences(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < Math.max(a.size(), b.size()) && out.size() < 10; i++) {
      String x = i < a.size() ? a.get(i) : "(none)";
      String y = i < b.size() ? b.get(i) : "(none)";
      if (!x.equals(y)) {
        out.add("line " + (i + 1) + ": " + x + " | " + y);
      }
    }
    return out;
  }

  /** The command line of both runs: CCE on the digits, 2 partitions, seed 11, 2 epochs. */
  private static String[] clusterArgs(Path input, Path output) {
    return new String[] {"cluster", "--input", input.toString(), "--label-col", "label", "--k",
        "10", "--output", output.toString(), "--partitions", "2", "--seed", "11", "--epochs", "2",
        "--batch-size", "250"};
  }

  /**
   * The application jar the executors load cce-spark's classes from: everything under the folder
   * {@link Main} was loaded from ({@code target/classes}), as {@code ./mvnw package} would jar it.
   */
  static Path jarOfMainClasses(Path jar) throws Exception {
    Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(Files.isDirectory(classes), "main classes are in a folder: " + classes);
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    } catch (IOException e) {
      throw new IOException("cannot write " + jar, e);
    }
    return jar;
  }
}
