package dev.ipclab.worker.task;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.LinuxThreads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks on task threads (named {@code ipclab-task-N}, so {@code ps -L} and {@code jcmd Thread.print} show
 * them) and answers each with exactly one TaskResult or ErrorReply. The reading thread only hands the task over,
 * so heartbeats and other requests are read while long tasks run.
 */
public final class TaskRunner implements AutoCloseable {
  private static final Logger log = Logger.getLogger(TaskRunner.class.getName());

  private final TaskRegistry registry;
  private final Consumer<WorkerEnvelope> reply;
  private final AtomicInteger threadNumber = new AtomicInteger();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "ipclab-task-" + threadNumber.incrementAndGet());
    t.setDaemon(true); // a task still running must not keep a worker alive that was told to exit
    return t;
  });

  /** @param reply sends one envelope to the parent; must be safe to call from several threads */
  public TaskRunner(TaskRegistry registry, Consumer<WorkerEnvelope> reply) {
    this.registry = registry;
    this.reply = reply;
  }

  /** Sends replies over {@code transport}. */
  public static TaskRunner over(TaskRegistry registry, Transport<?, WorkerEnvelope> transport) {
    return new TaskRunner(registry, transport::send);
  }

  /** Starts {@code task}; the reply carries {@code requestId}. Never blocks on the task itself. */
  public void submit(long requestId, Task task) {
    TaskHandler handler = registry.find(task.getKind());
    if (handler == null) {
      error(requestId, ErrorCode.ERROR_CODE_UNKNOWN_TASK_KIND, "no task kind '" + task.getKind()
          + "' in this worker; it knows " + registry.kinds() + ". Are the parent and worker from the same build?");
      return;
    }
    try {
      threads.execute(() -> run(requestId, task, handler));
    } catch (RejectedExecutionException e) {
      error(requestId, ErrorCode.ERROR_CODE_TASK_FAILED, "task " + requestId + " (" + task.getKind()
          + ") arrived while the worker is shutting down; run it on another worker");
    }
  }

  private void run(long requestId, Task task, TaskHandler handler) {
    long start = System.nanoTime();
    ByteString output;
    try {
      output = handler.handle(task.getPayload());
    } catch (InvalidProtocolBufferException e) {
      error(requestId, ErrorCode.ERROR_CODE_BAD_TASK_PAYLOAD, "the payload of task " + requestId + " ("
          + task.getKind() + ", " + task.getPayload().size() + " bytes) is not the message that kind expects: "
          + e.getMessage());
      return;
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.log(Level.WARNING, "task " + requestId + " (" + task.getKind() + ") failed", e);
      StackTraceElement where = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
      error(requestId, ErrorCode.ERROR_CODE_TASK_FAILED, "task " + requestId + " (" + task.getKind()
          + ") failed in the worker: " + e + (where != null ? " at " + where : "")
          + "; the worker's log has the stack trace");
      if (e instanceof Error err && !(e instanceof StackOverflowError)) {
        throw err; // out of memory and the like: the JVM is not fit to go on
      }
      return;
    }
    long end = System.nanoTime();
    if (task.getDeadlineMs() > 0 && end - start > task.getDeadlineMs() * 1_000_000L) {
      log.warning(() -> "task " + requestId + " (" + task.getKind() + ") took " + (end - start) / 1_000_000
          + " ms, past its deadline of " + task.getDeadlineMs() + " ms; the parent has probably given up on it");
    }
    reply.accept(WorkerEnvelope.newBuilder()
        .setRequestId(requestId)
        .setTaskResult(TaskResult.newBuilder()
            .setPayload(output)
            .setStartNanos(start)
            .setEndNanos(end)
            .setTid(LinuxThreads.currentTid())
            .setThreadName(Thread.currentThread().getName()))
        .build());
  }

  private void error(long requestId, ErrorCode code, String message) {
    log.warning(message);
    reply.accept(WorkerEnvelope.newBuilder()
        .setRequestId(requestId)
        .setError(ErrorReply.newBuilder().setCode(code).setMessage(message))
        .build());
  }

  /** Stops taking tasks; running ones are interrupted. */
  @Override
  public void close() {
    threads.shutdownNow();
  }
}
