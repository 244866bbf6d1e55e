package dev.ipclab.demos;

import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Prints a {@link DemoResult} for people: claim, prediction, measurements, verdict, then how to check it. */
public final class DemoText {
  private DemoText() {}

  /** The short form: see {@link #render(DemoResult, boolean, boolean)}. */
  public static String render(DemoResult r, boolean kept) {
    return render(r, kept, false);
  }

  /** Checks the short form shows: the failed ones first, then the demo's key ones, up to this many. */
  static final int KEY_CHECKS = 2;
  /** Commands the short form shows. */
  static final int KEY_COMMANDS = 1;
  /** What separates a command from its comment in {@link DemoResult#checkYourself()}. */
  private static final String COMMENT = "    # ";

  /**
   * Prints a result within {@link Table#MAX_WIDTH} columns. The short form has the claim, the prediction, the one
   * table that proves it, the verdict with its key checks, what the run shows in plain words, and how to check
   * it; {@code detail} adds every table, every check, the notes and every command.
   *
   * @param kept whether the processes are still up, so the commands can be run now
   * @param detail whether to print everything rather than the short form
   */
  public static String render(DemoResult r, boolean kept, boolean detail) {
    StringBuilder out = new StringBuilder();
    String head = "━━ " + r.demo() + " " + (r.transport() != null ? "(workers over " + r.transport() + ") " : "")
        + "· "
        + Check.format(r.elapsedMillis() / 1000.0, "s") + " ";
    out.append(head).append("━".repeat(Math.max(3, 78 - head.length()))).append('\n');
    paragraph(out, "Claim: ", r.claim());
    paragraph(out, "Prediction: ", r.prediction());
    List<Table> tables = detail || r.tables().isEmpty() ? r.tables()
        : List.of(r.tables().get(Math.min(r.keyTable(), r.tables().size() - 1)));
    if (detail || tables.isEmpty()) {
      out.append("Measured:").append('\n');
      for (Table t : tables) {
        paragraph(out, "  ", t.title());
        out.append(t.render());
      }
    } else {
      paragraph(out, "Measured: ", tables.get(0).title()); // the summary's last line points to --detail
      out.append(tables.get(0).render());
    }
    Verdict v = r.verdict();
    String mark = v.outcome() == Verdict.Outcome.HOLDS ? "✔ " : v.outcome() == Verdict.Outcome.FAILS ? "✘ " : "– ";
    if (v.reason() != null) {
      paragraph(out, "Verdict: ", mark + "the claim " + v.outcome().words() + ": " + v.reason());
    } else if (detail) {
      paragraph(out, "Verdict: ", mark + "the claim " + v.outcome().words() + " (" + tally(v) + ")");
      for (Check c : v.checks()) {
        paragraph(out, "  " + (c.passed() ? "✔" : "✘") + " ", c.name() + ": expected " + c.expected()
            + ", measured " + c.measured());
      }
    } else { // one paragraph: the tally, then the key checks
      List<Check> keys = keyChecks(v.checks());
      StringBuilder verdict = new StringBuilder();
      paragraph(verdict, "Verdict: ", verdictLine(v, mark, keys));
      // Two lines at most when all passed: a second key check that needs a third is left to --detail.
      if (verdict.toString().lines().count() > 2 && keys.size() > 1 && keys.get(1).passed()) {
        verdict.setLength(0);
        paragraph(verdict, "Verdict: ", verdictLine(v, mark, keys.subList(0, 1)));
      }
      out.append(verdict);
    }
    if (r.shows() != null) {
      paragraph(out, "What this shows: ", r.shows());
    }
    if (detail && !r.notes().isEmpty()) {
      for (String note : r.notes()) {
        paragraph(out, "Note: ", note);
      }
    }
    List<String> commands = detail ? r.checkYourself()
        : r.checkYourself().subList(0, Math.min(KEY_COMMANDS, r.checkYourself().size()));
    if (kept || detail) {
      out.append("Check it yourself").append(kept ? " (the processes are still up):"
          : " (add --keep to keep the processes up while you do):").append('\n');
      paragraph(out, "  processes: ", pids(r.pids()));
    } else if (!commands.isEmpty() && commands.get(0).contains(COMMENT)) { // its pid is in the command
      String command = commands.get(0);
      paragraph(out, "Check it yourself (with --keep): ", command.substring(command.indexOf(COMMENT)
          + COMMENT.length()));
      paragraph(out, "  $ ", command.substring(0, command.indexOf(COMMENT)));
      return out.toString();
    } else {
      out.append("Check it yourself (with --keep):").append('\n');
    }
    for (String command : commands) {
      int comment = command.indexOf(COMMENT);
      if (comment > 0 && command.length() + 4 > Table.MAX_WIDTH) { // the comment goes on a line of its own
        paragraph(out, "  # ", command.substring(comment + COMMENT.length()));
        paragraph(out, "  $ ", command.substring(0, comment));
      } else {
        paragraph(out, "  $ ", command);
      }
    }
    return out.toString();
  }

  private static String verdictLine(Verdict v, String mark, List<Check> keys) {
    StringJoiner key = new StringJoiner("; ");
    keys.forEach(c -> key.add((c.passed() ? "" : "✘ ") + c.name() + ": " + c.measured() + " (expected "
        + c.expected() + ")"));
    return mark + "the claim " + v.outcome().words() + " (" + tally(v) + "; key: " + key + ")";
  }

  private static String tally(Verdict v) {
    long failed = v.checks().stream().filter(c -> !c.passed()).count();
    return failed == 0 ? "all " + v.checks().size() + " checks passed"
        : failed + " of " + v.checks().size() + " checks failed";
  }

  /**
   * The failed checks, then the passed ones the demo marked key, then the first passed ones: {@link #KEY_CHECKS}
   * at most (all failed ones at least).
   */
  static List<Check> keyChecks(List<Check> checks) {
    List<Check> key = new java.util.ArrayList<>(checks.stream().filter(c -> !c.passed()).toList());
    java.util.stream.Stream.concat(checks.stream().filter(c -> c.passed() && c.isKey()),
            checks.stream().filter(c -> c.passed() && !c.isKey()))
        .limit(Math.max(0, KEY_CHECKS - key.size())).forEach(key::add);
    return key;
  }

  /** Appends {@code text} after {@code label}, wrapped within the width with a hanging indent. */
  static void paragraph(StringBuilder out, String label, String text) {
    int indent = 2; // a short hanging indent: lines stay long, so the text takes fewer of them
    String prefix = label;
    for (String part : text.split("\n")) { // a reason may quote a log's lines: each wraps on its own
      String rest = part.stripTrailing();
      while (true) {
        int width = Table.MAX_WIDTH - prefix.length();
        if (rest.length() <= width) {
          out.append(prefix).append(rest).append('\n');
          break;
        }
        int cut = rest.lastIndexOf(' ', width);
        boolean atSpace = cut > 0;
        cut = atSpace ? cut : width;
        out.append(prefix).append(rest, 0, cut).append('\n');
        rest = rest.substring(atSpace ? cut + 1 : cut);
        prefix = " ".repeat(indent);
      }
      prefix = " ".repeat(indent);
    }
  }

  /** One summary line's worth of a reason; the demo's own block has all of it. */
  private static String shorten(String reason, int width) {
    return reason.length() <= width ? reason : reason.substring(0, width - 1) + "…";
  }

  static String pids(Map<String, Long> pids) {
    StringJoiner all = new StringJoiner(", ");
    pids.forEach((role, pid) -> all.add(role + " " + pid));
    return all.toString();
  }

  /**
   * A few lines for all demos: how many hold, and for each that does not, its name and the first failed check or
   * the reason, cut to one line.
   */
  public static String summary(List<DemoResult> results) {
    StringBuilder out = new StringBuilder();
    double seconds = results.stream().mapToLong(DemoResult::elapsedMillis).sum() / 1000.0;
    Map<Verdict.Outcome, List<DemoResult>> by = new java.util.EnumMap<>(Verdict.Outcome.class);
    results.forEach(r -> by.computeIfAbsent(r.verdict().outcome(), o -> new java.util.ArrayList<>()).add(r));
    StringJoiner counts = new StringJoiner(", ");
    by.forEach((outcome, rs) -> counts.add(rs.size() + " " + switch (outcome) {
      case HOLDS -> "hold";
      case FAILS -> "do not hold";
      default -> outcome.words();
    }));
    out.append("━━ Summary: ").append(results.size()).append(" demos in ").append(Check.format(seconds, "s"))
        .append(": ").append(counts).append('\n');
    for (DemoResult r : results) {
      Verdict v = r.verdict();
      if (v.outcome() == Verdict.Outcome.HOLDS) {
        continue;
      }
      String why = v.reason() != null ? v.reason().lines().findFirst().orElse("")
          : v.checks().stream().filter(c -> !c.passed()).findFirst()
              .map(c -> "failed: " + c.name() + " (measured " + c.measured() + ", expected " + c.expected() + ")")
              .orElse("");
      String head = "  " + r.demo() + " " + v.outcome().words() + ": ";
      out.append(head).append(shorten(why, Table.MAX_WIDTH - head.length())).append('\n');
    }
    return out.toString();
  }
}
