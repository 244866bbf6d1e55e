package dev.ipclab.worker.internal;

import dev.ipclab.worker.TaskHandler;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.TaskAnswer;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.os.LinuxThreads;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks on task threads (named {@code ipclab-task-N}, so {@code ps -L} and {@code jcmd Thread.print} show
 * them) and answers each with exactly one TaskResult or ErrorReply. The reading thread only hands the task over,
 * so heartbeats and other requests are read while long tasks run. A task is interrupted when the parent cancels
 * it or when it runs past its deadline, and is then answered CANCELLED or DEADLINE_EXCEEDED at once, whatever the
 * handler does after.
 *
 * <p>A handler that {@linkplain TaskHandler#runsInline runs inline} (declared short by its module) runs on the
 * calling thread, the one that read the task: a hand-off costs a thread wake-up, as much as the IPC itself. It is
 * never in the running map: no cancel or deadline can reach it while it runs, since they would be read by the
 * thread that runs it, after it has been answered.
 */
public final class TaskRunner implements AutoCloseable {
  private static final Logger log = Logger.getLogger(TaskRunner.class.getName());
  /** Tasks running at once in one worker before it answers OVERLOADED: far above any demo, far below a crash. */
  public static final int DEFAULT_MAX_RUNNING = 512;

  private final TaskRegistry registry;
  private final Consumer<WorkerEnvelope> reply;
  private final int maxRunning;
  private final AtomicInteger threadNumber = new AtomicInteger();
  /** The tasks not yet answered; whoever removes a task's entry sends its one answer. */
  private final ConcurrentHashMap<Long, Running> running = new ConcurrentHashMap<>();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "ipclab-task-" + threadNumber.incrementAndGet());
    t.setDaemon(true); // a task still running must not keep a worker alive that was told to exit
    return t;
  });
  private final ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "ipclab-task-deadlines");
    t.setDaemon(true);
    return t;
  });

  /** A task between its arrival and its answer. */
  private static final class Running {
    final String kind;
    volatile Future<?> future;
    volatile ScheduledFuture<?> deadline;

    Running(String kind) {
      this.kind = kind;
    }

    void interrupt() {
      Future<?> f = future;
      if (f != null) {
        f.cancel(true);
      }
      ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
      }
    }
  }

  /** @param reply sends one envelope to the parent; must be safe to call from several threads */
  public TaskRunner(TaskRegistry registry, Consumer<WorkerEnvelope> reply) {
    this(registry, reply, DEFAULT_MAX_RUNNING);
  }

  /** @param maxRunning tasks in flight at once; one more is answered OVERLOADED */
  public TaskRunner(TaskRegistry registry, Consumer<WorkerEnvelope> reply, int maxRunning) {
    this.registry = registry;
    this.reply = reply;
    this.maxRunning = maxRunning;
    deadlines.setRemoveOnCancelPolicy(true); // most deadlines are cancelled by the task's end
  }

  /** Sends replies over {@code transport}. */
  public static TaskRunner over(TaskRegistry registry, Transport<?, WorkerEnvelope> transport) {
    return new TaskRunner(registry, transport::send);
  }

  /** Starts {@code task}; the reply carries {@code requestId}. Never blocks on the task itself. */
  public void submit(long requestId, Task task) {
    TaskHandler handler = registry.find(task.getKind());
    if (handler == null) {
      error(requestId, ErrorCode.ERROR_CODE_UNKNOWN_TASK_KIND, unknownKind(task));
      return;
    }
    if (handler.runsInline()) {
      runInline(requestId, task, handler);
      return;
    }
    if (running.size() >= maxRunning) {
      error(requestId, ErrorCode.ERROR_CODE_OVERLOADED, "task " + requestId + " (" + task.getKind()
          + ") refused: " + running.size() + " tasks are running in this worker, the limit is " + maxRunning
          + "; wait for some to finish or use more workers");
      return;
    }
    Running entry = new Running(task.getKind());
    if (running.putIfAbsent(requestId, entry) != null) {
      error(requestId, ErrorCode.ERROR_CODE_UNEXPECTED_KIND, "task " + requestId + " is already running; request"
          + " ids are never reused on a channel");
      return;
    }
    try {
      entry.future = threads.submit(() -> run(requestId, task, handler, entry));
      if (task.getDeadlineMs() > 0) {
        entry.deadline = deadlines.schedule(() -> drop(requestId, ErrorCode.ERROR_CODE_DEADLINE_EXCEEDED,
            "task " + requestId + " (" + task.getKind() + ") ran past its deadline of " + task.getDeadlineMs()
                + " ms and was interrupted"), task.getDeadlineMs(), TimeUnit.MILLISECONDS);
      }
    } catch (RejectedExecutionException e) {
      if (running.remove(requestId, entry)) {
        error(requestId, ErrorCode.ERROR_CODE_TASK_FAILED, "task " + requestId + " (" + task.getKind()
            + ") arrived while the worker is shutting down; run it on another worker");
      }
    }
  }

  /** The parent no longer wants task {@code requestId}: interrupt it and answer CANCELLED. */
  public void cancel(long requestId, String reason) {
    if (!drop(requestId, ErrorCode.ERROR_CODE_CANCELLED, "task " + requestId + " cancelled: " + reason)) {
      log.fine(() -> "cancel of task " + requestId + " ignored: it is not running (" + reason + ")");
    }
  }

  /** Answers a task with an error and interrupts it, unless it was answered already. */
  private boolean drop(long requestId, ErrorCode code, String message) {
    Running entry = running.remove(requestId);
    if (entry == null) {
      return false;
    }
    entry.interrupt();
    error(requestId, code, message);
    return true;
  }

  /** Tasks running now. */
  public int running() {
    return running.size();
  }

  private void run(long requestId, Task task, TaskHandler handler, Running entry) {
    long start = System.nanoTime();
    ByteString output;
    try {
      output = handler.handle(task.getPayload());
    } catch (InvalidProtocolBufferException e) {
      finishWithError(requestId, entry, ErrorCode.ERROR_CODE_BAD_TASK_PAYLOAD, "the payload of task " + requestId
          + " (" + task.getKind() + ", " + task.getPayload().size() + " bytes) is not the message that kind"
          + " expects: " + e.getMessage());
      return;
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (running.get(requestId) != entry) {
        log.fine(() -> "task " + requestId + " (" + task.getKind() + ") ended with " + e + " after its answer");
        return; // cancelled or overdue: answered already, and the interrupt is probably why it threw
      }
      log.log(Level.WARNING, "task " + requestId + " (" + task.getKind() + ") failed", e);
      StackTraceElement where = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
      finishWithError(requestId, entry, ErrorCode.ERROR_CODE_TASK_FAILED, "task " + requestId + " ("
          + task.getKind() + ") failed in the worker: " + e + (where != null ? " at " + where : "")
          + "; the worker's log has the stack trace");
      if (e instanceof Error err && !(e instanceof StackOverflowError)) {
        throw err; // out of memory and the like: the JVM is not fit to go on
      }
      return;
    }
    long end = System.nanoTime();
    if (!running.remove(requestId, entry)) {
      log.info(() -> "task " + requestId + " (" + task.getKind() + ") finished after "
          + (end - start) / 1_000_000 + " ms, but it was cancelled or overdue and answered already");
      return;
    }
    entry.interrupt(); // only its deadline is left to cancel: the task has returned
    answer(requestId, result(requestId, output, start, end));
  }

  /** Runs a short task here and answers it: exactly one answer, as no other path knows of it. */
  private void runInline(long requestId, Task task, TaskHandler handler) {
    TaskAnswer answer = runHere(requestId, task, handler);
    WorkerEnvelope.Builder envelope = WorkerEnvelope.newBuilder().setRequestId(requestId);
    answer(requestId, (answer.hasResult() ? envelope.setTaskResult(answer.getResult())
        : envelope.setError(answer.getError())).build());
  }

  /**
   * Runs {@code task} of a batch read at {@code readNanos} here, if its handler {@linkplain TaskHandler#runsInline
   * runs inline} (or answers it at once if no handler serves its kind), and returns its answer for the caller to
   * send; otherwise starts it as {@link #submit} does (its answer then goes out on its own) and returns null. A task whose deadline passed while the tasks before it in
   * its batch ran is answered DEADLINE_EXCEEDED without running.
   */
  TaskAnswer runBatched(long requestId, Task task, long readNanos) {
    TaskHandler handler = registry.find(task.getKind());
    if (handler == null) {
      return failed(requestId, ErrorCode.ERROR_CODE_UNKNOWN_TASK_KIND, unknownKind(task));
    }
    if (!handler.runsInline()) {
      submit(requestId, task);
      return null;
    }
    if (task.getDeadlineMs() > 0 && System.nanoTime() - readNanos > task.getDeadlineMs() * 1_000_000L) {
      String message = "task " + requestId + " (" + task.getKind() + ") waited in its batch past its deadline of "
          + task.getDeadlineMs() + " ms and was not run";
      log.warning(message);
      return TaskAnswer.newBuilder().setRequestId(requestId)
          .setError(ErrorReply.newBuilder().setCode(ErrorCode.ERROR_CODE_DEADLINE_EXCEEDED).setMessage(message))
          .build();
    }
    return runHere(requestId, task, handler);
  }

  private String unknownKind(Task task) {
    return "no task kind '" + task.getKind() + "' in this worker; it knows " + registry.kinds()
        + ". Are the parent and worker from the same build?";
  }

  /** Runs a short task on this thread: its one answer, a result or an error. */
  private TaskAnswer runHere(long requestId, Task task, TaskHandler handler) {
    long start = System.nanoTime();
    ByteString output;
    try {
      output = handler.handle(task.getPayload());
    } catch (InvalidProtocolBufferException e) {
      return failed(requestId, ErrorCode.ERROR_CODE_BAD_TASK_PAYLOAD, "the payload of task " + requestId + " ("
          + task.getKind() + ", " + task.getPayload().size() + " bytes) is not the message that kind expects: "
          + e.getMessage());
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.log(Level.WARNING, "task " + requestId + " (" + task.getKind() + ") failed", e);
      StackTraceElement where = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
      TaskAnswer answer = failed(requestId, ErrorCode.ERROR_CODE_TASK_FAILED, "task " + requestId + " ("
          + task.getKind() + ") failed in the worker: " + e + (where != null ? " at " + where : "")
          + "; the worker's log has the stack trace");
      if (e instanceof Error err && !(e instanceof StackOverflowError)) {
        // Out of memory and the like: the JVM is not fit to go on. The answer goes out alone, before the throw.
        answer(requestId, WorkerEnvelope.newBuilder().setRequestId(requestId).setError(answer.getError()).build());
        throw err;
      }
      return answer;
    }
    return TaskAnswer.newBuilder().setRequestId(requestId)
        .setResult(resultOf(output, start, System.nanoTime()))
        .build();
  }

  private static TaskAnswer failed(long requestId, ErrorCode code, String message) {
    log.warning(message);
    return TaskAnswer.newBuilder().setRequestId(requestId)
        .setError(ErrorReply.newBuilder().setCode(code).setMessage(message))
        .build();
  }

  private static WorkerEnvelope result(long requestId, ByteString output, long start, long end) {
    return WorkerEnvelope.newBuilder()
        .setRequestId(requestId)
        .setTaskResult(resultOf(output, start, end))
        .build();
  }

  private static TaskResult resultOf(ByteString output, long start, long end) {
    return TaskResult.newBuilder()
        .setPayload(output)
        .setStartNanos(start)
        .setEndNanos(end)
        .setTid(LinuxThreads.currentTid())
        .setThreadName(Thread.currentThread().getName())
        .build();
  }

  private void finishWithError(long requestId, Running entry, ErrorCode code, String message) {
    if (running.remove(requestId, entry)) {
      ScheduledFuture<?> d = entry.deadline;
      if (d != null) {
        d.cancel(false);
      }
      error(requestId, code, message);
    }
  }

  private void error(long requestId, ErrorCode code, String message) {
    log.warning(message);
    answer(requestId, WorkerEnvelope.newBuilder()
        .setRequestId(requestId)
        .setError(ErrorReply.newBuilder().setCode(code).setMessage(message))
        .build());
  }

  /**
   * Sends a task's one answer. A send to a parent that does not read fails after its wait limit rather than queue
   * without bound; the answer is then lost, and said so here (the parent's own deadline fails the task).
   */
  private void answer(long requestId, WorkerEnvelope envelope) {
    try {
      reply.accept(envelope);
    } catch (RuntimeException e) {
      log.warning(() -> "the answer to task " + requestId + " (" + envelope.getKindCase() + ") was not sent: "
          + e.getMessage());
    }
  }

  /** Stops taking tasks; running ones are interrupted. */
  @Override
  public void close() {
    threads.shutdownNow();
    deadlines.shutdownNow();
  }
}
