package dev.ipclab.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.worker.WorkerConfig.BadConfigurationException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** A worker's settings from its -Dipclab.* properties and its environment. */
class WorkerConfigTest {
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  private final Properties props = new Properties();
  private final Map<String, String> env = new HashMap<>(Map.of("IPCLAB_TOKEN", TOKEN));

  @Test
  void pipeWorkerWithDefaults() throws BadConfigurationException {
    props.setProperty("ipclab.worker.id", "3");

    WorkerConfig config = WorkerConfig.from(props, env);

    assertThat(config).isEqualTo(
        new WorkerConfig(3, TransportKind.PIPE, null, TOKEN, Frames.DEFAULT_MAX_FRAME_BYTES, IdleStrategy.BLOCK, null));
    assertThat(config.name()).isEqualTo("worker-3");
  }

  @Test
  void socketWorkerWithEverySetting() throws BadConfigurationException {
    props.setProperty("ipclab.worker.id", "12");
    props.setProperty("ipclab.transport", "UDS");
    props.setProperty("ipclab.connect", "/tmp/ipclab-1-2/ipc.sock");
    props.setProperty("ipclab.maxFrameBytes", "65536");
    props.setProperty("ipclab.fault", "exit-after:3");

    WorkerConfig config = WorkerConfig.from(props, env);

    assertThat(config).isEqualTo(
        new WorkerConfig(12, TransportKind.UDS, "/tmp/ipclab-1-2/ipc.sock", TOKEN, 65536, IdleStrategy.BLOCK, "exit-after:3"));
  }

  @Test
  void faultComesFromTheEnvironmentWhenNotAProperty() throws BadConfigurationException {
    props.setProperty("ipclab.worker.id", "1");
    env.put("IPCLAB_FAULT", "hang-after:2");

    assertThat(WorkerConfig.from(props, env).fault()).isEqualTo("hang-after:2");

    props.setProperty("ipclab.fault", "no-hello");
    assertThat(WorkerConfig.from(props, env).fault()).as("the property wins").isEqualTo("no-hello");
  }

  @Test
  void missingIdSaysWorkersAreStartedByTheParent() {
    assertThatThrownBy(() -> WorkerConfig.from(props, env))
        .isInstanceOf(BadConfigurationException.class)
        .hasMessage("expected -Dipclab.worker.id=N (or IPCLAB_WORKER_ID=N) with N >= 1, got 'null'. Workers are"
            + " started by the ipclab parent, not by hand.");
  }

  @Test
  void everySettingFallsBackToItsEnvironmentVariable() throws BadConfigurationException {
    env.putAll(Map.of("IPCLAB_WORKER_ID", "7", "IPCLAB_TRANSPORT", "tcp", "IPCLAB_CONNECT", "127.0.0.1:4242",
        "IPCLAB_MAX_FRAME_BYTES", "4096", "IPCLAB_IDLE", "spin"));

    assertThat(WorkerConfig.from(props, env)).as("no properties: the environment, as any worker reads it")
        .isEqualTo(new WorkerConfig(7, TransportKind.TCP, "127.0.0.1:4242", TOKEN, 4096, IdleStrategy.SPIN, null));

    props.setProperty("ipclab.worker.id", "2");
    props.setProperty("ipclab.transport", "pipe");
    props.setProperty("ipclab.maxFrameBytes", "65536");
    props.setProperty("ipclab.idle", "block");
    WorkerConfig config = WorkerConfig.from(props, env);
    assertThat(config).as("the properties win")
        .isEqualTo(new WorkerConfig(2, TransportKind.PIPE, "127.0.0.1:4242", TOKEN, 65536, IdleStrategy.BLOCK, null));
  }

  @Test
  void nonNumericOrZeroIdIsRefused() {
    props.setProperty("ipclab.worker.id", "three");
    assertThatThrownBy(() -> WorkerConfig.from(props, env))
        .isInstanceOf(BadConfigurationException.class)
        .hasMessageContaining("got 'three'");

    props.setProperty("ipclab.worker.id", "0");
    assertThatThrownBy(() -> WorkerConfig.from(props, env))
        .isInstanceOf(BadConfigurationException.class)
        .hasMessage("worker id must be 1 or more, got 0");
  }

  @Test
  void badTransportListsTheValidOnes() {
    props.setProperty("ipclab.worker.id", "1");
    props.setProperty("ipclab.transport", "ram");

    assertThatThrownBy(() -> WorkerConfig.from(props, env))
        .isInstanceOf(BadConfigurationException.class)
        .hasMessage("unknown transport 'ram'; expected one of pipe, tcp, uds, shm");
  }

  @Test
  void socketTransportWithoutAnAddressIsRefused() {
    props.setProperty("ipclab.worker.id", "1");
    props.setProperty("ipclab.transport", "tcp");

    assertThatThrownBy(() -> WorkerConfig.from(props, env))
        .isInstanceOf(BadConfigurationException.class)
        .hasMessage("transport tcp needs -Dipclab.connect=<address>, the address the parent listens on");

    props.setProperty("ipclab.connect", "  ");
    assertThatThrownBy(() -> WorkerConfig.from(props, env)).as("blank address")
        .isInstanceOf(BadConfigurationException.class)
        .hasMessageStartingWith("transport tcp needs");
  }

  @Test
  void shortOrMissingTokenIsRefusedWithItsLengthButNeverItsValue() {
    props.setProperty("ipclab.worker.id", "1");
    env.put("IPCLAB_TOKEN", "0123456789abcdef0123456789abcde"); // 31 characters

    assertThatThrownBy(() -> WorkerConfig.from(props, env))
        .isInstanceOf(BadConfigurationException.class)
        .hasMessage("expected a token of at least 128 bits (32 hex digits) in the IPCLAB_TOKEN environment"
            + " variable, found 31 characters");

    env.remove("IPCLAB_TOKEN");
    assertThatThrownBy(() -> WorkerConfig.from(props, env))
        .isInstanceOf(BadConfigurationException.class)
        .hasMessageEndingWith("IPCLAB_TOKEN environment variable, found none");
  }

  @Test
  void nonNumericFrameLimitIsRefused() {
    props.setProperty("ipclab.worker.id", "1");
    props.setProperty("ipclab.maxFrameBytes", "16MiB");

    assertThatThrownBy(() -> WorkerConfig.from(props, env))
        .isInstanceOf(BadConfigurationException.class)
        .hasMessage("-Dipclab.maxFrameBytes must be a number of bytes");
  }
}
