package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.frame.Frames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A {@link WorkerProcess}'s state as other threads read it, around a real (tiny) process. */
@Timeout(60)
class WorkerProcessStateTest {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private Process process;

  @AfterEach
  void cleanUp() throws Exception {
    timer.shutdownNow();
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anExitedWorkerNeverReadsAsCrashedWhenItsExitIsForcedAgain(@TempDir Path dir) throws Exception {
    process = new ProcessBuilder("cat").start(); // exits on end of stdin, which is how shutdown() ends it here
    WorkerProcess worker = new WorkerProcess(1, "token", settings(), dir.resolve("worker-1.1.log"), timer, process, System.nanoTime(), null);
    process.onExit().thenRun(worker::onProcessExitSafely); // as the launcher hooks it
    ExitDescription exit = worker.shutdown(Duration.ofSeconds(10), "test");
    assertThat(exit.isCrash()).as(exit.summary()).isFalse();
    assertThat(worker.state()).isEqualTo(WorkerState.EXITED);

    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<WorkerState> oddOneSeen = new AtomicReference<>();
    Thread reader = Thread.ofPlatform().name("test-state-reader").start(() -> {
      while (!done.get() && oddOneSeen.get() == null) {
        WorkerState s = worker.state();
        if (s != WorkerState.EXITED) {
          oddOneSeen.set(s);
        }
      }
    });
    try {
      for (int i = 0; i < 2_000_000 && oddOneSeen.get() == null; i++) {
        worker.forceTerminal("a late second exit report");
      }
    } finally {
      done.set(true);
      reader.join(10_000);
    }
    assertThat(oddOneSeen.get()).as("a state other than EXITED, seen by another thread").isNull();
    assertThat(worker.state()).isEqualTo(WorkerState.EXITED);
  }

  private static PoolSettings settings() {
    return new PoolSettings(1, TransportKind.PIPE, IdleStrategy.BLOCK, Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(1), Frames.DEFAULT_MAX_FRAME_BYTES, null,
        List.of(), Map.of(), false, new TaskRouter.Limits(1, 3, 10, Backpressure.FAIL, 0, 0), 10,
        Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofSeconds(5), new PoolListener() {},
        WorkerLaunch.DEFAULT, false, false, 0);
  }
}
