package dev.ipclab.demos.evidence;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What the thread-states demo measured: each thread's time on a CPU and in the run queue over a window
 * (schedstat), its kernel state letters and its Java state.
 *
 * <p>Without schedstat the demo stops before the window: then only {@code cores} and {@code tidsByRole} are
 * measured, the other components are null or empty.
 *
 * @param cores the CPUs the worker may use
 * @param windowMs the window, as measured; null without schedstat
 * @param tidsByRole the worker's threads by role ({@code cpu}, {@code lock_holder}, {@code monitor_blocked},
 *     {@code sleeping}, {@code socket_read})
 * @param javaStates the Java state seen most often, by tid
 * @param perThread each thread whose schedstat was read at both ends of the window
 * @param cpuOnCpuMs each CPU-bound thread's time on a CPU in the window
 * @param cpuRunQueueMs each CPU-bound thread's time waiting in the run queue in the window
 * @param passiveMaxOnCpuMs the most time on a CPU of any thread that blocks or sleeps; null without schedstat
 * @param cpuRShare the share of samples with state R among the CPU-bound threads; null without schedstat
 * @param passiveSShare the share of samples with state S among the others; null without schedstat
 * @param cpuThreadsStoppedAfterWindow CPU-bound threads the worker stopped after the window; null without schedstat
 * @param loadAverage1min the machine's load average over the last minute, as /proc/loadavg gives it ("?" if
 *     unreadable); null without schedstat
 */
public record ThreadStatesEvidence(int cores, Double windowMs, Map<String, List<Long>> tidsByRole,
    Map<Long, String> javaStates, List<ThreadWindow> perThread, List<Double> cpuOnCpuMs, List<Double> cpuRunQueueMs,
    Double passiveMaxOnCpuMs, @JsonProperty("cpu_r_share") Double cpuRShare,
    @JsonProperty("passive_s_share") Double passiveSShare, Integer cpuThreadsStoppedAfterWindow,
    @JsonProperty("load_average_1min") String loadAverage1min)
    implements DemoEvidence {

  /**
   * Where one thread's time went during the window.
   *
   * @param tid the thread
   * @param role its role, as in {@code tidsByRole}
   * @param onCpuMs its time on a CPU
   * @param runQueueMs its time ready, waiting in the run queue for a CPU
   */
  public record ThreadWindow(long tid, String role, double onCpuMs, double runQueueMs) {}
}
