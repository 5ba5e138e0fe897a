package org.ccespark.features;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.List;
import java.util.Locale;

/**
 * DJL's PyTorch engine, set up to run offline from the libtorch of the Maven artifact
 * {@code ai.djl.pytorch:pytorch-native-cpu} on the classpath (never downloaded), and the choice of
 * device.
 *
 * <p>{@link #get} sets, unless the environment or a system property already does, the system
 * properties DJL reads: {@code PYTORCH_VERSION} and {@code PYTORCH_FLAVOR} (the bundled 2.7.1, CPU)
 * and {@code ai.djl.offline=true}, so that a missing native jar fails at once instead of trying a
 * download. It runs in whatever JVM loads a model (the driver, or an executor inside a task), so the
 * launcher needs no DJL-specific option. DJL extracts the native library once per machine into its
 * cache, {@code DJL_CACHE_DIR} (default {@code ~/.djl.ai}, or the temporary folder when the home
 * folder is not writable).
 */
public final class DjlEngine {
  /** The engine's name in DJL. */
  public static final String ENGINE = "PyTorch";
  /** The libtorch version of the native Maven artifact this project depends on. */
  public static final String PYTORCH_VERSION = "2.7.1";
  /** Accepted values of the device option. */
  public static final List<String> DEVICES = List.of("auto", "gpu", "cpu");

  /** The offline setting the user gave (environment or system property) before any set-up. */
  private static final String USER_OFFLINE = System.getenv("DJL_OFFLINE") != null
      ? System.getenv("DJL_OFFLINE") : System.getProperty("ai.djl.offline");

  private DjlEngine() {}

  /**
   * Sets DJL's defaults (see the class comment) and loads the PyTorch engine.
   *
   * @param allowDownloads whether DJL may download (nothing here needs it); when false, or
   *     when {@code DJL_OFFLINE}/{@code ai.djl.offline} is set, DJL stays offline
   * @throws IllegalStateException if the engine cannot be loaded, with what to check
   */
  public static synchronized Engine get(boolean allowDownloads) {
    defaultProperty("PYTORCH_VERSION", PYTORCH_VERSION);
    defaultProperty("PYTORCH_FLAVOR", "cpu");
    if (USER_OFFLINE == null) {
      System.setProperty("ai.djl.offline", Boolean.toString(!allowDownloads));
    }
    try {
      return Engine.getEngine(ENGINE);
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw new IllegalStateException("Cannot load DJL's PyTorch engine (" + e + "). It needs the"
          + " jars ai.djl.pytorch:pytorch-jni:" + PYTORCH_VERSION + "-0.36.0 and"
          + " ai.djl.pytorch:pytorch-native-cpu:" + PYTORCH_VERSION + ":linux-x86_64 on the"
          + " classpath of every JVM that extracts features (submit/cce and"
          + " submit/spark-submit-cce add them), or PYTORCH_LIBRARY_PATH naming a libtorch "
          + PYTORCH_VERSION + " folder.", e);
    }
  }

  /**
   * The device for {@code spec}: {@code cpu}; {@code gpu}, the first GPU DJL sees (an error if it
   * sees none); {@code auto}, the first GPU if there is one, else the CPU.
   *
   * @throws IllegalArgumentException for an unknown spec, or {@code gpu} without a GPU
   */
  public static Device device(String spec) {
    String s = spec == null ? "auto" : spec.toLowerCase(Locale.ROOT);
    if (!DEVICES.contains(s)) {
      throw new IllegalArgumentException("Device must be one of " + String.join(", ", DEVICES)
          + ", got '" + spec + "'.");
    }
    if (s.equals("cpu")) {
      return Device.cpu();
    }
    Engine engine = get(false);
    int gpus = engine.getGpuCount();
    if (gpus > 0) {
      return Device.gpu(0);
    }
    if (s.equals("gpu")) {
      throw new IllegalArgumentException("Device 'gpu' was asked for, but DJL's PyTorch engine"
          + " sees no GPU here (it needs an NVIDIA GPU with its driver and a CUDA build of"
          + " libtorch, ai.djl.pytorch:pytorch-native-cu* instead of pytorch-native-cpu); use"
          + " --device cpu or auto.");
    }
    return Device.cpu();
  }

  private static void defaultProperty(String name, String value) {
    if (System.getenv(name) == null && System.getProperty(name) == null) {
      System.setProperty(name, value);
    }
  }
}
