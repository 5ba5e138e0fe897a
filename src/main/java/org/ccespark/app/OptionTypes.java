package org.ccespark.app;

import java.util.List;
import java.util.Locale;
import org.ccespark.app.CommandLine.UsageException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The number types of the options, with the tool's messages ({@code --k expects an integer, got
 * 'x'}, {@code --seeds must be at least 1, got 0}): picocli puts the option's name in front. An
 * option names its bound with {@code converter = OptionTypes.Min1.class} and the like.
 */
final class OptionTypes {
  private OptionTypes() {}

  /** Registers the unbounded int, long and double types on a command line. */
  static void register(picocli.CommandLine cl) {
    cl.registerConverter(Integer.class, new IntAtLeast(Integer.MIN_VALUE));
    cl.registerConverter(Integer.TYPE, new IntAtLeast(Integer.MIN_VALUE));
    cl.registerConverter(Long.class, OptionTypes::parseLong);
    cl.registerConverter(Long.TYPE, OptionTypes::parseLong);
    cl.registerConverter(Double.class, new NumberAtLeast(-Double.MAX_VALUE));
    cl.registerConverter(Double.TYPE, new NumberAtLeast(-Double.MAX_VALUE));
  }

  private static Long parseLong(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("expects an integer, got '" + v + "'");
    }
  }

  /** An int of at least {@code min}; subclasses name the usual bounds for annotations. */
  static class IntAtLeast implements ITypeConverter<Integer> {
    private final int min;

    IntAtLeast(int min) {
      this.min = min;
    }

    @Override
    public Integer convert(String v) {
      int x;
      try {
        x = Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        if (v.trim().matches("[+-]?\\d+")) {
          throw new TypeConversionException("must be an integer from " + min + " to at most "
              + Integer.MAX_VALUE + ", got " + v.trim());
        }
        throw new TypeConversionException("expects an integer, got '" + v + "'");
      }
      if (x < min) {
        throw new TypeConversionException("must be at least " + min + ", got " + x);
      }
      return x;
    }
  }

  /** An int of at least 0. */
  static final class Min0 extends IntAtLeast {
    Min0() {
      super(0);
    }
  }

  /** An int of at least 1. */
  static final class Min1 extends IntAtLeast {
    Min1() {
      super(1);
    }
  }

  /** An int of at least 2. */
  static final class Min2 extends IntAtLeast {
    Min2() {
      super(2);
    }
  }

  /** A finite number of at least {@code min}. */
  static class NumberAtLeast implements ITypeConverter<Double> {
    private final double min;

    NumberAtLeast(double min) {
      this.min = min;
    }

    @Override
    public Double convert(String v) {
      double x;
      try {
        x = Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("expects a number, got '" + v + "'");
      }
      if (!(x >= min) || Double.isInfinite(x)) {
        throw new TypeConversionException("must be a finite number of at least "
            + (min == -Double.MAX_VALUE ? "-" + Double.MAX_VALUE : min) + ", got " + v);
      }
      return x;
    }
  }

  /** A finite number of at least 0. */
  static final class NonNegative extends NumberAtLeast {
    NonNegative() {
      super(0);
    }
  }

  /** A finite number greater than 0. */
  static final class Positive extends NumberAtLeast {
    Positive() {
      super(Double.MIN_VALUE);
    }
  }

  /**
   * The value, which must be one of {@code allowed} (case-insensitive), lower-cased.
   *
   * @throws UsageException naming the option otherwise
   */
  static String choice(String option, String value, List<String> allowed) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (!allowed.contains(lower)) {
      throw new UsageException(option + " must be one of " + String.join(", ", allowed)
          + ", got '" + value + "'");
    }
    return lower;
  }
}
