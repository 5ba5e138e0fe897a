package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ccespark.data.DemoData;
import org.ccespark.testing.ClusterEventsListener;
import org.ccespark.testing.SharedSpark;
import org.ccespark.testing.StandaloneCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on a real Spark standalone cluster (a Master and two Workers of one core and 1 GiB each,
 * child JVMs on 127.0.0.1, shared by the tests of this class): the {@code cluster} command is
 * submitted through {@code SparkSubmit} in another child JVM and must give the same predictions
 * (cluster assignments and probability vectors, bit for bit) as the same command run undisturbed
 * on the suite's {@code local[2]} session, which {@link StandaloneClusterTest} shows equals an
 * undisturbed cluster run.
 *
 * <ul>
 *   <li>An executor JVM is killed with SIGKILL, found by its process id, once the fit's training
 *       jobs run: with the {@code minibatch} and with the {@code fulldata} schedule.</li>
 *   <li>Executors get 512 MiB and {@code spark.memory.fraction=0.02}, about 4 MiB of storage
 *       memory each, for feature blocks of about 6 MiB per partition: the blocks must go to
 *       disk.</li>
 * </ul>
 *
 * <p>What the driver's scheduler saw comes from {@link ClusterEventsListener}. Tagged
 * {@value StandaloneClusterTest#TAG}, like {@link StandaloneClusterTest}.
 */
@Tag(StandaloneClusterTest.TAG)
class ClusterFaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The name {@code FeatureBlocks} gives its cached RDD. */
  private static final String FEATURE_BLOCKS = "cce feature blocks";
  private static final String EXECUTOR_MAIN = ".CoarseGrainedExecutorBackend";

  @TempDir
  static Path tmp;
  private static StandaloneCluster cluster;
  private static Path appJar;
  private static Path executorLog;
  private static Path digits1000;
  private static Path digits2000;
  private static boolean workersUp;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2, 1, "1g");
    SparkSession spark = SharedSpark.session();
    // 50 images of each digit in each of two Parquet files, and the whole sample.
    digits1000 = tmp.resolve("mnist-1000.parquet");
    DemoData.load(spark).where("row < 500 OR row >= 1500").select("label", "features")
        .write().parquet(digits1000.toString());
    digits2000 = tmp.resolve("mnist-2000.parquet");
    DemoData.load(spark).select("label", "features").write().parquet(digits2000.toString());
    appJar = StandaloneClusterTest.jarOfMainClasses(tmp.resolve("cce-spark-app.jar"));
    executorLog = StandaloneCluster.writeLogConfig(tmp.resolve("executor-log4j2.properties"),
        "warn");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
      assertEquals(List.of(), cluster.leftoverProcesses(), "processes left after close()");
    }
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void executorKilledDuringMinibatchFitGivesTheUndisturbedResult() throws Exception {
    // one Spark job per epoch (its rows gathered in one chunk): enough epochs to kill during them
    killExecutorDuringFit("minibatch", List.of("--epochs", "30", "--batch-size", "100"));
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void executorKilledDuringFullDataFitGivesTheUndisturbedResult() throws Exception {
    // Killed during the first epoch's EM, whose iterates are kept on the executors
    killExecutorDuringFit("fulldata", List.of("--schedule", "fulldata", "--epochs", "2",
        "--em-max-iter", "15", "--em-tol", "1e-12", "--batch-size", "250"));
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void featureBlocksLargerThanStorageMemorySpillToDisk() throws Exception {
    String name = "small-memory";
    Path events = tmp.resolve(name + "-events.txt");
    List<String> args = clusterArgs(digits2000, List.of("--epochs", "2", "--batch-size", "250"));
    Path localOut = runLocally(name, args);
    Process driver = submit(name, events, List.of("spark.executor.memory=512m",
        "spark.memory.fraction=0.02"), args);
    awaitSuccess(driver);
    assertSamePredictions(localOut, tmp.resolve(name + "-cluster"));

    List<String> lines = Files.readAllLines(events);
    String blocksRdd = "rdd_" + rddId(lines, FEATURE_BLOCKS) + "_";
    // Every partition's feature block was stored on disk, never in memory.
    Set<String> onDisk = new TreeSet<>();
    List<String> sizes = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split(" ");
      if (f[0].equals("block") && f[2].startsWith(blocksRdd)) {
        assertEquals("0", f[3], "feature block kept in memory: " + line);
        if (Long.parseLong(f[4]) > 0) {
          onDisk.add(f[2]);
          sizes.add(f[2] + " on executor " + f[1] + ": " + f[4] + " bytes on disk");
        }
      }
    }
    assertEquals(Set.of(blocksRdd + "0", blocksRdd + "1"), onDisk, "feature blocks on disk");
    System.out.println("small-memory: " + String.join("; ", sizes));
  }

  /**
   * Submits {@code cluster} on 1,000 digits, kills an executor with SIGKILL once three training
   * jobs are done, and checks that the fit went on after the kill, recomputed the lost feature
   * block on another executor and gave the predictions of an undisturbed run.
   */
  private static void killExecutorDuringFit(String name, List<String> options) throws Exception {
    Path events = tmp.resolve(name + "-events.txt");
    List<String> args = clusterArgs(digits1000, options);
    Path localOut = runLocally(name, args);
    Process driver = submit(name, events, List.of(), args);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (trainerStages(events) < 3) {
      assertTrue(driver.isAlive(), "the job ended before any executor was killed\n"
          + cluster.logTails());
      assertTrue(System.nanoTime() < deadline, "no training job ran\n" + cluster.logTails());
      Thread.sleep(20);
    }
    String appId = Files.readAllLines(events).stream().filter(l -> l.startsWith("app "))
        .map(l -> l.substring(4)).findFirst().orElseThrow();
    ProcessHandle victim = executors(appId).stream().findFirst()
        .orElseThrow(() -> new AssertionError("no executor process of " + appId));
    String victimId = argumentAfter(victim, "--executor-id");
    int stagesBefore = trainerStages(events);
    int linesBefore = Files.readAllLines(events).size();
    assertTrue(victim.destroyForcibly(), "SIGKILL sent to executor " + victimId);
    victim.onExit().get(30, TimeUnit.SECONDS);
    long killedAt = System.nanoTime();

    awaitSuccess(driver);
    double recoverySeconds = (System.nanoTime() - killedAt) / 1e9;
    List<String> lines = Files.readAllLines(events);
    int stagesAfter = trainerStages(events) - stagesBefore;
    assertTrue(stagesAfter > 3, "training jobs after the kill: " + stagesAfter);
    Optional<String> removed = lines.stream()
        .filter(l -> l.startsWith("executor-removed " + victimId + " ")).findFirst();
    assertTrue(removed.isPresent(), "the driver saw executor " + victimId + " go");
    // The killed executor's feature block was computed again, on another executor.
    String blocksRdd = "rdd_" + rddId(lines, FEATURE_BLOCKS) + "_";
    Set<String> lost = new TreeSet<>();
    Set<String> recomputed = new TreeSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String[] f = lines.get(i).split(" ");
      if (f[0].equals("block") && f[2].startsWith(blocksRdd)
          && Long.parseLong(f[3]) + Long.parseLong(f[4]) > 0) {
        if (i < linesBefore && f[1].equals(victimId)) {
          lost.add(f[2]);
        } else if (i >= linesBefore) {
          recomputed.add(f[2]);
        }
      }
    }
    assertFalse(lost.isEmpty(), "executor " + victimId + " held a feature block");
    assertTrue(recomputed.containsAll(lost), "lost " + lost + ", stored after the kill "
        + recomputed);
    List<String> executorsAdded = lines.stream().filter(l -> l.startsWith("executor-added "))
        .map(l -> l.substring(15)).toList();
    long failedTasks = lines.stream().filter(l -> l.startsWith("task ") && l.endsWith(" false"))
        .count();

    assertSamePredictions(localOut, tmp.resolve(name + "-cluster"));
    System.out.printf("%s: killed executor %s (pid %d) after %d training jobs; %s; %d training"
        + " jobs after, %d failed tasks, executors %s; job done %.1f s after the kill%n", name,
        victimId, victim.pid(), stagesBefore, removed.get(), stagesAfter, failedTasks,
        executorsAdded, recoverySeconds);
  }

  /** The {@code cluster} command line of a test: k = 10, seed 11, 2 partitions, and more. */
  private static List<String> clusterArgs(Path input, List<String> options) {
    List<String> args = new ArrayList<>(List.of("cluster", "--input", input.toString(),
        "--label-col", "label", "--k", "10", "--partitions", "2", "--seed", "11"));
    args.addAll(options);
    return args;
  }

  /** Runs the command on the suite's {@code local[2]} session; returns its output folder. */
  private static Path runLocally(String name, List<String> args) {
    Path out = tmp.resolve(name + "-local");
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--output", out.toString()));
    SharedSpark.session();
    InProcess.Outcome run = InProcess.run(all.toArray(new String[0]));
    assertEquals(Main.OK, run.status(), run.err());
    return out;
  }

  /**
   * Submits the command to the cluster ({@code <name>-cluster} as output), with two executors of
   * one core, recording events to {@code events}.
   */
  private static Process submit(String name, Path events, List<String> conf, List<String> args)
      throws Exception {
    if (!workersUp) { // once: awaitWorkers also fails on an earlier test's finished driver
      cluster.awaitWorkers(Duration.ofSeconds(240));
      workersUp = true;
    }
    List<String> submit = new ArrayList<>(List.of(
        "--master", cluster.masterUrl(),
        "--deploy-mode", "client",
        "--class", Main.class.getName(),
        "--name", "cce-spark-" + name));
    List<String> settings = new ArrayList<>(List.of(
        "spark.driver.host=127.0.0.1",
        "spark.driver.bindAddress=127.0.0.1",
        "spark.ui.enabled=false",
        "spark.executor.memory=1g",
        "spark.cores.max=2",
        "spark.scheduler.minRegisteredResourcesRatio=1.0",
        "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
        "spark.default.parallelism=2",
        "spark.sql.shuffle.partitions=2",
        "spark.sql.warehouse.dir=" + tmp.resolve("warehouse"),
        "spark.extraListeners=" + ClusterEventsListener.class.getName(),
        ClusterEventsListener.FILE_CONF + "=" + events,
        "spark.executor.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
            + " -Dlog4j2.configurationFile=" + executorLog.toUri()));
    settings.addAll(conf); // later settings win
    for (String s : settings) {
      submit.addAll(List.of("--conf", s));
    }
    submit.add(appJar.toString());
    submit.addAll(args);
    submit.addAll(List.of("--output", tmp.resolve(name + "-cluster").toString()));
    return cluster.launch("spark-submit-" + name,
        List.of("-Xmx1g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
        "org.apache.spark.deploy.SparkSubmit", submit);
  }

  private static void awaitSuccess(Process driver) throws InterruptedException {
    boolean finished = driver.waitFor(400, TimeUnit.SECONDS);
    assertTrue(finished, "spark-submit did not finish in 400 s\n" + cluster.logTails());
    assertEquals(0, driver.exitValue(), "spark-submit failed\n" + cluster.logTails());
  }

  /**
   * The same {@code predictions.csv}, the same probability vectors (bit for bit) and the same
   * loss per epoch and model parameters in both output folders.
   */
  private static void assertSamePredictions(Path local, Path remote) throws Exception {
    assertEquals(List.of(), StandaloneClusterTest.differences(
        Files.readAllLines(local.resolve("predictions.csv")),
        Files.readAllLines(remote.resolve("predictions.csv"))),
        "lines of predictions.csv that differ (local | cluster)");
    SparkSession spark = SharedSpark.session();
    List<Row> a = spark.read().parquet(local.resolve("predictions").toString())
        .select("row", "probability").orderBy("row").collectAsList();
    List<Row> b = spark.read().parquet(remote.resolve("predictions").toString())
        .select("row", "probability").orderBy("row").collectAsList();
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i), b.get(i), "row " + a.get(i).get(0));
    }
    JsonNode x = JSON.readTree(local.resolve("metrics.json").toFile());
    JsonNode y = JSON.readTree(remote.resolve("metrics.json").toFile());
    assertEquals(x.get("lossPerEpoch"), y.get("lossPerEpoch"));
    assertEquals(x.get("clusterSizes"), y.get("clusterSizes"));
    assertEquals(cluster.masterUrl(), y.at("/spark/master").asText());
  }

  /** Completed stages of the trainer's jobs (one per optimiser step or EM pass). */
  private static int trainerStages(Path events) throws Exception {
    if (!Files.exists(events)) {
      return 0;
    }
    return (int) Files.readAllLines(events).stream()
        .filter(l -> l.startsWith("stage ") && (l.contains("SelfLabelTrainer.java")
            || l.contains("BatchChunk.java"))).count();
  }

  private static int rddId(List<String> lines, String name) {
    return lines.stream().filter(l -> l.startsWith("rdd ") && l.endsWith(" " + name))
        .map(l -> Integer.parseInt(l.split(" ")[1])).findFirst()
        .orElseThrow(() -> new AssertionError("no RDD named '" + name + "' was computed"));
  }

  /** The live executor JVMs of an application on this cluster. */
  private static List<ProcessHandle> executors(String appId) {
    return cluster.leftoverProcesses().stream()
        .filter(ph -> ph.info().arguments().map(a -> Arrays.stream(a).anyMatch(s -> s.endsWith(EXECUTOR_MAIN))
            && appId.equals(argumentAfter(a, "--app-id"))).orElse(false))
        .toList();
  }

  private static String argumentAfter(ProcessHandle process, String option) {
    return argumentAfter(process.info().arguments().orElseThrow(), option);
  }

  private static String argumentAfter(String[] args, String option) {
    int i = Arrays.asList(args).indexOf(option);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : null;
  }
}
