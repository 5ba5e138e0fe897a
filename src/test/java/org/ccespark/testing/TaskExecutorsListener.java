package org.ccespark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Records, on the driver, where each finished task ran: one line {@code <executor id> <host>
 * <stage id> <task index> <successful>} per task, appended to the file named by the Spark setting
 * {@value #FILE_CONF}. Registered with {@code --conf spark.extraListeners=} this class; it must be
 * on the driver's class path only.
 *
 * <p>The scheduler's own record of which executor ran a task: what the integration test uses to
 * show that tasks ran in more than one executor.
 */
public final class TaskExecutorsListener extends SparkListener {
  /** The Spark setting naming the output file. */
  public static final String FILE_CONF = "spark.cce.test.taskExecutorsFile";

  private final Path file;

  /** @param conf the driver's configuration, with {@value #FILE_CONF} set */
  public TaskExecutorsListener(SparkConf conf) {
    this.file = Path.of(conf.get(FILE_CONF));
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    TaskInfo info = taskEnd.taskInfo();
    String line = info.executorId() + " " + info.host() + " " + taskEnd.stageId() + " "
        + info.index() + " " + info.successful() + "\n";
    try {
      Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
