package org.ccespark.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.ccespark.data.SettingException;

/**
 * Typed values of an experiment's properties file, each checked with an error that names the file
 * and the key, and the keys read so far (every other key is unknown: {@link #checkAllUsed}).
 */
final class ConfigReader {
  private final Path file;
  private final Properties props;
  private final Set<String> used = new LinkedHashSet<>();

  ConfigReader(Path file, Properties props) {
    this.file = file;
    this.props = props;
  }

  Path file() {
    return file;
  }

  boolean has(String key) {
    return props.containsKey(key);
  }

  /** The raw text of {@code key}, marked as used. */
  String raw(String key) {
    used.add(key);
    return props.getProperty(key);
  }

  /** Every key, sorted. */
  List<String> keys() {
    return new ArrayList<>(new TreeMap<>(asMap()).keySet());
  }

  /** The file's properties, sorted. */
  Map<String, String> asMap() {
    Map<String, String> out = new TreeMap<>();
    for (String key : props.stringPropertyNames()) {
      out.put(key, props.getProperty(key));
    }
    return out;
  }

  /** @throws SettingException for the first key that was never read */
  void checkAllUsed(String helpCommand) {
    for (String key : props.stringPropertyNames()) {
      if (!used.contains(key)) {
        throw error(key, "unknown key (see '" + helpCommand + "')");
      }
    }
  }

  SettingException error(String key, String message) {
    return new SettingException(file + ": " + key + " " + message);
  }

  String string(String key, String fallback) {
    used.add(key);
    String v = props.getProperty(key);
    if (v == null) {
      return fallback;
    }
    if (v.isBlank()) {
      throw error(key, "is empty");
    }
    return v.trim();
  }

  List<String> list(String key, List<String> fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    List<String> out = new ArrayList<>();
    for (String s : v.split(",")) {
      if (s.isBlank()) {
        throw error(key, "has an empty entry in '" + v + "'");
      }
      if (out.contains(s.trim())) {
        throw error(key, "lists '" + s.trim() + "' twice");
      }
      out.add(s.trim());
    }
    return out;
  }

  List<String> choices(String key, List<String> fallback, List<String> allowed) {
    List<String> out = new ArrayList<>();
    for (String v : list(key, fallback)) {
      String lower = v.toLowerCase(Locale.ROOT);
      if (!allowed.contains(lower)) {
        throw error(key, "has '" + v + "'; allowed: " + String.join(", ", allowed));
      }
      out.add(lower);
    }
    return out;
  }

  int integer(String key, int fallback, int min) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    int x;
    try {
      x = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw error(key, "expects an integer, got '" + v + "'");
    }
    if (x < min) {
      throw error(key, "must be at least " + min + ", got " + x);
    }
    return x;
  }

  /** An integer of at least {@code min} if the key is given, else null. */
  Integer optionalInteger(String key, int min) {
    return has(key) ? integer(key, 0, min) : null;
  }

  long longValue(String key, long fallback) {
    String v = string(key, null);
    try {
      return v == null ? fallback : Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw error(key, "expects an integer, got '" + v + "'");
    }
  }

  double number(String key, double fallback, double min) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    double x;
    try {
      x = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw error(key, "expects a number, got '" + v + "'");
    }
    if (!(x >= min) || Double.isInfinite(x)) {
      throw error(key, "must be a finite number of at least " + min + ", got " + v);
    }
    return x;
  }

  int[] ints(String key, int[] fallback, int min) {
    List<String> v = list(key, null);
    if (v == null) {
      return fallback;
    }
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Integer.parseInt(v.get(i));
      } catch (NumberFormatException e) {
        throw error(key, "expects integers, got '" + v.get(i) + "'");
      }
      if (out[i] < min) {
        throw error(key, "values must be at least " + min + ", got " + out[i]);
      }
    }
    return out;
  }

  /**
   * A list of numbers in the unit interval: closed [0, 1] for noise levels, open (0, 1) for label
   * fractions.
   */
  double[] unitValues(String key, double[] fallback, boolean closed) {
    List<String> v = list(key, null);
    if (v == null) {
      return fallback;
    }
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Double.parseDouble(v.get(i));
      } catch (NumberFormatException e) {
        throw error(key, "expects numbers, got '" + v.get(i) + "'");
      }
      boolean inside = closed ? out[i] >= 0 && out[i] <= 1 : out[i] > 0 && out[i] < 1;
      if (!inside) {
        throw error(key, "values must lie in " + (closed ? "[0, 1]" : "(0, 1)") + ", got "
            + v.get(i));
      }
    }
    return out;
  }
}
