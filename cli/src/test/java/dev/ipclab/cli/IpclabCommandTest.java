package dev.ipclab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line run in-process. Every case here fails or finishes during parsing or validation, before any
 * worker would be started; real workers are the integration tests' business.
 */
class IpclabCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = IpclabCommand.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void unknownFlagIsAUsageErrorNamingTheFlag() {
    int status = run("ping", "--bogus");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--bogus'").contains("Usage: ipclab ping");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void unknownTransportIsAUsageErrorListingTheValidOnes() {
    int status = run("ping", "--transport", "foo");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("Invalid value for option '--transport': expected one of pipe, tcp, uds, shm"
        + " but got 'foo'");
  }

  @Test
  void badDurationIsAUsageErrorWithExamples() {
    int status = run("run", "--heartbeat", "abc");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("'--heartbeat'")
        .contains("expected a duration such as 500ms, 30s, 5m or 1h, but got 'abc'");
  }

  @Test
  void helpListsTheSubcommandsAndExamples() {
    int status = run("--help");

    assertThat(status).isZero();
    assertThat(out.toString())
        .contains("Usage: ipclab")
        .containsPattern("(?m)^\\s+run\\s+Start worker JVMs")
        .containsPattern("(?m)^\\s+ping\\s+Start workers and measure")
        .contains("ipclab ping --workers 2 --transport pipe --count 10000 --json");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void subcommandHelpShowsItsOptionsWithDefaultsAndTransportNames() {
    int status = run("ping", "--help");

    assertThat(status).isZero();
    assertThat(out.toString())
        .contains("--count=N").contains("Default: 10000")
        .contains("--transport=KIND").contains("pipe, tcp, uds, shm").containsPattern("Default:\\s+pipe\\.");
  }

  @Test
  void noSubcommandIsAUsageErrorListingTheChoices() {
    int status = run();

    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .contains("Missing command: choose one of demo, run, ping, bench, chaos, inspect, top, conform, help");
  }

  @Test
  void unknownSubcommandIsAUsageError() {
    int status = run("pong");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("'pong'").contains("ipclab ping");
  }

  @Test
  void countBelowOneIsRefusedBeforeAnyWorkerStarts() {
    int status = run("ping", "--count", "0");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("--count must be at least 1, --warmup and --payload at least 0");
  }

  @Test
  void versionNamesTheProtocolRevisionAndJava() {
    int status = run("--version");

    assertThat(status).isZero();
    assertThat(out.toString()).contains("ipclab ").contains("protocol revision 1")
        .contains("Java " + System.getProperty("java.version"));
  }

  @Test
  void chaosRefusesAPoolTooSmallToRetryOnWithStatus2() {
    int status = run("chaos", "--workers", "1");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("--workers must be between 2 and 64, got 1");
  }

  @Test
  void chaosRefusesADurationItCannotRead() {
    int status = run("chaos", "--duration", "2 minutes");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("expected a duration such as 500ms");
  }

  @Test
  void conformWithoutACommandOrOnShmIsAUsageError() {
    assertThat(run("conform")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required parameter: 'COMMAND'");

    assertThat(run("conform", "--transport", "shm", "--", "true")).isEqualTo(2);
    assertThat(err.toString()).contains("--transport shm is not offered to workers outside the JVM");

    assertThat(run("conform", "--transport", "ram", "--", "true")).isEqualTo(2);
    assertThat(err.toString()).contains("--transport must be pipe, uds or tcp, got 'ram'");
  }
}
