package dev.ipclab.cli.chaos.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.worker.FaultHooks;
import dev.ipclab.worker.task.BuiltInTasks;
import dev.ipclab.worker.internal.TaskModules;
import dev.ipclab.worker.internal.TaskRegistry;
import dev.ipclab.worker.internal.TaskRunner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chaos kinds that can run inside a test JVM (chaos.exit and chaos.stdout are covered by ChaosIT). */
@Timeout(30)
class ChaosTasksTest {
  private final LinkedBlockingQueue<WorkerEnvelope> replies = new LinkedBlockingQueue<>();
  private final List<byte[]> raw = new CopyOnWriteArrayList<>();
  private final List<Long> pauses = new CopyOnWriteArrayList<>();
  private final FaultHooks recording = new FaultHooks() {
    @Override
    public void writeRaw(byte[] bytes) {
      raw.add(bytes);
    }

    @Override
    public void pauseReading(long millis) {
      pauses.add(millis);
    }
  };

  private WorkerEnvelope run(FaultHooks session, String kind, String payload) throws InterruptedException {
    try (TaskRunner runner = new TaskRunner(registry(session), replies::add)) {
      runner.submit(1, Task.newBuilder().setKind(kind)
          .setPayload(ByteString.copyFrom(payload, StandardCharsets.US_ASCII)).build());
      WorkerEnvelope reply = replies.poll(10, TimeUnit.SECONDS);
      assertThat(reply).as("a reply within 10 s").isNotNull();
      return reply;
    }
  }

  @Test
  void sleepEchoReturnsItsWholePayload() throws Exception {
    WorkerEnvelope reply = run(recording, ChaosTasks.SLEEP_ECHO, "5 task-17 unique");
    assertThat(reply.getTaskResult().getPayload().toStringUtf8()).isEqualTo("5 task-17 unique");
    assertThat(ChaosTasks.leadingMillis(ByteString.copyFromUtf8("25"))).isEqualTo(25);
  }

  @Test
  void sleepEchoWithoutLeadingMillisIsABadPayload() throws Exception {
    WorkerEnvelope reply = run(recording, ChaosTasks.SLEEP_ECHO, "task-17");
    assertThat(reply.getError().getMessage()).contains("starts with 'task-17'");
  }

  @Test
  void garbageWritesBytesNoFrameReaderAccepts() throws Exception {
    WorkerEnvelope reply = run(recording, ChaosTasks.GARBAGE, "");
    assertThat(reply.hasTaskResult()).isTrue();
    assertThat(raw).hasSize(1);
    // A varint32 length prefix ends within 5 bytes (a byte without the high bit); these 5 all have it set.
    byte[] bytes = raw.get(0);
    assertThat(bytes.length).isGreaterThan(5);
    for (int i = 0; i < 5; i++) {
      assertThat(bytes[i] & 0x80).as("byte %d continues the prefix", i).isNotZero();
    }
  }

  @Test
  void slowReaderAsksTheSessionForThePauseItsPayloadSpells() throws Exception {
    WorkerEnvelope reply = run(recording, ChaosTasks.SLOW_READER, "750");
    assertThat(reply.getTaskResult().getPayload().toStringUtf8()).isEqualTo("750");
    assertThat(pauses).containsExactly(750L);
  }

  @Test
  void slowReaderRefusesANegativePause() throws Exception {
    WorkerEnvelope reply = run(recording, ChaosTasks.SLOW_READER, "-5");
    assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.ERROR_CODE_TASK_FAILED);
    assertThat(reply.getError().getMessage()).contains("-5");
    assertThat(pauses).isEmpty();
  }

  @Test
  void onlyAChaosWorkersRegistryHasTheChaosKinds() {
    assertThat(registry(null).kinds()).noneMatch(k -> k.startsWith("chaos."));
    assertThat(registry(recording).kinds()).contains(
        ChaosTasks.SLEEP_ECHO, ChaosTasks.GARBAGE, ChaosTasks.STDOUT, ChaosTasks.EXIT, ChaosTasks.SLOW_READER);
  }

  /** The registry of a worker with the built-in and chaos modules; null hooks: an ordinary worker. */
  private static TaskRegistry registry(FaultHooks hooks) {
    return TaskModules.start(List.of(new BuiltInTasks(), new ChaosTasks()), 1, hooks).registry();
  }
}
