package dev.ipclab.cli;

import dev.ipclab.cli.top.TopFrame;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Draws a {@link TopFrame} as text: a header line, then a table with one row per process. */
final class TopText {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final String FORMAT = "%8s  %-8s  %-14s %6s %8s %7s %9s %9s %10s %10s %8s %8s%n";

  private TopText() {}

  static String render(TopFrame frame, String hint) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "ipclab top - parent %d, up %s, pools: %s, %s, rates over %.1f s%s%n%n",
        frame.parentPid(), uptime(frame.parentUptimeMs()), String.join(", ", frame.transports()),
        LocalTime.now().format(CLOCK), frame.seconds(), hint));
    out.append(String.format(Locale.ROOT, FORMAT, "PID", "ROLE", "STATE", "CPU%", "RSS_MIB", "THREADS",
        "MSG_IN/s", "MSG_OUT/s", "KIB_IN/s", "KIB_OUT/s", "INFLIGHT", "RESTARTS"));
    StringBuilder notes = new StringBuilder();
    for (TopFrame.Row r : frame.rows()) {
      String role = r.role().equals("parent") ? "parent" : "worker-" + r.workerId();
      out.append(String.format(Locale.ROOT, FORMAT, r.pid(), role, shorten(r.state(), 14),
          fixed(r.cpuPercent(), 1, 1), r.rssKib() == null ? "?" : fixed(r.rssKib(), 1024, 1),
          r.threads() == null ? "?" : r.threads(), fixed(r.messagesInPerSecond(), 1, 1),
          fixed(r.messagesOutPerSecond(), 1, 1), fixed(r.bytesInPerSecond(), 1024, 1),
          fixed(r.bytesOutPerSecond(), 1024, 1), r.inFlight() == null ? "?" : r.inFlight(),
          r.restarts() == null ? "?" : r.restarts()));
      if (r.statusError() != null) {
        notes.append("  ").append(role).append(" pid ").append(r.pid()).append(": no counters: ")
            .append(r.statusError()).append(System.lineSeparator());
      }
    }
    if (!notes.isEmpty()) {
      out.append(System.lineSeparator()).append(notes);
    }
    return out.toString();
  }

  private static String fixed(Number value, double divisor, int decimals) {
    return value == null ? "?" : String.format(Locale.ROOT, "%." + decimals + "f", value.doubleValue() / divisor);
  }

  private static String shorten(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "…";
  }

  private static String uptime(long ms) {
    long s = ms / 1000;
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
