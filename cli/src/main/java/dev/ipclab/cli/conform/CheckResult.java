package dev.ipclab.cli.conform;

/**
 * The verdict on one {@link ConformCheck}: what was expected, what arrived, and for a SKIPPED check why it could
 * not be judged.
 *
 * @param expected what the rule asks for, in this run's numbers
 * @param arrived what the worker did, with the numbers and their units (for a SKIPPED check, why it was skipped)
 * @param millis how long the check took, wall clock
 */
public record CheckResult(ConformCheck check, Verdict verdict, String expected, String arrived, long millis) {

  /** PASS, FAIL, or SKIPPED: not judged, because an earlier failure or a missing task kind made it impossible. */
  public enum Verdict { PASS, FAIL, SKIPPED }

  static CheckResult pass(ConformCheck check, String expected, String arrived, long millis) {
    return new CheckResult(check, Verdict.PASS, expected, arrived, millis);
  }

  static CheckResult fail(ConformCheck check, String expected, String arrived, long millis) {
    return new CheckResult(check, Verdict.FAIL, expected, arrived, millis);
  }

  static CheckResult skipped(ConformCheck check, String expected, String why) {
    return new CheckResult(check, Verdict.SKIPPED, expected, why, 0);
  }
}
