package dev.ipclab.cli;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.demos.os.ProcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One row per process of a running pool (parent first), with the kernel's view of each from /proc. */
final class ProcessTable {
  private ProcessTable() {}

  /** One process as the table shows it. */
  record Row(String role, String id, long pid, long ppid, String transport, int threads, double rssMib,
      String state, String readyMs) {}

  static List<Row> rows(WorkerPool pool) {
    List<Row> rows = new ArrayList<>();
    long parentPid = ProcessHandle.current().pid();
    ProcStatus parent = ProcStatus.read(parentPid).orElseThrow();
    rows.add(new Row("parent", "-", parentPid, parent.ppid(), pool.transport().cliName(), parent.threads(),
        parent.rssMib(), "running", "-"));
    for (PoolWorker w : pool.workers()) {
      ProcStatus s = ProcStatus.read(w.pid()).orElse(new ProcStatus(w.pid(), -1, "gone", 0, 0));
      rows.add(new Row("worker", Integer.toString(w.id()), w.pid(), s.ppid(), pool.transport().cliName(),
          s.threads(), s.rssMib(), w.state().name(), Long.toString(w.spawnToReady().toMillis())));
    }
    return rows;
  }

  static String render(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    String format = "%-7s %-3s %8s %8s %-9s %7s %9s  %-8s %s%n";
    out.append(String.format(Locale.ROOT, format, "ROLE", "ID", "PID", "PPID", "TRANSPORT", "THREADS", "RSS",
        "STATE", "SPAWN->READY ms"));
    for (Row r : rows) {
      out.append(String.format(Locale.ROOT, format, r.role(), r.id(), r.pid(), r.ppid(), r.transport(),
          r.threads(), String.format(Locale.ROOT, "%.1f MiB", r.rssMib()), r.state(), r.readyMs()));
    }
    return out.toString();
  }

  /** The OS commands that show the same processes, with this run's PIDs filled in. */
  static String hints(WorkerPool pool) {
    long parent = ProcessHandle.current().pid();
    long first = pool.workers().getFirst().pid();
    StringBuilder out = new StringBuilder("Look at them with OS tools:\n")
        .append("  pstree -p ").append(parent).append('\n')
        .append("  ps -o pid,ppid,nlwp,rss,args --ppid ").append(parent).append('\n')
        .append("  ls -l /proc/").append(first).append("/fd")
        .append(switch (pool.transport()) {
          case PIPE -> "        # fd 0 and 1 are the protocol pipes to the parent\n";
          case TCP, UDS -> "        # the socket to the parent; fd 0 is the stdin pipe it watches\n";
          case SHM -> "        # fd 0 and 1 are the doorbell pipes; the rings are a mapped file\n";
        });
    switch (pool.transport()) {
      case TCP -> out.append("  ss -tnp | grep ").append(pool.endpoint().substring(pool.endpoint().lastIndexOf(':')))
          .append('\n');
      case UDS -> out.append("  ss -xp | grep ").append(pool.endpoint()).append('\n');
      case PIPE -> out.append("  ls -l /proc/").append(parent).append("/fd | grep pipe\n");
      case SHM -> out.append("  grep ipclab- /proc/").append(first).append("/maps        # the mapped rings\n");
    }
    out.append("  jcmd ").append(first).append(" Thread.print\n")
        .append("  pgrep -af ipclab.role=worker\n")
        .append("Worker logs: ").append(pool.runDirectory())
        .append(" (removed at exit unless --keep-logs)\n");
    return out.toString();
  }
}
