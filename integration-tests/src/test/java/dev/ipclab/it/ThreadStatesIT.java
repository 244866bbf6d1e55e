package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.ThreadStatesDemo;
import dev.ipclab.demos.evidence.ThreadStatesEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.demos.os.TaskSched;
import dev.ipclab.transport.TransportKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The thread-states demo over every transport (the tasks and the sampling travel over it while the CPU-bound
 * threads compete with the channel's own threads): its verdict, and the threads behind it as /proc shows them.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ThreadStatesIT {

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void cpuBoundThreadsWaitForACpuWhileBlockedOnesUseNone(TransportKind transport) throws Exception {
    Set<String> shmBefore = shm();
    long workerPid;
    try (DemoContext context = DemoRuns.context(transport)) {
      DemoResult result = DemoRuns.run(new ThreadStatesDemo(), context);
      DemoRuns.assertHolds(result);

      long worker = result.pids().get("worker-1");
      workerPid = worker;
      assertThat(ProcStatus.read(worker).orElseThrow().ppid()).isEqualTo(ProcessHandle.current().pid());
      Map<String, List<Long>> byRole = result.evidence(ThreadStatesEvidence.class).tidsByRole();
      assertThat(byRole.get("cpu")).hasSizeGreaterThanOrEqualTo(3);
      assertThat(byRole).containsKeys("lock_holder", "monitor_blocked", "sleeping", "socket_read");
      // The CPU-bound threads were stopped after the window: the kernel has dropped their task directories.
      for (long tid : byRole.get("cpu")) {
        // Bounded, not timed: an ending thread needs a CPU to finish exiting, and a loaded machine makes it wait.
        assertThat(Os.within(30_000, () -> !Files.exists(TaskSched.taskFile(worker, tid, "stat"))))
            .as("CPU-bound thread %d of worker %d ended", tid, worker).isTrue();
      }
      List<Long> parked = byRole.entrySet().stream().filter(e -> !e.getKey().equals("cpu"))
          .flatMap(e -> e.getValue().stream()).toList();
      Map<Long, TaskSched> before = parked.stream()
          .collect(Collectors.toMap(tid -> tid, tid -> TaskSched.read(worker, tid).orElseThrow()));
      Thread.sleep(300);
      for (long tid : parked) {
        Path task = Path.of("/proc", Long.toString(worker), "task", Long.toString(tid));
        assertThat(Files.readString(task.resolve("comm")).trim()).startsWith("state-");
        assertThat(Files.readAllLines(task.resolve("status"))).contains("Tgid:\t" + worker);
        assertThat(TaskSched.stateLetter(worker, tid)).as("state of parked thread %d", tid).isEqualTo('S');
        TaskSched delta = TaskSched.read(worker, tid).orElseThrow().minus(before.get(tid));
        assertThat(delta.onCpuNanos()).as("CPU time of parked thread %d in 300 ms", tid)
            .isLessThan(TimeUnit.MILLISECONDS.toNanos(3));
      }
      // Each socket reader holds both ends of a loopback connection.
      long sockets = Os.fdTargets(worker).stream().filter(t -> t.startsWith("socket:")).count();
      assertThat(sockets).isGreaterThanOrEqualTo(2L * byRole.get("socket_read").size());
    }
    assertThat(newShmFiles(shmBefore, workerPid)).as("/dev/shm files this run left behind").isEmpty();
  }

  /**
   * Files in /dev/shm now, not there before, whose name holds the PID of this test JVM or of a worker of the run
   * (as {@code ipclab-<pid>-...} does); other people's processes come and go there meanwhile.
   */
  static Set<String> newShmFiles(Set<String> before, long... pids) throws Exception {
    Set<String> ours = new HashSet<>();
    ours.add(Long.toString(ProcessHandle.current().pid()));
    for (long pid : pids) {
      ours.add(Long.toString(pid));
    }
    Set<String> now = new HashSet<>(shm());
    now.removeAll(before);
    now.removeIf(name -> Arrays.stream(name.split("[^A-Za-z0-9]+")).noneMatch(ours::contains));
    return now;
  }

  static Set<String> shm() throws Exception {
    Path dir = Path.of("/dev/shm");
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }
}
