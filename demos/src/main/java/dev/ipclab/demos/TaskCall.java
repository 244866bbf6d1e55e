package dev.ipclab.demos;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.ipclab.parent.Await;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.demos.trace.TraceRecorder;
import dev.ipclab.proto.v1.TaskResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Runs a typed task on a worker: a protobuf message in, a protobuf message out, with where and when it ran. */
public final class TaskCall {
  /** Long enough for the slowest demo step on a busy 2-core machine. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private TaskCall() {}

  /**
   * The reply to a task.
   *
   * @param value the handler's output
   * @param result where and when it ran (tid, thread name, start and end nanos)
   */
  public record Reply<T>(T value, TaskResult result) {
    /** The Linux TID of the worker thread that ran the task. */
    public long tid() {
      return result.getTid();
    }

    /** How long the handler ran, in the worker, in nanoseconds. */
    public long workerNanos() {
      return result.getEndNanos() - result.getStartNanos();
    }
  }

  /**
   * Submits the task, pinned to {@code worker}, and returns at once; if a trace records this worker, the task goes
   * into it. The future fails with the pool's exceptions ({@link dev.ipclab.parent.TaskFailedException} and its
   * family); {@link #await} throws them as they are.
   */
  public static <T extends Message> CompletableFuture<Reply<T>> async(PoolWorker worker, String kind,
      Message input, Parser<T> output, Duration timeout) throws InterruptedException {
    TraceRecorder trace = TraceRecorder.of(worker);
    TraceRecorder.ThreadId sender = trace != null ? trace.currentThread() : null;
    long sendNanos = System.nanoTime();
    TaskHandle task = worker.submit(TaskSpec.of(kind, input.toByteString()).withDeadline(timeout));
    long sentNanos = System.nanoTime();
    return task.outcome().thenApply(outcome -> {
      long receiveNanos = System.nanoTime();
      TaskResult result = outcome.result();
      Reply<T> reply = new Reply<>(outcome.value(output), result);
      long decodedNanos = System.nanoTime();
      if (trace != null) {
        // The worker's times are System.nanoTime() too: CLOCK_MONOTONIC, one axis with the parent's.
        TraceRecorder.ThreadId runner = new TraceRecorder.ThreadId(worker.pid(), result.getTid());
        trace.thread(runner, result.getThreadName());
        trace.task(new TraceRecorder.Task(kind, sender, sendNanos, sentNanos, runner, result.getStartNanos(),
            result.getEndNanos(), trace.currentThread(), receiveNanos, decodedNanos));
      }
      return reply;
    });
  }

  /** Runs the task and waits for its reply, for at most {@link #DEFAULT_TIMEOUT}. */
  public static <T extends Message> Reply<T> call(PoolWorker worker, String kind, Message input,
      Parser<T> output) throws InterruptedException {
    return await(async(worker, kind, input, output, DEFAULT_TIMEOUT));
  }

  /** Waits for a reply; a failure is thrown as the pool reported it (it says which worker and task). */
  public static <T> T await(CompletableFuture<T> reply) throws InterruptedException {
    return Await.result(reply);
  }
}
