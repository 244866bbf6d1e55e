package dev.ipclab.demos;

import java.util.List;

/**
 * What the measurements say about a claim: it holds when every check passes, it does not when one fails, and it
 * is not applicable when the machine cannot test it (one CPU, a refused mapping), which is said instead of a false
 * verdict; an error means the demo itself broke.
 *
 * @param outcome the conclusion
 * @param checks the tests behind it, each with its tolerance; empty when not applicable
 * @param reason why the demo could not test the claim, or null
 */
public record Verdict(Outcome outcome, List<Check> checks, String reason) {

  /** The three possible conclusions. */
  public enum Outcome {
    HOLDS("holds"),
    FAILS("does not hold"),
    NOT_APPLICABLE("cannot be tested on this machine"),
    ERROR("could not be tested (the demo failed)");

    private final String words;

    Outcome(String words) {
      this.words = words;
    }

    public String words() {
      return words;
    }
  }

  public Verdict {
    checks = List.copyOf(checks);
  }

  /** Holds if every check passed; at least one check is required, since a verdict must rest on a measurement. */
  public static Verdict of(List<Check> checks) {
    if (checks.isEmpty()) {
      throw new IllegalArgumentException("a verdict needs at least one check");
    }
    boolean all = checks.stream().allMatch(Check::passed);
    return new Verdict(all ? Outcome.HOLDS : Outcome.FAILS, checks, null);
  }

  /** The premise of the demo does not hold on this machine; {@code reason} says which and what was measured. */
  public static Verdict notApplicable(String reason) {
    return new Verdict(Outcome.NOT_APPLICABLE, List.of(), reason);
  }

  /** The demo itself failed (a worker died, a tool is missing); {@code reason} says what happened. */
  public static Verdict error(String reason) {
    return new Verdict(Outcome.ERROR, List.of(), reason);
  }

  /** True, false, or null when the claim could not be tested. */
  public Boolean holds() {
    return switch (outcome) {
      case HOLDS -> true;
      case FAILS -> false;
      case NOT_APPLICABLE, ERROR -> null;
    };
  }
}
