package org.ccespark.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.selflabel.Method;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command-line options of the estimator's params ({@code --k}, {@code --lambda},
 * {@code --epochs}, ...), generated from {@link CollisionClustering}'s params: each option's help
 * is its param's doc and its default the param's default, and a value given is checked by setting
 * it on an estimator while the command line is parsed.
 */
final class CceOptions {
  /** Command-line option of each CCE param that the command line sets, in help order. */
  private static final Map<String, String> PARAMS = new LinkedHashMap<>();

  static {
    PARAMS.put("--k", "k");
    PARAMS.put("--lambda", "lambda");
    PARAMS.put("--epochs", "maxIter");
    PARAMS.put("--batch-size", "batchSize");
    PARAMS.put("--step-size", "stepSize");
    PARAMS.put("--weight-decay", "weightDecay");
    PARAMS.put("--optimizer", "optimizer");
    PARAMS.put("--momentum", "momentum");
    PARAMS.put("--em-max-iter", "emMaxIter");
    PARAMS.put("--em-tol", "emTol");
    PARAMS.put("--solver", "solver");
    PARAMS.put("--init", "init");
    PARAMS.put("--restarts", "numRestarts");
    PARAMS.put("--temperature", "temperature");
    PARAMS.put("--seed", "seed");
    PARAMS.put("--schedule", "schedule");
    PARAMS.put("--pgd-step-size", "pgdStepSize");
    PARAMS.put("--seed-label-weight", "seedLabelWeight");
    PARAMS.put("--standardization", "standardization");
  }

  /** The options given, by name, as typed (trimmed). */
  private final Map<String, String> given = new LinkedHashMap<>();
  private final List<String> names;

  private CceOptions(List<String> names) {
    this.names = List.copyOf(names);
  }

  /** @return every CCE option ({@code --k}, {@code --lambda}, ...) in help order */
  static List<String> names() {
    return List.copyOf(PARAMS.keySet());
  }

  /**
   * Adds the given CCE options to a command, after its annotated options.
   *
   * @param spec the command's specification
   * @param names options among {@link #names()}
   * @param required those of them that are required
   * @return the options, which collect the values given
   */
  static CceOptions addTo(CommandSpec spec, List<String> names, List<String> required) {
    return addTo(spec, names, required, null);
  }

  /**
   * Adds the given CCE options to a command, after its annotated option {@code after} (the
   * annotated options that follow it move after the CCE options).
   *
   * @param after an annotated option of the command, or null for after all of them
   */
  static CceOptions addTo(CommandSpec spec, List<String> names, List<String> required,
      String after) {
    List<OptionSpec> tail = new ArrayList<>();
    if (after != null) {
      List<OptionSpec> all = spec.options();
      tail.addAll(all.subList(all.indexOf(spec.findOption(after)) + 1, all.size()));
      tail.forEach(spec::remove);
    }
    CceOptions options = new CceOptions(names);
    CollisionClustering defaults = new CollisionClustering();
    for (String name : names) {
      Param<Object> param = param(defaults, name);
      String help = param.doc();
      if (name.equals("--seed")) {
        help += "; K-means uses the same seed";
      }
      String shown = name.equals("--lambda") ? lambdaDefaults()
          : show(defaults.getDefault(param).get());
      spec.addOption(OptionSpec.builder(name)
          .paramLabel(metavar(name, param))
          .description(help)
          .required(required.contains(name))
          .type(String.class)
          .converters((picocli.CommandLine.ITypeConverter<String>) raw -> {
            set(new CollisionClustering(), name, raw); // the message names the option
            return raw;
          })
          .userObject(new Help.ShownDefault(shown))
          .setter(new picocli.CommandLine.Model.ISetter() {
            @Override
            public <T> T set(T value) {
              if (value != null) {
                options.given.put(name, ((String) value).trim());
              }
              return null;
            }
          })
          .build());
    }
    tail.forEach(spec::addOption);
    return options;
  }

  /** Whether the option was given. */
  boolean has(String name) {
    return given.containsKey(name);
  }

  /**
   * A CCE estimator with the options given applied; options not given keep the estimator's
   * defaults.
   */
  CollisionClustering estimator() {
    CollisionClustering estimator = new CollisionClustering();
    for (String name : names) {
      if (given.containsKey(name)) {
        set(estimator, name, given.get(name));
      }
    }
    return estimator;
  }

  /** λ's default per method, e.g. {@code 100 for cce, cce-pgd; 25 for sela; ...}. */
  static String lambdaDefaults() {
    Map<Double, List<String>> byValue = new LinkedHashMap<>();
    for (String m : CollisionClustering.METHODS) {
      byValue.computeIfAbsent(Method.of(m).defaultLambda(), v -> new ArrayList<>()).add(m);
    }
    List<String> parts = new ArrayList<>();
    byValue.forEach((v, ms) -> parts.add(show(v) + " for " + String.join(", ", ms)));
    return String.join("; ", parts);
  }

  /**
   * Sets one CCE param from its option's text.
   *
   * @throws UsageException naming the option for a malformed or invalid value
   */
  static void set(CollisionClustering estimator, String name, String raw) {
    Param<Object> param = param(estimator, name);
    String text = raw.trim();
    Object value;
    try {
      if (param instanceof IntParam) {
        value = Integer.parseInt(text);
      } else if (param instanceof LongParam) {
        value = Long.parseLong(text);
      } else if (param instanceof DoubleParam) {
        value = Double.parseDouble(text);
      } else if (param instanceof BooleanParam) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (!lower.equals("true") && !lower.equals("false")) {
          throw new UsageException(name + " expects true or false, got '" + raw + "'");
        }
        value = Boolean.parseBoolean(lower);
      } else if (param.name().endsWith("Col")) {
        value = text; // a column name keeps its case
      } else {
        value = text.toLowerCase(Locale.ROOT);
      }
    } catch (NumberFormatException e) {
      if (!(param instanceof DoubleParam) && text.matches("[+-]?\\d+")) {
        throw new UsageException(name + " must be an integer of at most "
            + (param instanceof LongParam ? Long.MAX_VALUE : Integer.MAX_VALUE) + ", got " + text);
      }
      throw new UsageException(name + " expects " + (param instanceof DoubleParam ? "a number"
          : "an integer") + ", got '" + raw + "'");
    }
    try {
      estimator.set(param, value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid value '" + raw + "' for " + name + ": " + param.doc());
    }
  }

  @SuppressWarnings("unchecked")
  private static Param<Object> param(CollisionClustering estimator, String option) {
    String paramName = PARAMS.get(option);
    if (paramName == null) {
      throw new IllegalStateException("no CCE param for " + option);
    }
    return (Param<Object>) (Param<?>) estimator.getParam(paramName);
  }

  private static String metavar(String option, Param<?> param) {
    if (option.equals("--k")) {
      return "K";
    }
    if (option.equals("--optimizer")) {
      return String.join("|", CollisionClustering.OPTIMIZERS);
    }
    if (option.equals("--schedule")) {
      return String.join("|", CollisionClustering.SCHEDULES);
    }
    if (param instanceof BooleanParam) {
      return "true|false";
    }
    if (param.name().endsWith("Col")) {
      return "NAME";
    }
    return param instanceof DoubleParam ? "X" : "N";
  }

  /** A param value as shown in help: integral doubles without ".0", 1.0E-6 as 1e-6. */
  static String show(Object value) {
    if (value instanceof Double d) {
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString(d.longValue());
      }
      return d.toString().replace(".0E", "e").replace('E', 'e');
    }
    return String.valueOf(value);
  }
}
