package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.Verdict;
import dev.ipclab.demos.WebServerDemo;
import dev.ipclab.demos.evidence.WebServerEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.transport.TransportKind;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web-server demo on real workers: its verdict, and the kernel thread counts of its servers read again from
 * outside them, by this test, while they still run.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebServerIT {

  @Test
  void anEventLoopAndVirtualThreadsServeTenThousandWaitingRequestsWithTensOfThreads() throws Exception {
    try (DemoContext context = DemoRuns.context(TransportKind.PIPE)) {
      DemoResult result = DemoRuns.run(new WebServerDemo(), context);
      if (result.verdict().outcome() == Verdict.Outcome.NOT_APPLICABLE) {
        // Only with the limit it measured, named.
        assertThat(result.verdict().reason()).contains("open files");
        return;
      }
      DemoRuns.assertHolds(result);
      WebServerEvidence evidence = result.evidence(WebServerEvidence.class);
      List<WebServerEvidence.Level> levels = evidence.levels();
      // Lower levels may be skipped for time; every mode's top level is always run, and it is what is judged.
      assertThat(levels).filteredOn(l -> l.connections() == 10_000).hasSize(3);
      List<Long> servers = evidence.servers().stream().map(WebServerEvidence.Server::pid).toList();
      assertThat(evidence.servers()).extracting(WebServerEvidence.Server::mode).containsExactly(
          "one event loop (Netty)", "virtual thread per connection", "platform thread per connection");
      // From outside: the servers are this JVM's children, and the idle event-loop and virtual-thread servers
      // have tens of kernel threads, as the demo measured them under load.
      for (long pid : servers) {
        ProcStatus status = ProcStatus.read(pid).orElseThrow();
        assertThat(status.ppid()).isEqualTo(ProcessHandle.current().pid());
      }
      assertThat(ProcStatus.read(servers.get(0)).orElseThrow().threads()).isLessThan(100);
      assertThat(ProcStatus.read(servers.get(1)).orElseThrow().threads()).isLessThan(100);
      WebServerEvidence.Level top = levels.stream().filter(l -> l.mode().equals("one event loop (Netty)")
          && l.connections() == 10_000).findFirst().orElseThrow();
      assertThat(top.kernelThreads()).isLessThan(100);
      assertThat(top.fds()).as("one fd per connection, seen in /proc/<pid>/fd").isGreaterThan(9_000);
      WebServerEvidence.Level platform = levels.stream().filter(l -> l.mode()
          .equals("platform thread per connection") && l.connections() == 10_000).findFirst().orElseThrow();
      // A kernel thread per connection the platform-thread server held, counted from outside it (/proc).
      assertThat(platform.heldConnections()).isGreaterThanOrEqualTo(WebServerDemo.MIN_HELD);
      assertThat(platform.threadsPerHeld()).isGreaterThanOrEqualTo(WebServerDemo.ONE_EACH);
      assertThat(platform.kernelThreads()).isGreaterThan(top.kernelThreads() + 900);
    }
  }
}
