package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipclab.parent.ParentRecord;
import dev.ipclab.demos.os.ProcStatus;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ipclab inspect --json} on a real running parent, checked against the OS: the process tree from
 * ProcessHandle, the descriptors in /proc/pid/fd, the thread counts in /proc/pid/status.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InspectIT {
  /** Threads come and go (JIT compiler threads, the attach listener jcmd starts) between two reads. */
  private static final int THREAD_TOLERANCE = 4;

  @ParameterizedTest
  @CsvSource({"pipe, pipe", "tcp, tcp", "uds, unix"})
  void inspectJsonShowsTheTreeThreadsAndChannelsTheOsShows(String transport, String channelKind) throws Exception {
    try (ParentCli parent = ParentCli.start("run", "--workers", "2", "--transport", transport)) {
      assertThat(parent.awaitLine("Running", 60_000)).as(parent.stderr()).isNotNull();
      List<Long> children = parent.process().children().map(ProcessHandle::pid).sorted().toList();
      assertThat(children).hasSize(2);
      assertThat(ParentRecord.file(parent.pid())).exists();

      JsonNode json;
      try (ParentCli inspect = ParentCli.start("inspect", Long.toString(parent.pid()), "--json")) {
        assertThat(inspect.waitFor(90)).as(inspect.stderr()).isZero();
        json = new ObjectMapper().readTree(inspect.stdout());
      }
      assertThat(json.get("parent_pid").asLong()).isEqualTo(parent.pid());
      assertThat(json.get("recorded").asBoolean()).isTrue();
      assertThat(json.get("transports").get(0).asText()).isEqualTo(transport);
      assertThat(json.get("notes")).as("nothing unseen: jcmd and ss worked").isEmpty();

      JsonNode processes = json.get("processes");
      List<Long> pids = new ArrayList<>();
      processes.forEach(p -> pids.add(p.get("pid").asLong()));
      List<Long> expected = new ArrayList<>(List.of(parent.pid()));
      expected.addAll(children);
      assertThat(pids).as("the parent, then its children from ProcessHandle").isEqualTo(expected);

      for (JsonNode p : processes) {
        long pid = p.get("pid").asLong();
        boolean isParent = pid == parent.pid();
        assertThat(p.get("role").asText()).isEqualTo(isParent ? "parent" : "worker");
        if (!isParent) {
          assertThat(p.get("ppid").asLong()).isEqualTo(parent.pid());
          assertThat(p.get("worker_id").asInt()).isBetween(1, 2);
        }
        int now = ProcStatus.read(pid).orElseThrow().threads();
        assertThat(p.get("thread_count").asInt()).as("Threads of pid " + pid).isCloseTo(now,
            org.assertj.core.data.Offset.offset(THREAD_TOLERANCE));
        assertThat(p.get("threads").size()).isCloseTo(now, org.assertj.core.data.Offset.offset(THREAD_TOLERANCE));
        List<String> javaNames = new ArrayList<>();
        p.get("threads").forEach(t -> javaNames.add(t.get("java_name").asText()));
        assertThat(javaNames).as("jcmd's names, matched by TID").contains("main");
      }

      for (long worker : children) {
        List<JsonNode> protocol = new ArrayList<>();
        json.get("channels").forEach(c -> {
          if (c.get("worker_pid").asLong() == worker && c.get("protocol").asBoolean()) {
            protocol.add(c);
          }
        });
        // Pipes: the worker's stdin and stdout. Sockets: one connection to the parent's endpoint.
        assertThat(protocol).as("protocol channels of worker pid " + worker)
            .hasSize(transport.equals("pipe") ? 2 : 1);
        for (JsonNode c : protocol) {
          assertThat(c.get("kind").asText()).isEqualTo(channelKind);
          int workerFd = c.get("worker_fd").asInt();
          int parentFd = c.get("parent_fd").asInt();
          String prefix = transport.equals("pipe") ? "pipe:[" : "socket:[";
          // Checked independently in /proc: both descriptors point to the inodes inspect named.
          assertThat(Os.fdTarget(worker, workerFd)).isEqualTo(prefix + c.get("worker_inode").asLong() + "]");
          assertThat(Os.fdTarget(parent.pid(), parentFd)).isEqualTo(prefix + c.get("parent_inode").asLong() + "]");
          if (transport.equals("pipe")) {
            assertThat(workerFd).isIn(0, 1);
            assertThat(c.get("parent_inode").asLong()).isEqualTo(c.get("worker_inode").asLong());
          } else {
            assertThat(c.get("parent_inode").asLong()).isNotEqualTo(c.get("worker_inode").asLong());
          }
        }
      }

      Os.kill("TERM", parent.pid());
      assertThat(parent.waitFor(60)).as(parent.stderr()).isIn(0, 143);
      assertThat(Files.exists(ParentRecord.file(parent.pid()))).as("record removed at exit").isFalse();
    }
  }
}
