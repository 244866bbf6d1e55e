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

  /** Checks the short form shows: the failed ones first, then the first passed ones, up to this many. */
  static final int KEY_CHECKS = 2;
  /** Commands the short form shows. */
  static final int KEY_COMMANDS = 1;

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
    String head = "━━ " + r.demo() + " " + (r.transport() != null ? "(" + r.transport() + ") " : "") + "· "
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
    List<Check> checks = detail ? v.checks() : keyChecks(v.checks());
    String shown = checks.size() < v.checks().size() ? ", " + checks.size() + " of " + v.checks().size()
        + " shown" : "";
    paragraph(out, "Verdict: ", (v.outcome() == Verdict.Outcome.HOLDS ? "✔ " : v.outcome()
        == Verdict.Outcome.FAILS ? "✘ " : "– ") + "the claim " + v.outcome().words()
        + (v.reason() != null ? ": " + v.reason() : v.outcome() == Verdict.Outcome.HOLDS
        ? " (every check passed" + shown + ")" : " (see the failed checks" + shown + ")"));
    for (Check c : checks) {
      paragraph(out, "  " + (c.passed() ? "✔" : "✘") + " ", c.name() + ": expected " + c.expected()
          + ", measured " + c.measured());
    }
    if (r.shows() != null) {
      paragraph(out, "What this shows: ", r.shows());
    }
    if (detail && !r.notes().isEmpty()) {
      for (String note : r.notes()) {
        paragraph(out, "Note: ", note);
      }
    }
    if (kept || detail) {
      out.append("Check it yourself").append(kept ? " (the processes are still up):"
          : " (add --keep to keep the processes up while you do):").append('\n');
      paragraph(out, "  processes: ", pids(r.pids()));
    } else {
      paragraph(out, "Check it yourself (with --keep), processes: ", pids(r.pids()));
    }
    List<String> commands = detail ? r.checkYourself()
        : r.checkYourself().subList(0, Math.min(KEY_COMMANDS, r.checkYourself().size()));
    for (String command : commands) {
      int comment = command.indexOf("    # ");
      if (comment > 0 && command.length() + 4 > Table.MAX_WIDTH) { // the comment goes on a line of its own
        paragraph(out, "  # ", command.substring(comment + 6));
        paragraph(out, "  $ ", command.substring(0, comment));
      } else {
        paragraph(out, "  $ ", command);
      }
    }
    return out.toString();
  }

  /** The failed checks, then the first passed ones, {@link #KEY_CHECKS} at most (all failed ones at least). */
  static List<Check> keyChecks(List<Check> checks) {
    List<Check> key = new java.util.ArrayList<>(checks.stream().filter(c -> !c.passed()).toList());
    checks.stream().filter(Check::passed).limit(Math.max(0, KEY_CHECKS - key.size())).forEach(key::add);
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

  /** At most two summary lines' worth of a reason; the demo's own block has all of it. */
  private static String shorten(String reason) {
    return reason.length() <= 80 ? reason : reason.substring(0, 79) + "…";
  }

  static String pids(Map<String, Long> pids) {
    StringJoiner all = new StringJoiner(", ");
    pids.forEach((role, pid) -> all.add(role + " " + pid));
    return all.toString();
  }

  /** One line per demo: name, verdict, time, and the first failed check or the reason. */
  public static String summary(List<DemoResult> results) {
    Table.Builder table = Table.of("Summary", "demo", "verdict", "time (s)", "detail");
    for (DemoResult r : results) {
      Verdict v = r.verdict();
      String detail = v.reason() != null ? shorten(v.reason().lines().findFirst().orElse(""))
          : v.checks().stream().filter(c -> !c.passed()).findFirst()
              .map(c -> "failed: " + c.name() + " (measured " + c.measured() + ", expected " + c.expected() + ")")
              .orElse(v.checks().size() + " checks passed");
      table.row(r.demo(), v.outcome().words(), r.elapsedMillis() / 1000.0, detail);
    }
    return table.build().render();
  }
}
