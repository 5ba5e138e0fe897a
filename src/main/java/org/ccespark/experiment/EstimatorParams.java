package org.ccespark.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.ccespark.data.SettingException;

/** Estimator params given as text in an experiment's configuration. */
public final class EstimatorParams {
  private EstimatorParams() {}

  /**
   * Sets the param {@code name} of {@code stage} from its text.
   *
   * @param key the configuration key the value comes from, for the error message
   * @throws SettingException naming {@code key} for an unknown param or a bad value
   */
  public static void set(Params stage, String name, String raw, String key) {
    if (!stage.hasParam(name)) {
      throw new SettingException(key + ": " + stage.getClass().getSimpleName() + " has no param '"
          + name + "'");
    }
    @SuppressWarnings("unchecked")
    Param<Object> param = (Param<Object>) (Param<?>) stage.getParam(name);
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
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
          throw new NumberFormatException();
        }
        value = Boolean.parseBoolean(text);
      } else {
        value = text;
      }
    } catch (NumberFormatException e) {
      throw new SettingException(key + ": '" + raw + "' is not a valid value of " + name + " ("
          + param.doc() + ")");
    }
    try {
      stage.set(param, value);
    } catch (IllegalArgumentException e) {
      throw new SettingException(key + ": invalid value '" + raw + "' for " + name + ": "
          + param.doc());
    }
  }

  /** Params as {@code name=value;name=value}, in map order (the {@code params} of runs.csv). */
  public static String text(Map<String, String> params) {
    List<String> parts = new ArrayList<>();
    params.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(";", parts);
  }
}
