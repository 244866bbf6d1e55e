package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.ThreadsShareDemo;
import dev.ipclab.demos.evidence.ThreadsShareEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.transport.TransportKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The threads-share demo: its verdict, and the threads and processes behind it as /proc shows them. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ThreadsShareIT {

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void racersAreThreadsOfOneWorkerAndProcessesKeepTheirOwnCounter(TransportKind transport) throws Exception {
    try (DemoContext context = DemoRuns.context(transport)) {
      DemoResult result = DemoRuns.run(new ThreadsShareDemo(), context);
      DemoRuns.assertHolds(result);
      // The races run by time and by count: ns per addition is the column that compares them, and it is positive.
      var races = result.tables().get(result.keyTable());
      int perAddition = races.columns().indexOf("ns/addition");
      assertThat(perAddition).as(races.columns().toString()).isNotNegative();
      races.rows().subList(0, 3).forEach(row -> assertThat(((Number) row.get(perAddition)).doubleValue())
          .isPositive());
      // The last row is the processes': a counter each, none of it lost.
      assertThat(races.rows().getLast()).as(races.rows().toString()).contains("4 × 1000000", 0L);

      long worker = result.pids().get("worker-1");
      assertThat(ProcStatus.read(worker).orElseThrow().ppid()).isEqualTo(ProcessHandle.current().pid());
      ThreadsShareEvidence evidence = result.evidence(ThreadsShareEvidence.class);
      List<Long> tids = evidence.racerTids();
      assertThat(tids).hasSize(4).doesNotHaveDuplicates();
      for (long tid : tids) {
        Path task = Path.of("/proc", Long.toString(worker), "task", Long.toString(tid));
        assertThat(task).as("racer %d is a thread of worker %d", tid, worker).isDirectory();
        assertThat(Files.readString(task.resolve("comm")).trim()).startsWith("share-counter-");
        // A thread is not a process of its own: the kernel files it under the worker's thread group.
        assertThat(Files.readAllLines(task.resolve("status"))).contains("Tgid:\t" + worker);
      }
      assertThat(ProcStatus.read(worker).orElseThrow().threads()).isGreaterThan(tids.size());
      assertThat(evidence.unsynchronized().lost()).isPositive();
      assertThat(evidence.processCounters()).isEqualTo(List.of(1_000_000L, 1_000_000L, 1_000_000L, 1_000_000L));
      assertThat(result.pids()).containsKeys("parent", "worker-1", "worker-2", "worker-3", "worker-4");
    }
  }
}
