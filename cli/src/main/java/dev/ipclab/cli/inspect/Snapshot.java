package dev.ipclab.cli.inspect;

import java.util.List;

/**
 * What {@code ipclab inspect} saw of one parent and its workers at one moment: one record serves the table, the
 * tree and the JSON.
 *
 * @param parentPid the inspected parent
 * @param recorded whether it has a live record in {@code $TMPDIR/ipclab-parents}
 * @param transports the transport of each of its live pools, from the record
 * @param processes the parent first, then its children in pid order
 * @param channels pipes and sockets that join two of these processes
 * @param notes what could not be seen and why (a missing tool, a jcmd timeout)
 */
public record Snapshot(long parentPid, boolean recorded, List<String> transports, List<ProcessInfo> processes,
    List<Channel> channels, List<String> notes) {

  /**
   * One process.
   *
   * @param role {@code parent} or {@code worker} from {@code -Dipclab.role=}, or {@code ?}
   * @param workerId from {@code -Dipclab.worker.id=}, or null
   * @param state the state from /proc/pid/status, e.g. {@code S (sleeping)}
   * @param cpuMillis user plus system CPU time of all its threads
   * @param threadCount {@code Threads:} of /proc/pid/status
   * @param fds its pipes and sockets
   * @param mappings mapped files of interest (shared memory under /dev/shm)
   */
  public record ProcessInfo(long pid, long ppid, String role, Integer workerId, String commandLine, String state,
      long rssKib, long cpuMillis, int threadCount, List<ThreadInfo> threads, List<FdInfo> fds,
      List<String> mappings) {

    /** {@code parent} or {@code worker-N}, the name the channels use. */
    public String label() {
      return workerId != null ? "worker-" + workerId : role;
    }
  }

  /**
   * One thread (kernel task).
   *
   * @param name its kernel name, {@code /proc/pid/task/tid/comm} (at most 15 characters)
   * @param javaName its Java name from jcmd, or null if jcmd could not tell
   * @param state the kernel state letter: R, S, D, T, Z ...
   * @param onCpuMillis time on a CPU (schedstat), or -1 if unknown
   * @param runQueueMillis time runnable but waiting for a CPU (schedstat), or -1 if unknown
   */
  public record ThreadInfo(long tid, String name, String javaName, String state, double onCpuMillis,
      double runQueueMillis) {}

  /**
   * One pipe or socket descriptor.
   *
   * @param kind {@code pipe} or {@code socket}
   * @param target the link text, e.g. {@code pipe:[48211]}
   */
  public record FdInfo(int fd, String kind, long inode, String target) {}

  /**
   * A pipe or socket joining the parent and a worker.
   *
   * @param kind {@code pipe}, {@code unix} or {@code tcp}
   * @param parentFd the parent's descriptor
   * @param parentInode the inode of the parent's end (for a pipe, both ends share it)
   * @param worker the worker's label, e.g. {@code worker-2}
   * @param workerPid the worker's pid
   * @param workerFd the worker's descriptor
   * @param workerInode the inode of the worker's end
   * @param protocol whether this channel carries the ipclab protocol (worker fd 0/1 on pipes; the connection to the
   *     parent's listening endpoint on sockets)
   * @param detail e.g. the socket path or the ports
   */
  public record Channel(String kind, int parentFd, long parentInode, String worker, long workerPid, int workerFd,
      long workerInode, boolean protocol, String detail) {

    /** {@code parent fd 12 ⇄ worker-2 fd 0, pipe:[48211]}. */
    public String describe() {
      String inode = kind.equals("pipe") ? "pipe:[" + parentInode + "]"
          : "socket:[" + parentInode + "] ⇄ socket:[" + workerInode + "]";
      return "parent fd " + parentFd + " ⇄ " + worker + " fd " + workerFd + ", " + kind + " " + inode
          + (detail.isEmpty() ? "" : " (" + detail + ")") + (protocol ? ", carries the protocol" : "");
    }
  }
}
