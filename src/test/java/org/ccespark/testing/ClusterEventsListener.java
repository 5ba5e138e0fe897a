package org.ccespark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.storage.BlockUpdatedInfo;
import org.apache.spark.storage.RDDInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Records, on the driver, what the scheduler saw of an application, one line per event, appended
 * to the file named by the Spark setting {@value #FILE_CONF} (read while the application runs):
 *
 * <ul>
 *   <li>{@code app <application id>}</li>
 *   <li>{@code task <executor id> <host> <stage id> <task index> <successful>} for each finished
 *       task: where it ran</li>
 *   <li>{@code stage <stage id> <attempt> <failed> <name>} for each completed stage attempt, and
 *       {@code rdd <id> <name>} for each named RDD it computed</li>
 *   <li>{@code executor-added <id>}, {@code executor-removed <id> <reason>}</li>
 *   <li>{@code block <executor id> <block id> <memory bytes> <disk bytes>} for each update of a
 *       cached RDD block (0 and 0 when it is dropped)</li>
 * </ul>
 *
 * <p>Registered with {@code --conf spark.extraListeners=} this class; it must be on the driver's
 * class path only. The scheduler's own record of which executor ran a task and where cached blocks
 * live: what the cluster tests use to show that tasks ran in more than one executor, that a killed
 * executor's work went elsewhere, and that cached blocks went to disk.
 */
public final class ClusterEventsListener extends SparkListener {
  /** The Spark setting naming the output file. */
  public static final String FILE_CONF = "spark.cce.test.eventsFile";

  private final Path file;

  /** @param conf the driver's configuration, with {@value #FILE_CONF} set */
  public ClusterEventsListener(SparkConf conf) {
    this.file = Path.of(conf.get(FILE_CONF));
  }

  @Override
  public void onApplicationStart(SparkListenerApplicationStart start) {
    write("app " + start.appId().getOrElse(() -> "?"));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    TaskInfo info = taskEnd.taskInfo();
    write("task " + info.executorId() + " " + info.host() + " " + taskEnd.stageId() + " "
        + info.index() + " " + info.successful());
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted completed) {
    StageInfo stage = completed.stageInfo();
    StringBuilder lines = new StringBuilder("stage " + stage.stageId() + " "
        + stage.attemptNumber() + " " + stage.failureReason().isDefined() + " " + stage.name());
    for (RDDInfo rdd : CollectionConverters.asJava(stage.rddInfos())) {
      if (rdd.name() != null && !rdd.name().isEmpty()) {
        lines.append("\nrdd ").append(rdd.id()).append(' ').append(rdd.name());
      }
    }
    write(lines.toString());
  }

  @Override
  public void onExecutorAdded(SparkListenerExecutorAdded added) {
    write("executor-added " + added.executorId());
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
    write("executor-removed " + removed.executorId() + " "
        + removed.reason().replaceAll("\\s+", " "));
  }

  @Override
  public void onBlockUpdated(SparkListenerBlockUpdated update) {
    BlockUpdatedInfo info = update.blockUpdatedInfo();
    if (info.blockId().isRDD()) {
      write("block " + info.blockManagerId().executorId() + " " + info.blockId().name() + " "
          + info.memSize() + " " + info.diskSize());
    }
  }

  private synchronized void write(String lines) {
    try {
      Files.writeString(file, lines + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
