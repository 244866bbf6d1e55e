package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A worker's exit, decoded into the sentence people read. */
class ExitDescriptionTest {
  private static final String NL = System.lineSeparator();

  @Test
  void sigkillThatIpclabDidNotSendPointsAtTheOomKiller() {
    ExitDescription exit = new ExitDescription(137, false, null, List.of());

    assertThat(exit.signal()).isEqualTo(9);
    assertThat(exit.isCrash()).isTrue();
    assertThat(exit.summary()).isEqualTo("exit 137 = 128 + 9 (SIGKILL): killed by SIGKILL, which ipclab did not"
        + " send; probably the kernel's OOM killer (check: dmesg | grep -i oom) or someone ran kill -9");
  }

  @Test
  void sigkillWhileTheKernelsOomKillCountRoseNamesTheOomKillerAndOneWhileItStayedPutDoesNot() {
    assertThat(new ExitDescription(137, false, null, List.of(), 1).summary()).contains("ipclab did not send",
        "the kernel's OOM killer ended 1 process while it ran", "dmesg");
    assertThat(new ExitDescription(137, false, null, List.of(), 0).summary()).contains("ipclab did not send",
        "nor the kernel's OOM killer", "did not change", "someone or something ran kill -9")
        .doesNotContain("probably");
  }

  @Test
  void sigkillThatIpclabSentIsNotACrashAndDoesNotBlameTheOomKiller() {
    ExitDescription exit = new ExitDescription(137, true, null, List.of());

    assertThat(exit.isCrash()).isFalse();
    assertThat(exit.summary()).isEqualTo("exit 137 = 128 + 9 (SIGKILL): stopped by ipclab with SIGKILL")
        .doesNotContainIgnoringCase("oom");
  }

  @Test
  void deliberateSigtermIsStoppedByIpclab() {
    ExitDescription exit = new ExitDescription(143, true, null, List.of());

    assertThat(exit.signal()).isEqualTo(15);
    assertThat(exit.isCrash()).isFalse();
    assertThat(exit.summary()).isEqualTo("exit 143 = 128 + 15 (SIGTERM): stopped by ipclab with SIGTERM");
  }

  @Test
  void sigtermFromSomeoneElseIsACrashSayingIpclabDidNotSendIt() {
    ExitDescription exit = new ExitDescription(143, false, null, List.of());

    assertThat(exit.isCrash()).isTrue();
    assertThat(exit.summary()).isEqualTo("exit 143 = 128 + 15 (SIGTERM): killed by SIGTERM, which ipclab did not send");
  }

  @Test
  void cleanExitAfterShutdownIsNotACrash() {
    ExitDescription exit = new ExitDescription(0, true, null, List.of());

    assertThat(exit.signal()).isZero();
    assertThat(exit.isCrash()).isFalse();
    assertThat(exit.summary()).isEqualTo("exit 0: clean exit");
  }

  @Test
  void cleanExitNobodyAskedForIsStillACrash() {
    assertThat(new ExitDescription(0, false, null, List.of()).isCrash()).isTrue();
  }

  @Test
  void heapExhaustionEndedByTheJvmSaysOutOfMemoryNotProtocolError() {
    ExitDescription exit = new ExitDescription(3, false, null, List.of(
        "13:25:31.123 INFO    [worker-1 pid 4242] TaskRunner: allocating",
        "Terminating due to java.lang.OutOfMemoryError: Java heap space"));

    assertThat(exit.isCrash()).isTrue();
    assertThat(exit.outOfMemory()).isEqualTo("java.lang.OutOfMemoryError: Java heap space");
    assertThat(exit.summary()).startsWith("exit 3: out of memory: the worker's Java heap ran out"
        + " (java.lang.OutOfMemoryError: Java heap space) and -XX:+ExitOnOutOfMemoryError ended it")
        .contains("larger -Xmx").doesNotContain("protocol error");
    assertThat(new ExitDescription(3, false, null, List.of("protocol error: bad frame")).summary())
        .as("status 3 without the JVM's line is the worker's own").contains("protocol error")
        .doesNotContain("out of memory");
  }

  @Test
  void parentGoneStatusIsExplained() {
    ExitDescription exit = new ExitDescription(5, false, null, List.of());

    assertThat(exit.summary()).isEqualTo(
        "exit 5: the worker's channel to its parent closed, or its parent exited, and it stopped itself");
  }

  @Test
  void statusesTheWorkerDoesNotUseAreSaidToBeUnexpected() {
    assertThat(new ExitDescription(77, false, null, List.of()).summary())
        .isEqualTo("exit 77: a status the worker does not use on purpose");
    assertThat(new ExitDescription(128, false, null, List.of()).signal()).isZero();
    assertThat(new ExitDescription(200, false, null, List.of()).signal()).as("beyond 128 + 64").isZero();
  }

  @Test
  void unnamedSignalIsShownByNumber() {
    ExitDescription exit = new ExitDescription(128 + 40, false, null, List.of());

    assertThat(exit.summary()).isEqualTo("exit 168 = 128 + 40 (signal 40): killed by signal 40, which ipclab did"
        + " not send");
    assertThat(ExitDescription.signalName(11)).isEqualTo("SIGSEGV");
    assertThat(ExitDescription.signalName(6)).isEqualTo("SIGABRT");
  }

  @Test
  void causeBeforeTheExitIsAppendedAndMakesEvenADeliberateExitACrash() {
    ExitDescription exit = new ExitDescription(137, true, "protocol error: frame too large", List.of());

    assertThat(exit.isCrash()).isTrue();
    assertThat(exit.summary()).endsWith("stopped by ipclab with SIGKILL; before that: protocol error: frame too large");
  }

  @Test
  void logTailIsRenderedBelowTheSummaryAsQuotedLines() {
    ExitDescription exit = new ExitDescription(1, false, null,
        List.of("SEVERE worker-2 pid 4242: boom", "java.lang.IllegalStateException: boom"));

    assertThat(exit.withLogTail("/tmp/ipclab-1-2/worker-2.log")).isEqualTo(
        "exit 1: the worker failed; see its log" + NL
            + "Last lines of /tmp/ipclab-1-2/worker-2.log:" + NL
            + "  | SEVERE worker-2 pid 4242: boom" + NL
            + "  | java.lang.IllegalStateException: boom");
  }

  @Test
  void emptyLogSaysSoInsteadOfPrintingNothing() {
    ExitDescription exit = new ExitDescription(137, false, null, List.of());

    assertThat(exit.withLogTail("worker-1.log")).startsWith("exit 137 = 128 + 9 (SIGKILL)")
        .endsWith(" (its log worker-1.log is empty)");
  }
}
