package dev.ipclab.demos;

import java.util.Locale;

/**
 * One test inside a verdict: what was expected, with its tolerance, against what was measured.
 *
 * @param name what is checked, e.g. "speed-up on all CPUs"
 * @param expected the expectation with its tolerance, e.g. "≥ 1.5"
 * @param measured the measured value with its unit, e.g. "1.87"
 * @param passed whether the measurement meets the expectation
 * @param isKey whether the short output shows this check: one of the few that carry the claim
 */
public record Check(String name, String expected, String measured, boolean passed, boolean isKey) {

  public Check(String name, String expected, String measured, boolean passed) {
    this(name, expected, measured, passed, false);
  }

  /** This check, marked as one the short output shows. */
  public Check asKey() {
    return new Check(name, expected, measured, passed, true);
  }

  /** {@code value ≥ min}. */
  public static Check atLeast(String name, double value, double min, String unit) {
    return new Check(name, "≥ " + format(min, unit), format(value, unit), value >= min);
  }

  /** {@code value ≤ max}. */
  public static Check atMost(String name, double value, double max, String unit) {
    return new Check(name, "≤ " + format(max, unit), format(value, unit), value <= max);
  }

  /** {@code min ≤ value ≤ max}. */
  public static Check between(String name, double value, double min, double max, String unit) {
    return new Check(name, format(min, "") + " … " + format(max, unit), format(value, unit),
        value >= min && value <= max);
  }

  /** {@code value == expected}. */
  public static Check equal(String name, Object value, Object expected) {
    return new Check(name, "= " + expected, String.valueOf(value), java.util.Objects.equals(value, expected));
  }

  /** A yes/no fact, with what was seen. */
  public static Check that(String name, boolean holds, String expected, String measured) {
    return new Check(name, expected, measured, holds);
  }

  /** A number with at most 3 significant decimals, then the unit. */
  static String format(double value, String unit) {
    String number;
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      number = Long.toString((long) value);
    } else if (Math.abs(value) >= 100) {
      number = String.format(Locale.ROOT, "%.0f", value);
    } else if (Math.abs(value) >= 10) {
      number = String.format(Locale.ROOT, "%.1f", value);
    } else {
      number = String.format(Locale.ROOT, "%.2f", value);
    }
    return unit.isEmpty() ? number : number + " " + unit;
  }
}
