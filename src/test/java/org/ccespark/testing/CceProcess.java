package org.ccespark.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line ({@code org.ccespark.app.Main}) in a child JVM, as {@code submit/cce} runs it:
 * Spark's JVM flags, the UI off, logging by {@code conf/log4j2.properties}, this JVM's class path,
 * {@code SPARK_LOCAL_IP=127.0.0.1} and no other {@code SPARK_*} variable nor {@code CCE_DEBUG},
 * standard input from
 * {@code /dev/null}, and standard output and error together into a log file.
 */
public final class CceProcess {
  private CceProcess() {}

  /**
   * A process builder for the command line; set its working folder or separate its error stream
   * before starting it, if needed.
   *
   * @param log where standard output and error go
   * @param jvmOptions options before the main class, such as {@code -Xmx1g} and
   *     {@code -Dspark.master=local[2]}
   * @param args the command line, e.g. {@code cluster --input ...}
   * @return the builder
   */
  public static ProcessBuilder builder(Path log, List<String> jvmOptions, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(StandaloneCluster.sparkJvmFlags());
    command.add("-Dspark.ui.enabled=false");
    command.add("-Dlog4j2.configurationFile="
        + Path.of("conf", "log4j2.properties").toAbsolutePath().toUri());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        "org.ccespark.app.Main"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_"));
    pb.environment().remove("CCE_DEBUG");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb;
  }
}
