package dev.ipclab.cli.top;

import dev.ipclab.demos.os.CpuTimes;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.proto.v1.PoolSnapshot;
import dev.ipclab.proto.v1.WorkerSnapshot;
import dev.ipclab.proto.v1.WorkerStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one screen of {@code ipclab top} shows: rates and percentages taken between two samples, one row per
 * process (the parent first, then the workers in pool and id order).
 *
 * @param parentPid the parent's pid
 * @param parentUptimeMs how long the parent JVM has run
 * @param transports each pool's transport, in pool order
 * @param seconds the time between the two samples the rates come from
 * @param rows the parent, then its workers
 */
public record TopFrame(long parentPid, long parentUptimeMs, List<String> transports, double seconds,
    List<Row> rows) {

  /**
   * One process. Rates are per second; a null rate or count means the process did not say (a worker that did not
   * answer its status request, or one that is not in both samples).
   *
   * @param role "parent" or "worker"
   * @param workerId the worker's id, 0 for the parent
   * @param state the WorkerState, or the kernel's state for the parent
   * @param cpuPercent CPU time used per wall time, in percent of one CPU (so up to 100 × cores)
   * @param rssKib resident memory, from /proc/pid/status
   * @param threads kernel threads, from /proc/pid/status
   * @param inFlight requests sent and not answered yet, as the parent counts them (tasks included)
   * @param statusError why a worker's own counters are missing; null when they are there
   */
  public record Row(long pid, String role, int workerId, String state, Double cpuPercent, Long rssKib,
      Integer threads, Double messagesInPerSecond, Double messagesOutPerSecond, Double bytesInPerSecond,
      Double bytesOutPerSecond, Long inFlight, Long restarts, String statusError) {}

  /** The frame from {@code before} to {@code after}; {@code before} may equal {@code after} (no rates then). */
  public static TopFrame between(TopSample before, TopSample after) {
    double seconds = (after.nanos() - before.nanos()) / 1e9;
    List<Row> rows = new ArrayList<>();
    List<String> transports = new ArrayList<>();
    long parentPid = after.snapshot().getParentPid();
    // The parent's traffic is the sum over its channels, as the parent counts it.
    long[] now = new long[5];
    long[] then = new long[5];
    List<Row> workers = new ArrayList<>();
    for (PoolSnapshot pool : after.snapshot().getPoolsList()) {
      transports.add(pool.getTransport());
      for (WorkerSnapshot w : pool.getWorkersList()) {
        add(now, w);
        WorkerSnapshot old = find(before, w.getPid());
        if (old != null) {
          add(then, old);
        }
        workers.add(worker(w, old, before, after, seconds));
      }
    }
    ProcStatus ps = after.status().get(parentPid).orElse(null);
    rows.add(new Row(parentPid, "parent", 0, ps == null ? "gone" : ps.state(), cpu(parentPid, before, after, seconds),
        ps == null ? null : ps.rssKib(), ps == null ? null : ps.threads(), rate(now[0], then[0], seconds),
        rate(now[1], then[1], seconds), rate(now[2], then[2], seconds), rate(now[3], then[3], seconds), now[4],
        0L, null));
    rows.addAll(workers);
    return new TopFrame(parentPid, after.snapshot().getParentUptimeMs(), transports, seconds, rows);
  }

  private static void add(long[] sums, WorkerSnapshot w) {
    sums[0] += w.getParentMessagesIn();
    sums[1] += w.getParentMessagesOut();
    sums[2] += w.getParentBytesIn();
    sums[3] += w.getParentBytesOut();
    sums[4] += w.getInFlight();
  }

  private static Row worker(WorkerSnapshot w, WorkerSnapshot old, TopSample before, TopSample after,
      double seconds) {
    ProcStatus ps = after.status().getOrDefault(w.getPid(), Optional.empty()).orElse(null);
    WorkerStatus s = w.hasStatus() ? w.getStatus() : null;
    WorkerStatus o = old != null && old.hasStatus() ? old.getStatus() : null;
    boolean rates = s != null && o != null;
    return new Row(w.getPid(), "worker", w.getWorkerId(), w.getState(), cpu(w.getPid(), before, after, seconds),
        ps == null ? null : ps.rssKib(), ps == null ? null : ps.threads(),
        rates ? rate(s.getFramesReceived(), o.getFramesReceived(), seconds) : null,
        rates ? rate(s.getFramesSent(), o.getFramesSent(), seconds) : null,
        rates ? rate(s.getBytesReceived(), o.getBytesReceived(), seconds) : null,
        rates ? rate(s.getBytesSent(), o.getBytesSent(), seconds) : null,
        (long) w.getInFlight(), (long) w.getRestarts(),
        w.hasStatus() ? null : w.getStatusError());
  }

  private static WorkerSnapshot find(TopSample sample, long pid) {
    for (PoolSnapshot pool : sample.snapshot().getPoolsList()) {
      for (WorkerSnapshot w : pool.getWorkersList()) {
        if (w.getPid() == pid) {
          return w;
        }
      }
    }
    return null;
  }

  private static Double cpu(long pid, TopSample before, TopSample after, double seconds) {
    Long a = before.cpuTicks().get(pid);
    Long b = after.cpuTicks().get(pid);
    if (a == null || b == null || seconds <= 0) {
      return null;
    }
    return Math.max(0, b - a) * 100.0 / CpuTimes.TICKS_PER_SECOND / seconds;
  }

  private static Double rate(long now, long then, double seconds) {
    return seconds <= 0 ? null : Math.max(0, now - then) / seconds;
  }
}
