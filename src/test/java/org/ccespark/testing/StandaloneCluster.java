package org.ccespark.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster for tests: one Master and N Workers, each a child JVM started
 * from this JVM's class path, bound to 127.0.0.1 on ports chosen at run time. Also launches other
 * child JVMs (such as {@code SparkSubmit}) that it then owns.
 *
 * <p>The Workers get {@code SPARK_HOME} = {@code dir/spark-home}, whose {@code jars/} holds
 * symbolic links to the class path's jars (the Workers put {@code $SPARK_HOME/jars/*} on each
 * executor's class path), and {@code SPARK_SCALA_VERSION=2.13}; each Worker's work dir
 * ({@link #workDir(int)}) receives one folder per executor it launches,
 * {@code <app-id>/<executor-id>/} with the executor's {@code stdout} and {@code stderr}.
 *
 * <p>{@link #close()} kills every child JVM, their descendants (the executors) and any process
 * whose command line names this cluster's {@code SPARK_HOME}, even when a Worker died without
 * stopping its executors. A JVM shutdown hook does the same if the test JVM exits first.
 */
public final class StandaloneCluster implements AutoCloseable {
  private static final String LOOPBACK = "127.0.0.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path sparkHome;
  private final int workers;
  private final int coresPerWorker;
  private final String memoryPerWorker;
  private final int masterPort;
  private final int masterUiPort;
  private final List<String> jvmFlags;
  private final String classPath;
  private final List<Process> processes = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::killAll, "standalone-cluster-teardown");
  private final Thread launcher;
  private volatile boolean closed;
  private volatile Throwable launchFailure;

  private StandaloneCluster(Path dir, int workers, int coresPerWorker, String memoryPerWorker)
      throws IOException {
    this.dir = dir;
    this.workers = workers;
    this.coresPerWorker = coresPerWorker;
    this.memoryPerWorker = memoryPerWorker;
    this.sparkHome = dir.resolve("spark-home");
    this.classPath = System.getProperty("java.class.path");
    this.jvmFlags = sparkJvmFlags();
    this.masterPort = freePort();
    this.masterUiPort = freePort();
    Files.createDirectories(sparkHome.resolve("jars"));
    for (String entry : classPath.split(File.pathSeparator)) {
      Path p = Path.of(entry);
      Path link = sparkHome.resolve("jars").resolve(p.getFileName().toString());
      if (entry.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(link)) {
        Files.createSymbolicLink(link, p.toAbsolutePath());
      }
    }
    writeLogConfig(dir.resolve("daemon-log4j2.properties"), "info",
        "logger.jetty.name = org.sparkproject.jetty",
        "logger.jetty.level = warn");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    launcher = new Thread(this::launchDaemons, "standalone-cluster-launcher");
    launcher.setDaemon(true);
  }

  /**
   * Starts the cluster in the background: the Master at once, the Workers as soon as the Master
   * listens. {@link #awaitWorkers(Duration)} waits until all of them are registered.
   *
   * @param dir an empty folder for {@code SPARK_HOME}, logs and work dirs
   * @param workers number of Workers
   * @param coresPerWorker cores each Worker offers
   * @param memoryPerWorker memory each Worker offers, e.g. {@code 1g}
   */
  public static StandaloneCluster start(Path dir, int workers, int coresPerWorker,
      String memoryPerWorker) throws IOException {
    StandaloneCluster cluster = new StandaloneCluster(dir, workers, coresPerWorker,
        memoryPerWorker);
    cluster.launcher.start();
    return cluster;
  }

  /** @return {@code spark://127.0.0.1:<port>} */
  public String masterUrl() {
    return "spark://" + LOOPBACK + ":" + masterPort;
  }

  /** @return the work dir of Worker {@code i} (1-based) */
  public Path workDir(int i) {
    return dir.resolve("work").resolve("worker-" + i);
  }

  /** @return this cluster's {@code SPARK_HOME} */
  public Path sparkHome() {
    return sparkHome;
  }

  /** @return Spark's JVM flags for Java 17, from {@code cce-spark-jvm.options} on the class path */
  public List<String> jvmFlags() {
    return jvmFlags;
  }

  /** @return the log file of a child JVM started under this name */
  public Path log(String name) {
    return dir.resolve(name + ".log");
  }

  private void launchDaemons() {
    try {
      List<String> daemonOptions = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC",
          "-Dlog4j2.configurationFile=" + dir.resolve("daemon-log4j2.properties").toUri());
      launch("master", daemonOptions, "org.apache.spark.deploy.master.Master",
          List.of("--host", LOOPBACK, "--port", String.valueOf(masterPort), "--webui-port",
              String.valueOf(masterUiPort)));
      // Workers that find no Master wait several seconds before they try again.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!listening(masterPort)) {
        if (closed || System.nanoTime() > deadline) {
          return;
        }
        Thread.sleep(100);
      }
      for (int i = 1; i <= workers; i++) {
        Files.createDirectories(workDir(i));
        launch("worker-" + i, daemonOptions, "org.apache.spark.deploy.worker.Worker",
            List.of("--host", LOOPBACK, "--cores", String.valueOf(coresPerWorker), "--memory",
                memoryPerWorker, "--webui-port", String.valueOf(freePort()), "--work-dir",
                workDir(i).toString(), masterUrl()));
      }
    } catch (Throwable t) {
      launchFailure = t;
    }
  }

  /**
   * Starts a child JVM with Spark's JVM flags and this JVM's class path, in this cluster's
   * environment ({@code SPARK_HOME}, {@code SPARK_SCALA_VERSION}, {@code SPARK_LOCAL_IP}), its
   * output going to {@link #log(String)}. Without a {@code -Dlog4j2.configurationFile} option it
   * logs as configured by the class path's {@code log4j2.properties}. It is killed by
   * {@link #close()}.
   *
   * @param name the log's name
   * @param jvmOptions options before the main class (heap, system properties)
   * @param mainClass the main class
   * @param args its arguments
   * @return the process
   */
  public Process launch(String name, List<String> jvmOptions, String mainClass, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.addAll(jvmOptions);
    command.add("-Dspark.master.rest.enabled=false");
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log(name).toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("PYSPARK_"));
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", LOOPBACK);
    synchronized (processes) {
      if (closed) {
        throw new IllegalStateException("cluster is closed");
      }
      Process p = pb.start();
      processes.add(p);
      return p;
    }
  }

  /**
   * Waits until the Master reports every Worker alive.
   *
   * @throws IllegalStateException with the daemons' log tails if they do not register in time
   */
  public void awaitWorkers(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI uri = URI.create("http://" + LOOPBACK + ":" + masterUiPort + "/json/");
    int alive = 0;
    while (System.nanoTime() < deadline) {
      if (launchFailure != null) {
        throw new IllegalStateException("could not start the cluster", launchFailure);
      }
      synchronized (processes) {
        for (Process p : processes) {
          if (!p.isAlive()) {
            throw new IllegalStateException("a daemon exited with " + p.exitValue() + "\n"
                + logTails());
          }
        }
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          JsonNode status = JSON.readTree(r.body());
          alive = status.path("aliveworkers").asInt(0);
          if (alive >= workers) {
            return;
          }
        }
      } catch (IOException e) {
        // The Master's UI is not up yet.
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("only " + alive + " of " + workers + " workers registered"
        + " within " + timeout + "\n" + logTails());
  }

  /** The last lines of every log of this cluster's child JVMs, for failure messages. */
  public String logTails() {
    try (Stream<Path> logs = Files.list(dir)) {
      return logs.filter(p -> p.toString().endsWith(".log")).sorted()
          .map(p -> "--- " + p.getFileName() + "\n" + tail(p, 40))
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "(no logs: " + e + ")";
    }
  }

  /** The last {@code n} lines of a text file, or a note why there are none. */
  public static String tail(Path file, int n) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** Processes still alive whose command line names this cluster's {@code SPARK_HOME}. */
  public List<ProcessHandle> leftoverProcesses() {
    String marker = sparkHome.toString();
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(ph -> ph.pid() != self && ph.isAlive())
        .filter(ph -> ph.info().commandLine().map(c -> c.contains(marker)).orElse(false)
            || ph.info().arguments().map(a -> Arrays.stream(a).anyMatch(s -> s.contains(marker)))
                .orElse(false))
        .toList();
  }

  /**
   * Kills every child JVM and its descendants, then removes the links of {@code SPARK_HOME/jars}
   * (JUnit would otherwise warn about each one when it deletes the folder); idempotent.
   */
  @Override
  public void close() {
    killAll();
    try (Stream<Path> links = Files.list(sparkHome.resolve("jars"))) {
      for (Path link : links.toList()) {
        Files.deleteIfExists(link);
      }
    } catch (IOException e) {
      // Left for the temporary folder's own clean-up.
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down; the hook runs or ran killAll.
    }
  }

  private void killAll() {
    List<Process> all;
    synchronized (processes) {
      closed = true;
      all = new ArrayList<>(processes);
    }
    launcher.interrupt();
    // Descendants first noted, as they are reparented once their parent dies: the executors.
    List<ProcessHandle> handles = new ArrayList<>();
    for (Process p : all) {
      handles.addAll(p.descendants().toList());
      handles.add(p.toHandle());
    }
    handles.addAll(leftoverProcesses());
    // SIGTERM lets a Worker stop its executors itself; SIGKILL whatever is left.
    handles.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ProcessHandle h : handles) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          h.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          // Killed below.
        }
      }
    }
    handles.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : leftoverProcesses()) {
      h.destroyForcibly();
    }
    for (Process p : all) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Spark's JVM flags for Java 17, from {@code cce-spark-jvm.options} on the class path. */
  public static List<String> sparkJvmFlags() throws IOException {
    try (InputStream in = StandaloneCluster.class.getResourceAsStream("/cce-spark-jvm.options")) {
      if (in == null) {
        throw new IOException("cce-spark-jvm.options is not on the class path");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return List.of(text.split("\\s+"));
    }
  }

  /** A port on 127.0.0.1 that is free now. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(LOOPBACK, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Writes a log4j2 configuration for a child JVM ({@code -Dlog4j2.configurationFile=}): everything
   * at {@code rootLevel} to standard error, with a timestamp, then {@code loggers} (lines such as
   * {@code logger.x.name = ...}, {@code logger.x.level = ...}).
   *
   * @return {@code file}
   */
  public static Path writeLogConfig(Path file, String rootLevel, String... loggers)
      throws IOException {
    List<String> lines = new ArrayList<>(List.of(
        "rootLogger.level = " + rootLevel,
        "rootLogger.appenderRef.stderr.ref = stderr",
        "appender.stderr.type = Console",
        "appender.stderr.name = stderr",
        "appender.stderr.target = SYSTEM_ERR",
        "appender.stderr.layout.type = PatternLayout",
        "appender.stderr.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n"));
    lines.addAll(List.of(loggers));
    lines.add("");
    return Files.writeString(file, String.join("\n", lines));
  }

  /** @return the first line of the file that contains {@code text}, if any */
  public static Optional<String> firstLineContaining(Path file, String text) throws IOException {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
      return lines.filter(l -> l.contains(text)).findFirst();
    }
  }
}
