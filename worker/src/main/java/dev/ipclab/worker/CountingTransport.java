package dev.ipclab.worker;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.TaskAnswer;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.proto.v1.WorkerStatus;
import dev.ipclab.transport.ProtocolException;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.TransportListener;
import dev.ipclab.transport.fault.RawByteSink;
import dev.ipclab.transport.frame.Frames;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * The worker's transport with counters around it: frames and bytes each way, tasks started and answered, pings
 * answered, so that a StatusRequest reports what the worker itself saw (not what the parent thinks it sent).
 *
 * <p>Counting here, at the one place every frame passes, keeps the counters out of the session, the heartbeat
 * and the task runner. Sizes come from {@code getSerializedSize()}, which protobuf memoizes, so the encoder does
 * not compute them again; a LongAdder per counter keeps senders on several threads from contending.
 */
final class CountingTransport implements Transport<ParentEnvelope, WorkerEnvelope>, RawByteSink {
  private final Transport<ParentEnvelope, WorkerEnvelope> inner;
  private final LongAdder framesIn = new LongAdder();
  private final LongAdder framesOut = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder tasksStarted = new LongAdder();
  private final LongAdder tasksCompleted = new LongAdder();
  private final LongAdder tasksFailed = new LongAdder();
  private final LongAdder pongs = new LongAdder();

  CountingTransport(Transport<ParentEnvelope, WorkerEnvelope> inner) {
    this.inner = inner;
  }

  @Override
  public void start(TransportListener<ParentEnvelope> listener) {
    inner.start(new TransportListener<>() {
      @Override
      public void onMessage(ParentEnvelope message) {
        framesIn.increment();
        bytesIn.add(frameBytes(message.getSerializedSize()));
        if (message.hasTask()) {
          tasksStarted.increment();
        } else if (message.hasTaskBatch()) {
          tasksStarted.add(message.getTaskBatch().getTasksCount());
        }
        listener.onMessage(message);
      }

      @Override
      public void onProtocolError(ProtocolException error) {
        listener.onProtocolError(error);
      }

      @Override
      public void onClosed(Throwable cause) {
        listener.onClosed(cause);
      }
    });
  }

  @Override
  public void send(WorkerEnvelope message) {
    inner.send(message);
    counted(message);
  }

  @Override
  public void sendBatch(List<? extends WorkerEnvelope> messages) {
    inner.sendBatch(messages);
    messages.forEach(this::counted);
  }

  @Override
  public void offer(WorkerEnvelope message) {
    inner.offer(message);
    counted(message);
  }

  @Override
  public void sendAndClose(WorkerEnvelope message) {
    inner.sendAndClose(message);
    counted(message);
  }

  private void counted(WorkerEnvelope message) {
    framesOut.increment();
    bytesOut.add(frameBytes(message.getSerializedSize()));
    switch (message.getKindCase()) {
      case TASK_RESULT -> tasksCompleted.increment();
      case TASK_RESULT_BATCH -> {
        for (TaskAnswer answer : message.getTaskResultBatch().getAnswersList()) {
          if (answer.hasResult()) {
            tasksCompleted.increment();
          } else if (isTaskError(answer.getError().getCode())) {
            tasksFailed.increment();
          }
        }
      }
      case PONG -> pongs.increment();
      case ERROR -> {
        if (isTaskError(message.getError().getCode())) {
          tasksFailed.increment();
        }
      }
      default -> {}
    }
  }

  /**
   * The error codes a TaskRunner answers a task with; other errors are about frames, not tasks. A cancelled,
   * overdue or refused (overloaded) task is answered too, so it must not stay "in flight" in the status.
   */
  private static boolean isTaskError(ErrorCode code) {
    return switch (code) {
      case ERROR_CODE_TASK_FAILED, ERROR_CODE_UNKNOWN_TASK_KIND, ERROR_CODE_BAD_TASK_PAYLOAD, ERROR_CODE_CANCELLED,
          ERROR_CODE_DEADLINE_EXCEEDED, ERROR_CODE_OVERLOADED -> true;
      default -> false;
    };
  }

  private static long frameBytes(int body) {
    return (long) Frames.prefixBytes(body) + body;
  }

  /** The counters now, with the JVM's live threads, heap in use and uptime. */
  WorkerStatus status() {
    long started = tasksStarted.sum();
    long answered = tasksCompleted.sum() + tasksFailed.sum();
    return WorkerStatus.newBuilder()
        .setFramesReceived(framesIn.sum())
        .setFramesSent(framesOut.sum())
        .setBytesReceived(bytesIn.sum())
        .setBytesSent(bytesOut.sum())
        .setTasksStarted(started)
        .setTasksCompleted(tasksCompleted.sum())
        .setTasksFailed(tasksFailed.sum())
        .setTasksInFlight(Math.max(0, started - answered)) // sums taken one after another may cross
        .setPingsAnswered(pongs.sum())
        .setThreadCount(ManagementFactory.getThreadMXBean().getThreadCount())
        .setHeapUsedBytes(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
        .setUptimeMs(ManagementFactory.getRuntimeMXBean().getUptime())
        .build();
  }

  @Override
  public void pauseReading(long millis) {
    inner.pauseReading(millis);
  }

  @Override
  public void writeRaw(byte[] bytes) {
    RawByteSink.of(inner).writeRaw(bytes);
  }

  @Override
  public CompletableFuture<Throwable> closeFuture() {
    return inner.closeFuture();
  }

  @Override
  public String describe() {
    return inner.describe();
  }

  @Override
  public TransportKind kind() {
    return inner.kind();
  }

  @Override
  public void close() {
    inner.close();
  }
}
