package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.ExitDescription;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerFailedException;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.transport.TransportKind;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Workers that die or stop: detected, decoded for people, and the other workers carry on. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CrashIT {

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void sigkilledWorkerIsDetectedAndDecoded(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 2).start()) {
      PoolWorker victim = pool.worker(1);
      PoolWorker survivor = pool.worker(2);

      Os.kill("KILL", victim.pid());

      ExitDescription exit = victim.exit().get(10, TimeUnit.SECONDS);
      assertThat(victim.state()).isEqualTo(WorkerState.CRASHED);
      assertThat(exit.status()).isEqualTo(137);
      assertThat(exit.signal()).isEqualTo(9);
      assertThat(exit.summary()).contains("exit 137 = 128 + 9 (SIGKILL)", "ipclab did not send", "OOM killer");
      // The kernel's OOM kill count tells this kill -9 from the OOM killer's (unless it ended another process
      // on this machine meanwhile, which the sentence then says).
      assertThat(exit.oomKills()).as("oom_kill of /proc/vmstat is readable").isNotNegative();
      assertThat(exit.summary()).contains(exit.oomKills() == 0 ? "someone or something ran kill -9"
          : "the kernel's OOM killer ended");

      assertThatThrownBy(() -> victim.ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(WorkerFailedException.class).hasMessageContaining("SIGKILL");
      assertThat(survivor.ping(ByteString.copyFromUtf8("still here")).get(5, TimeUnit.SECONDS)
          .getPayload().toStringUtf8()).isEqualTo("still here");
      assertThat(survivor.state()).isEqualTo(WorkerState.READY);
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"UDS", "SHM"})
  void inFlightRequestFailsWithTheDecodedExitWhenTheWorkerDiesMidRequest(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 2).fault(1, "exit-after:2").start()) {
      PoolWorker w = pool.worker(1);
      w.ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS);
      w.ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS);
      CompletableFuture<?> third = w.ping(ByteString.EMPTY);

      assertThatThrownBy(() -> third.get(10, TimeUnit.SECONDS))
          .cause().isInstanceOf(WorkerFailedException.class)
          .hasMessageContaining("worker-1")
          .hasMessageContaining("exit 42");
      assertThat(w.exit().get(5, TimeUnit.SECONDS).logTail()).anyMatch(l -> l.contains("exiting mid-request"));
      assertThat(w.state()).isEqualTo(WorkerState.CRASHED);
      assertThat(pool.worker(2).ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void threadDumpOfAPipeWorkerGoesToItsLogNotIntoTheProtocol() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.PIPE, 1).start()) {
      PoolWorker w = pool.worker(1);
      Os.kill("QUIT", w.pid()); // what jstack-less users do: kill -3 prints a thread dump
      assertThat(Os.within(5_000, () -> logContains(w, "Full thread dump"))).as("thread dump in the log").isTrue();
      for (int i = 0; i < 10; i++) {
        assertThat(w.ping(ByteString.copyFromUtf8("after dump " + i)).get(5, TimeUnit.SECONDS)
            .getPayload().toStringUtf8()).isEqualTo("after dump " + i);
      }
      assertThat(w.state()).isEqualTo(WorkerState.READY);
    }
  }

  @Test
  void aWorkerThatStopsReadingDoesNotFreezeTheSupervisionOfTheOthers() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.PIPE, 2).start()) {
      PoolWorker stopped = pool.worker(1);
      Os.kill("STOP", stopped.pid());
      try {
        // Fill its stdin pipe: this caller blocks (backpressure) while the supervisor must carry on.
        ByteString big = ByteString.copyFrom(new byte[1 << 20]);
        CompletableFuture<?> blocked = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> stopped.ping(big)
            .whenComplete((pong, error) -> blocked.complete(null)));
        // The supervisor declares it hung and kills it, which frees the caller: its write fails, not hangs.
        assertThat(Os.within(5_000, () -> stopped.state().isTerminal())).as("state %s", stopped.state()).isTrue();
        assertThat(pool.worker(2).ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(Os.within(5_000, () -> !caller.isAlive())).as("the blocked caller is released").isTrue();
        blocked.get(5, TimeUnit.SECONDS); // its ping has an outcome: it failed with the worker
      } finally {
        if (!Os.hasExited(stopped.pid())) {
          Os.kill("CONT", stopped.pid());
        }
      }
    }
  }

  @Test
  void aRestartedSlotLogsToAFileOfItsOwnSoACrashTailShowsOnlyTheProcessThatDied() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.UDS, 1).start()) {
      PoolWorker first = pool.worker(1);
      Os.kill("KILL", first.pid());
      first.exit().get(10, TimeUnit.SECONDS);
      assertThat(Os.within(30_000, () -> pool.worker(1) != first && pool.worker(1).state() == WorkerState.READY))
          .as("a replacement in slot 1").isTrue();
      PoolWorker second = pool.worker(1);
      assertThat(second.ping(ByteString.EMPTY, java.time.Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS)).isNotNull();

      Os.kill("KILL", second.pid());
      ExitDescription exit = second.exit().get(10, TimeUnit.SECONDS);

      assertThat(second.logFile()).as("the replacement's log").isNotEqualTo(first.logFile());
      assertThat(exit.logTail()).as("the tail of the second process's log").isNotEmpty()
          .noneMatch(line -> line.contains("pid " + first.pid() + "]"))
          .anyMatch(line -> line.contains("[worker-1 pid " + second.pid() + "]"));
      assertThat(java.nio.file.Files.readString(first.logFile())).as("the first process's log is kept")
          .contains("[worker-1 pid " + first.pid() + "]").doesNotContain("pid " + second.pid() + "]");
    }
  }

  private static boolean logContains(PoolWorker w, String text) {
    try {
      return java.nio.file.Files.readString(w.logFile()).contains(text);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS", "SHM"})
  void stoppedWorkerIsMarkedHungThenKilledByThePoolAndReplaced(TransportKind transport) throws Exception {
    try (WorkerPool pool = Pools.builder(transport, 2).start()) {
      PoolWorker w = pool.worker(1);
      Os.kill("STOP", w.pid());
      try {
        // Heartbeat every 200 ms, hung after 1 s of silence: expect the kill well within 2 x the timeout.
        ExitDescription exit = w.exit().get(2, TimeUnit.SECONDS);
        assertThat(exit.status()).isEqualTo(137);
        assertThat(exit.deliberate()).as("the kill is ipclab's own").isTrue();
        assertThat(exit.summary()).contains("stopped by ipclab with SIGKILL", "declared hung", "1000 ms");
        assertThat(w.state()).isEqualTo(WorkerState.CRASHED);
        assertThat(pool.worker(2).state()).isEqualTo(WorkerState.READY);
      } finally {
        if (!Os.hasExited(w.pid())) {
          Os.kill("CONT", w.pid());
        }
      }
      assertThat(Os.within(30_000, () -> pool.worker(1) != w && pool.worker(1).state() == WorkerState.READY))
          .as("a replacement in slot 1").isTrue();
      assertThat(pool.worker(1).ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS)).isNotNull();
      assertThat(pool.restarts(1)).isEqualTo(1);
    }
  }
}
