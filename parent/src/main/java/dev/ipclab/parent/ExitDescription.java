package dev.ipclab.parent;

import dev.ipclab.transport.protocol.WorkerExitCodes;
import java.util.List;

/**
 * A worker's exit, decoded for people: the status, the signal behind it, whether the parent caused it, what went
 * wrong before it, and the tail of the worker's log.
 *
 * @param status the exit status as Java reports it (128 + N when killed by signal N)
 * @param deliberate whether the parent asked for this exit (shutdown, or a kill of its own)
 * @param cause what the parent saw go wrong before the exit (for example a protocol error), or null
 * @param logTail the last lines of the worker's log
 * @param oomKills processes the kernel's OOM killer ended while the worker ran ({@code oom_kill} of
 *     {@code /proc/vmstat}, counted at its start and its exit), or -1 when unknown
 */
public record ExitDescription(int status, boolean deliberate, String cause, List<String> logTail, long oomKills) {

  /** An exit with no count of the OOM killer's work. */
  public ExitDescription(int status, boolean deliberate, String cause, List<String> logTail) {
    this(status, deliberate, cause, logTail, -1);
  }

  /** The signal number if the status means "killed by a signal", else 0. */
  public int signal() {
    return status > 128 && status < 128 + 65 ? status - 128 : 0;
  }

  /** What the JVM prints as it ends itself under {@code -XX:+ExitOnOutOfMemoryError}; then it exits with 3. */
  static final String JVM_OUT_OF_MEMORY = "Terminating due to java.lang.OutOfMemoryError";

  /**
   * The JVM's own out-of-memory line if the worker ran out of Java heap and {@code -XX:+ExitOnOutOfMemoryError}
   * ended it (status 3, which the worker also uses for a protocol error: the log tells them apart), else null.
   */
  public String outOfMemory() {
    if (status != 3) {
      return null;
    }
    for (int i = logTail.size() - 1; i >= 0; i--) {
      String line = logTail.get(i);
      int at = line.indexOf(JVM_OUT_OF_MEMORY);
      if (at >= 0) {
        return line.substring(at + "Terminating due to ".length()).trim();
      }
    }
    return null;
  }

  /** Whether this exit is a crash rather than the expected end of a worker. */
  public boolean isCrash() {
    return cause != null || !deliberate;
  }

  /** One sentence: {@code exit 137 = 128 + 9 (SIGKILL): killed by SIGKILL, which ipclab did not send: ...}. */
  public String summary() {
    StringBuilder s = new StringBuilder("exit ").append(status);
    int sig = signal();
    if (sig != 0) {
      s.append(" = 128 + ").append(sig).append(" (").append(signalName(sig)).append("): ");
      if (deliberate) {
        s.append("stopped by ipclab with ").append(signalName(sig));
      } else if (sig == 9 && oomKills > 0) {
        s.append("killed by SIGKILL, which ipclab did not send; the kernel's OOM killer ended ").append(oomKills)
            .append(oomKills == 1 ? " process" : " processes").append(" while it ran (oom_kill in /proc/vmstat),"
                + " likely this one (check: dmesg | grep -i oom); give the machine or the worker more memory");
      } else if (sig == 9 && oomKills == 0) {
        s.append("killed by SIGKILL, which ipclab did not send, nor the kernel's OOM killer (its count, oom_kill"
            + " in /proc/vmstat, did not change while it ran): someone or something ran kill -9");
      } else if (sig == 9) {
        s.append("killed by SIGKILL, which ipclab did not send; probably the kernel's OOM killer"
            + " (check: dmesg | grep -i oom) or someone ran kill -9");
      } else {
        s.append("killed by ").append(signalName(sig)).append(", which ipclab did not send");
      }
    } else if (outOfMemory() != null) {
      s.append(": out of memory: the worker's Java heap ran out (").append(outOfMemory())
          .append(") and -XX:+ExitOnOutOfMemoryError ended it; give workers a larger -Xmx (WorkerPoolBuilder.jvmArgs)"
              + " or make the task use less");
    } else {
      String meaning = WorkerExitCodes.meaning(status);
      s.append(": ").append(meaning != null ? meaning : "a status the worker does not use on purpose");
    }
    if (cause != null) {
      s.append("; before that: ").append(cause);
    }
    return s.toString();
  }

  /** The summary plus the log tail, for an error message. */
  public String withLogTail(String logName) {
    if (logTail.isEmpty()) {
      return summary() + " (its log " + logName + " is empty)";
    }
    return summary() + System.lineSeparator() + "Last lines of " + logName + ":" + System.lineSeparator()
        + "  | " + String.join(System.lineSeparator() + "  | ", logTail);
  }

  /** The conventional name of a Linux signal: {@code SIGKILL} for 9. */
  public static String signalName(int signal) {
    return switch (signal) {
      case 1 -> "SIGHUP";
      case 2 -> "SIGINT";
      case 3 -> "SIGQUIT";
      case 4 -> "SIGILL";
      case 6 -> "SIGABRT";
      case 7 -> "SIGBUS";
      case 8 -> "SIGFPE";
      case 9 -> "SIGKILL";
      case 11 -> "SIGSEGV";
      case 13 -> "SIGPIPE";
      case 14 -> "SIGALRM";
      case 15 -> "SIGTERM";
      case 24 -> "SIGXCPU";
      case 25 -> "SIGXFSZ";
      default -> "signal " + signal;
    };
  }
}
