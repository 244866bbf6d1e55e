package dev.ipclab.cli;

import dev.ipclab.cli.inspect.Snapshot;
import dev.ipclab.cli.inspect.Snapshot.Channel;
import dev.ipclab.cli.inspect.Snapshot.ProcessInfo;
import dev.ipclab.cli.inspect.Snapshot.ThreadInfo;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** Prints a {@link Snapshot} for people: aligned tables, or a tree like {@code pstree}. */
final class InspectText {
  private static final int COMMAND_WIDTH = 60;

  private InspectText() {}

  static void table(Snapshot s, PrintStream out) {
    out.printf("ipclab parent %d (%s)%n%n", s.parentPid(), transports(s));
    out.printf("%-7s %-3s %8s %8s %-14s %9s %9s %7s  %s%n", "ROLE", "ID", "PID", "PPID", "STATE", "RSS_MIB",
        "CPU_MS", "THREADS", "COMMAND");
    for (ProcessInfo p : s.processes()) {
      out.printf(Locale.ROOT, "%-7s %-3s %8d %8d %-14s %9.1f %9d %7d  %s%n", p.role(),
          p.workerId() == null ? "-" : p.workerId(), p.pid(), p.ppid(), p.state(), p.rssKib() / 1024.0,
          p.cpuMillis(), p.threadCount(), shorten(p.commandLine()));
    }
    out.printf("%nChannels (pipes and sockets joining the parent and its workers):%n");
    for (Channel c : s.channels()) {
      out.println("  " + c.describe());
    }
    for (ProcessInfo p : s.processes()) {
      out.printf("%n%s pid %d: %d threads%n", p.label(), p.pid(), p.threads().size());
      out.printf("  %8s %-16s %-40s %-5s %10s %10s%n", "TID", "COMM", "JAVA_NAME", "STATE", "ON_CPU_MS", "RUNQ_MS");
      for (ThreadInfo t : p.threads()) {
        out.printf(Locale.ROOT, "  %8d %-16s %-40s %-5s %10.1f %10.1f%n", t.tid(), t.name(),
            t.javaName() == null ? "?" : cut(t.javaName(), 40), t.state(), t.onCpuMillis(), t.runQueueMillis());
      }
      for (String m : p.mappings()) {
        out.println("  mapped: " + m);
      }
    }
    notes(s, out);
  }

  static void tree(Snapshot s, PrintStream out) {
    List<ProcessInfo> ps = s.processes();
    for (int i = 0; i < ps.size(); i++) {
      ProcessInfo p = ps.get(i);
      boolean root = i == 0;
      boolean last = i == ps.size() - 1;
      String lead = root ? "" : last ? "└─ " : "├─ ";
      String under = root ? (ps.size() > 1 ? "│  " : "   ") : last ? "   " : "│  ";
      out.printf(Locale.ROOT, "%s%s(%d) %s, %d threads, %.1f MiB%s%n", lead, p.label(), p.pid(), p.state(),
          p.threadCount(), p.rssKib() / 1024.0, root ? " [" + transports(s) + "]" : "");
      String indent = root ? "" : under;
      List<ThreadInfo> threads = p.threads();
      for (int j = 0; j < threads.size(); j++) {
        ThreadInfo t = threads.get(j);
        String name = t.javaName() != null ? t.javaName() : t.name();
        out.printf("%s%s{%s}(%d) %s%n", indent, root && ps.size() > 1 ? "│  " : "   ", cut(name, 40), t.tid(),
            t.state());
      }
      if (!root) {
        for (Channel c : s.channels()) {
          if (c.workerPid() == p.pid()) {
            out.printf("%s   ⇄ %s%n", indent, c.describe());
          }
        }
      }
    }
    notes(s, out);
  }

  private static void notes(Snapshot s, PrintStream out) {
    for (String note : s.notes()) {
      out.println("note: " + note);
    }
  }

  private static String transports(Snapshot s) {
    return s.transports().isEmpty() ? "no live pool" : "pools: " + String.join(", ", s.transports());
  }

  private static String shorten(String command) {
    return cut(command, COMMAND_WIDTH);
  }

  private static String cut(String text, int width) {
    return text.length() <= width ? text : text.substring(0, width - 1) + "…";
  }
}
