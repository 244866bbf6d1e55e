package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@link WorkerProgress} makes of real processes: asleep, stopped, busy, gone. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerProgressTest {

  @Test
  void aSleepingProcessMakesNoProgressAndAStoppedOneIsStopped() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "60").start();
    try {
      WorkerProgress progress = new WorkerProgress(sleeper.pid());
      assertThat(progress.look()).as("the first look has nothing to compare").isEqualTo(WorkerProgress.Sign.STILL);
      // Its start-up may still use a clock tick between two looks; asleep, it uses none.
      awaitSign(progress, WorkerProgress.Sign.STILL);
      new ProcessBuilder("kill", "-STOP", Long.toString(sleeper.pid())).start().waitFor();
      awaitSign(progress, WorkerProgress.Sign.STOPPED);
    } finally {
      sleeper.destroyForcibly().waitFor();
    }
  }

  @Test
  void aBusyProcessProgresses() throws Exception {
    Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    try {
      WorkerProgress progress = new WorkerProgress(busy.pid());
      progress.look();
      // CPU time is counted in clock ticks (10 ms): poll until one has passed, however slow the machine.
      awaitSign(progress, WorkerProgress.Sign.PROGRESSING);
    } finally {
      busy.destroyForcibly().waitFor();
    }
  }

  @Test
  void aProcessThatIsGoneIsUnknown() throws Exception {
    Process quick = new ProcessBuilder("true").start();
    quick.waitFor();
    assertThat(new WorkerProgress(quick.pid()).look()).isEqualTo(WorkerProgress.Sign.UNKNOWN);
  }

  private static void awaitSign(WorkerProgress progress, WorkerProgress.Sign expected) throws InterruptedException {
    WorkerProgress.Sign seen = null;
    for (int i = 0; i < 500 && seen != expected; i++) {
      Thread.sleep(20);
      seen = progress.look();
    }
    assertThat(seen).isEqualTo(expected);
  }
}
