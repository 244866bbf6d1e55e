package dev.ipclab.demos.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** /proc/&lt;pid&gt;/status of this very JVM, checked against what Java itself knows. */
class ProcStatusTest {

  @Test
  void readsThisJvmsStatus() {
    long pid = ProcessHandle.current().pid();

    ProcStatus status = ProcStatus.read(pid).orElseThrow();

    assertThat(status.pid()).isEqualTo(pid);
    assertThat(status.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    assertThat(status.state()).matches("[RS] \\((running|sleeping)\\)");
    // Kernel tasks include the JVM's GC and compiler threads, so at least every live Java platform thread.
    assertThat(status.threads()).isPositive()
        .isGreaterThanOrEqualTo(ManagementFactory.getThreadMXBean().getThreadCount() / 2);
    assertThat(status.rssKib()).isPositive();
    assertThat(status.rssMib()).isEqualTo(status.rssKib() / 1024.0);
  }

  @Test
  void processThatCannotExistIsEmpty() {
    assertThat(ProcStatus.read(4_194_304L)).as("pid above PID_MAX_LIMIT").isEmpty();
  }
}
