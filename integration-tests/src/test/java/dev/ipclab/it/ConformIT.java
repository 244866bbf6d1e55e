package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.cli.conform.ConformCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ipclab conform} as a user runs it: ipclab's own Java worker passes every check on every transport, and
 * each broken worker fails exactly the check of the rule it breaks, with a message that names the rule, while the
 * other checks pass or are skipped. No worker process and no private directory is left behind.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConformIT {
  /**
   * A JVM's start, not the contract, sets how long a Java worker takes to say hello: on a loaded 2-CPU machine it
   * has taken over the default 10 s, so the Java worker's runs wait longer. A broken worker still fails fast.
   */
  private static final String JAVA_HANDSHAKE = "60s";

  /** The Java worker as a plain command: this JVM's java, the worker jar, the main class; settings from IPCLAB_*. */
  private static List<String> javaWorker() {
    return List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
        ParentCli.jar("ipclab.worker.jar").toString(), "dev.ipclab.worker.WorkerMain");
  }

  @ParameterizedTest
  @ValueSource(strings = {"pipe", "uds", "tcp"})
  void javaWorkerPassesEveryCheck(String transport) throws Exception {
    List<Path> before = ConformRuns.conformDirectories();

    ConformRuns.Run run = ConformRuns.conform(Map.of(), transport, javaWorker(), "--handshake-timeout",
        JAVA_HANDSHAKE);

    assertThat(run.report()).as(run.describe()).isNotNull();
    assertThat(run.verdicts()).as(run.describe())
        .hasSize(ConformCheck.values().length)
        .allSatisfy((id, verdict) -> assertThat(verdict).as(id).isEqualTo("PASS"));
    assertThat(run.status()).as(run.describe()).isZero();
    assertThat(run.report().get("transport").asText()).isEqualTo(transport);
    assertThat(run.check("hello").get("arrived").asText()).contains("the token", "task kinds [allocate, echo, fail, sleep]");
    assertThat(run.check("stdin-eof").get("arrived").asText()).startsWith("exit status 5 after");
    assertThat(ConformRuns.conformDirectories()).as("conform's private directory removed").isEqualTo(before);
  }

  @Test
  void textReportShowsVerdictExpectedAndArrivedPerCheck() throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("conform", "--handshake-timeout", JAVA_HANDSHAKE, "--"));
    args.addAll(javaWorker());
    try (ParentCli cli = ParentCli.start(args.toArray(String[]::new))) {
      assertThat(cli.waitFor(150)).as(cli.stdout() + cli.stderr()).isZero();
      String out = cli.stdout();
      for (ConformCheck check : ConformCheck.values()) {
        assertThat(out).containsPattern("(?m)^PASS +" + check.id() + " +" + java.util.regex.Pattern.quote(
            check.title()));
      }
      assertThat(out).contains("expected: ", "arrived:  ").endsWith("The worker keeps the contract.");
    }
  }

  @Test
  void usageErrorsExitWith2() throws Exception {
    try (ParentCli cli = ParentCli.start("conform", "--transport", "shm", "--", "true")) {
      assertThat(cli.waitFor(30)).isEqualTo(2);
      assertThat(cli.stderr()).contains("--transport shm is not offered to workers outside the JVM");
    }
    try (ParentCli cli = ParentCli.start("conform")) {
      assertThat(cli.waitFor(30)).isEqualTo(2);
      assertThat(cli.stderr()).contains("COMMAND");
    }
  }

  static Stream<Arguments> brokenWorkers() {
    return Stream.of(
        Arguments.of("prints_to_stdout", "pipe", ConformCheck.STDOUT, "\"debug: got ping 1"),
        Arguments.of("prints_to_stdout", "uds", ConformCheck.STDOUT, "on stdout: 64 65 62 75 67"),
        Arguments.of("never_says_hello", "pipe", ConformCheck.HELLO, "no frame at all within the handshake timeout"),
        Arguments.of("replies_twice", "pipe", ConformCheck.ONE_REPLY, "PING request 1 answered 2 times: PONG, PONG"),
        Arguments.of("ignores_cancel", "pipe", ConformCheck.CANCEL, "so the CancelTask was ignored"),
        Arguments.of("ignores_stdin_eof", "pipe", ConformCheck.STDIN_EOF, "still running 2,000 ms after end-of-file"
            + " on stdin"));
  }

  @ParameterizedTest(name = "{0} over {1} fails {2} only")
  @MethodSource("brokenWorkers")
  void brokenWorkerFailsExactlyTheCheckOfItsRule(String fixture, String transport, ConformCheck broken,
      String evidence) throws Exception {
    String skip = PythonWorker.skipReason();
    Assumptions.assumeTrue(skip == null, () -> "skipped: the broken workers are Python scripts and " + skip);
    PythonWorker python = PythonWorker.get();
    List<Path> before = ConformRuns.conformDirectories();

    ConformRuns.Run run = ConformRuns.conform(python.environment(), transport, python.fixture(fixture),
        "--handshake-timeout", "3s");

    assertThat(run.status()).as(run.describe()).isEqualTo(1);
    assertThat(run.verdicts()).as(run.describe()).allSatisfy((id, verdict) -> {
      if (id.equals(broken.id())) {
        assertThat(verdict).as(id).isEqualTo("FAIL");
      } else {
        assertThat(verdict).as(id).isIn("PASS", "SKIPPED");
      }
    });
    assertThat(run.check(broken.id()).get("rule").asText()).isEqualTo(broken.rule());
    assertThat(run.check(broken.id()).get("arrived").asText()).as(run.describe()).contains(evidence);
    assertThat(run.report().get("fail").asInt()).isEqualTo(1);
    assertThat(ConformRuns.conformDirectories()).as("conform's private directory removed").isEqualTo(before);
  }
}
