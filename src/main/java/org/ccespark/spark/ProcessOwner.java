package org.ccespark.spark;

import java.io.IOException;
import java.net.InetAddress;

/**
 * The process that wrote a marker file (the owner of an unfinished output folder or of a
 * checkpoint folder): its pid, host and start time, written as JSON, so that a later process can
 * tell whether the writer is certainly gone (a killed run) or may still be running.
 *
 * @param pid the process id
 * @param host the host name
 * @param started the process's start time, epoch milliseconds (0 if unknown)
 */
public record ProcessOwner(long pid, String host, long started) {
  /** @return this JVM */
  public static ProcessOwner current() {
    ProcessHandle self = ProcessHandle.current();
    return new ProcessOwner(self.pid(), hostName(), startMillis(self));
  }

  /** @return whether this owner is certainly not running: same host, and its pid is gone or reused */
  public boolean gone() {
    if (!host.equals(hostName())) {
      return false;
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .map(p -> started != 0 && startMillis(p) != 0 && startMillis(p) != started)
        .orElse(true);
  }

  /** @return {@code process P on H}, for messages */
  public String describe() {
    return "process " + pid + " on " + host;
  }

  private static long startMillis(ProcessHandle p) {
    return p.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
