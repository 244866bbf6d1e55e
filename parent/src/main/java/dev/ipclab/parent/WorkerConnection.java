package dev.ipclab.parent;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.CancelTask;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.Goodbye;
import dev.ipclab.proto.v1.Heartbeat;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.proto.v1.Shutdown;
import dev.ipclab.proto.v1.StatusRequest;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.TaskAnswer;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.TaskResultBatch;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.proto.v1.WorkerStatus;
import dev.ipclab.transport.ProtocolException;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.protocol.PendingRequests;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The parent's end of one worker's channel once the handshake is done: sends requests with fresh ids, matches
 * replies to them (many may be in flight), and notes when the worker was last heard from.
 */
final class WorkerConnection {
  /** How long {@link #ping(ByteString)} waits for its pong. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  /** One-way pings per {@link Transport#sendBatch} call in {@link #sendOneWayPings}. */
  static final int ONE_WAY_BATCH = 1024;

  private static final Logger log = Logger.getLogger(WorkerConnection.class.getName());

  private final String name;
  private final Transport<WorkerEnvelope, ParentEnvelope> transport;
  private final int maxFrameBytes;
  private final ScheduledExecutorService timer;
  private final PendingRequests<WorkerEnvelope> pending = new PendingRequests<>();
  private final AtomicLong messagesIn = new AtomicLong();
  private final AtomicLong messagesOut = new AtomicLong();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private final AtomicLong heartbeatSequence = new AtomicLong();
  private volatile long lastHeardNanos = System.nanoTime();
  private volatile int reportedThreads;
  private final boolean acceptsBatches;
  /** Runs after the answers of one TaskResultBatch have been delivered: the router sends the queue on, once. */
  private volatile Runnable afterAnswerBurst = () -> { };
  /** The thread delivering a TaskResultBatch's answers right now, or null. */
  private volatile Thread deliveringBurst;

  /** @param timer enforces request deadlines; it should remove cancelled tasks, since most are cancelled */
  WorkerConnection(String name, Transport<WorkerEnvelope, ParentEnvelope> transport, int maxFrameBytes,
      ScheduledExecutorService timer) {
    this(name, transport, maxFrameBytes, timer, false);
  }

  /** @param acceptsBatches the worker's hello said it reads TaskBatch frames: a burst of tasks goes in them */
  WorkerConnection(String name, Transport<WorkerEnvelope, ParentEnvelope> transport, int maxFrameBytes,
      ScheduledExecutorService timer, boolean acceptsBatches) {
    this.acceptsBatches = acceptsBatches;
    this.timer = timer;
    this.name = name;
    this.transport = transport;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Sends a ping carrying {@code payload}; completes with the pong, or fails with the reason. */
  public CompletableFuture<Pong> ping(ByteString payload) {
    return ping(payload, DEFAULT_TIMEOUT);
  }

  /**
   * Sends a ping; completes with the pong, or fails with the reason, at the latest after {@code timeout} with a
   * {@link java.util.concurrent.TimeoutException} that names the worker.
   */
  public CompletableFuture<Pong> ping(ByteString payload, Duration timeout) {
    ParentEnvelope.Builder request = ParentEnvelope.newBuilder()
        .setPing(Ping.newBuilder().setPayload(payload).setParentSendNanos(System.nanoTime()));
    return request(request, timeout, false).thenApply(reply -> {
      if (!reply.hasPong()) {
        throw new IllegalStateException(name + " answered a ping with " + reply.getKindCase());
      }
      return reply.getPong();
    });
  }

  /**
   * Sends {@code count} pings with request id 0, which by the protocol ask for no reply (the worker must not answer
   * them), framed {@value #ONE_WAY_BATCH} at a time into as few writes as fit, with one flush per batch (see
   * {@link Transport#sendBatch}): the one-way stream a throughput measurement times; follow it with a normal
   * {@link #ping} and wait for its pong to know the worker has read everything. Blocks while the worker does not
   * read, as a send does. The same envelope is written {@code count} times: nothing is allocated per message.
   */
  public void sendOneWayPings(ByteString payload, int count) {
    ParentEnvelope oneWay = ParentEnvelope.newBuilder()
        .setRequestId(0)
        .setPing(Ping.newBuilder().setPayload(payload))
        .build();
    int size = oneWay.getSerializedSize();
    for (int sent = 0; sent < count; ) {
      int n = Math.min(ONE_WAY_BATCH, count - sent);
      transport.sendBatch(Collections.nCopies(n, oneWay));
      sent += n;
      messagesOut.addAndGet(n);
      bytesOut.addAndGet((long) n * (Frames.prefixBytes(size) + size));
    }
  }

  /**
   * Like {@link #ping(ByteString, Duration)}, but never blocks: the ping is offered, and the future fails at once
   * with a {@link WorkerFailedException} if too much already waits for a worker that does not read (see
   * {@link dev.ipclab.transport.Transport#offer}). For probes and load generators that must not hang.
   */
  public CompletableFuture<Pong> tryPing(ByteString payload, Duration timeout) {
    ParentEnvelope.Builder request = ParentEnvelope.newBuilder()
        .setPing(Ping.newBuilder().setPayload(payload).setParentSendNanos(System.nanoTime()));
    return request(request, timeout, true).thenApply(reply -> {
      if (!reply.hasPong()) {
        throw new IllegalStateException(name + " answered a ping with " + reply.getKindCase());
      }
      return reply.getPong();
    });
  }

  /**
   * Runs a task of {@code kind} on the worker; completes with its result, or fails with a
   * {@link RemoteErrorException} (unknown kind, bad payload, the handler threw), a {@link TimeoutException} after
   * {@code timeout}, or a {@link WorkerFailedException} when the channel dies first. The deadline travels with
   * the task, so the worker can log an overrun.
   */
  public CompletableFuture<TaskResult> submit(String kind, ByteString payload, Duration timeout) {
    return submitTask(kind, payload, timeout, 1).result();
  }

  /** A task sent to the worker: the request id that {@link #cancel} takes, and the future of its result. */
  public record SubmittedTask(long requestId, CompletableFuture<TaskResult> result) {}

  /**
   * Like {@link #submit}, but returns the request id too, so the task can be {@linkplain #cancel cancelled}. At
   * {@code deadline} the future fails with a {@link TimeoutException} and the worker is told to drop the task; the
   * worker enforces the same deadline, and its DEADLINE_EXCEEDED answer, if it comes first, is a
   * {@code TimeoutException} too.
   *
   * @param attempt which attempt this is, from 1, for the worker's log
   */
  public SubmittedTask submitTask(String kind, ByteString payload, Duration deadline, int attempt) {
    PendingRequests.Pending<WorkerEnvelope> p = pending.open();
    return new SubmittedTask(p.id(), taskResult(kind, send(p, taskRequest(kind, payload, deadline, attempt),
        deadline, false)));
  }

  /** One task of a {@link #submitTasks} batch. */
  record TaskRequest(String kind, ByteString payload, Duration deadline, int attempt) {}

  /**
   * Like {@link #submitTask} for each of {@code tasks}, in order, but framed into as few writes as fit with one
   * flush ({@link Transport#sendBatch}): a burst of tasks costs one system call, not one each. A failed write
   * fails every task of the batch with a {@link WorkerFailedException}, through its future.
   */
  java.util.List<SubmittedTask> submitTasks(java.util.List<TaskRequest> tasks) {
    if (acceptsBatches && tasks.size() > 1) {
      return submitBatched(tasks);
    }
    java.util.List<SubmittedTask> submitted = new java.util.ArrayList<>(tasks.size());
    java.util.List<ParentEnvelope> frames = new java.util.ArrayList<>(tasks.size());
    java.util.List<Long> ids = new java.util.ArrayList<>(tasks.size());
    long bytes = 0;
    for (TaskRequest t : tasks) {
      PendingRequests.Pending<WorkerEnvelope> p = pending.open();
      ParentEnvelope.Builder request = taskRequest(t.kind(), t.payload(), t.deadline(), t.attempt());
      ParentEnvelope envelope = prepare(p, request, t.deadline());
      if (envelope != null) {
        frames.add(envelope);
        ids.add(p.id());
        int size = envelope.getSerializedSize();
        bytes += Frames.prefixBytes(size) + size;
      }
      submitted.add(new SubmittedTask(p.id(), taskResult(t.kind(), p.reply())));
    }
    try {
      transport.sendBatch(frames);
      messagesOut.addAndGet(frames.size());
      bytesOut.addAndGet(bytes);
    } catch (RuntimeException e) {
      for (long id : ids) {
        pending.fail(id, new WorkerFailedException("cannot send to " + name + ": " + e.getMessage(), e));
      }
    }
    return submitted;
  }

  /**
   * {@link #submitTasks} to a worker that reads TaskBatch frames: the tasks go in as few of them as fit
   * ({@link TaskBatchFrames}), each with its own request id and deadline as a single task has; a task too large
   * for a batch goes in a frame of its own.
   */
  private java.util.List<SubmittedTask> submitBatched(java.util.List<TaskRequest> tasks) {
    java.util.List<SubmittedTask> submitted = new java.util.ArrayList<>(tasks.size());
    TaskBatchFrames frames = new TaskBatchFrames(maxFrameBytes);
    BurstDeadlines<Long> deadlines = new BurstDeadlines<>(timer, this::taskOverdue);
    java.util.List<Long> ids = new java.util.ArrayList<>(tasks.size());
    for (TaskRequest t : tasks) {
      PendingRequests.Pending<WorkerEnvelope> p = pending.open();
      Task task = task(t.kind(), t.payload(), t.deadline(), t.attempt());
      if (!p.reply().isDone()) { // else the channel is already dead; the future carries why
        deadlines.add(p.id(), p.reply(), t.deadline().toNanos());
        if (frames.add(p.id(), task)) {
          ids.add(p.id());
        } else {
          ParentEnvelope single = build(p, ParentEnvelope.newBuilder().setTask(task));
          if (single != null) {
            frames.addSingle(single);
            ids.add(p.id());
          }
        }
      }
      submitted.add(new SubmittedTask(p.id(), taskResult(t.kind(), p.reply())));
    }
    try {
      deadlines.start();
    } catch (java.util.concurrent.RejectedExecutionException e) {
      for (long id : ids) {
        pending.fail(id, new WorkerFailedException(name + ": its pool is closed", e));
      }
      return submitted;
    }
    java.util.List<ParentEnvelope> envelopes = frames.frames();
    try {
      transport.sendBatch(envelopes);
      messagesOut.addAndGet(envelopes.size());
      bytesOut.addAndGet(frames.bytes());
    } catch (RuntimeException e) {
      for (long id : ids) {
        pending.fail(id, new WorkerFailedException("cannot send to " + name + ": " + e.getMessage(), e));
      }
    }
    return submitted;
  }

  /** A task's deadline passed unanswered: its caller gets a timeout, and the worker is told to drop it. */
  private void taskOverdue(long id, long timeoutMs) {
    if (pending.fail(id, new TimeoutException(name + " did not answer TASK request " + id + " within " + timeoutMs
        + " ms"))) {
      tellWorkerToDrop(id, "the parent's deadline of " + timeoutMs + " ms passed");
    }
  }

  private static ParentEnvelope.Builder taskRequest(String kind, ByteString payload, Duration deadline,
      int attempt) {
    return ParentEnvelope.newBuilder().setTask(task(kind, payload, deadline, attempt));
  }

  private static Task task(String kind, ByteString payload, Duration deadline, int attempt) {
    return Task.newBuilder()
        .setKind(kind)
        .setPayload(payload)
        .setDeadlineMs((int) Math.min(Math.max(deadline.toMillis(), 1), Integer.MAX_VALUE))
        .setAttempt(attempt)
        .build();
  }

  private CompletableFuture<TaskResult> taskResult(String kind, CompletableFuture<WorkerEnvelope> reply) {
    return map(reply, envelope -> {
      if (!envelope.hasTaskResult()) {
        throw new IllegalStateException(name + " answered a " + kind + " task with " + envelope.getKindCase());
      }
      return envelope.getTaskResult();
    });
  }

  /**
   * Like {@code reply.thenApply(f)}, but a failure of the reply passes through as it is, not wrapped in a
   * CompletionException: a cancelled request's future then {@linkplain CompletableFuture#isCancelled is
   * cancelled}, and get() throws the CancellationException itself, with its reason.
   */
  private static <T> CompletableFuture<T> map(CompletableFuture<WorkerEnvelope> reply,
      java.util.function.Function<WorkerEnvelope, T> f) {
    CompletableFuture<T> mapped = new CompletableFuture<>();
    reply.whenComplete((envelope, error) -> {
      if (error != null) {
        mapped.completeExceptionally(error);
        return;
      }
      try {
        mapped.complete(f.apply(envelope));
      } catch (RuntimeException e) {
        mapped.completeExceptionally(e);
      }
    });
    return mapped;
  }

  /**
   * Drops task {@code requestId}: its future fails at once with a {@link CancellationException}, and the worker is
   * told, without blocking, to interrupt it; the warm worker stays. False if the task is no longer in flight.
   */
  public boolean cancel(long requestId, String reason) {
    if (!pending.fail(requestId, new CancellationException("task " + requestId + " on " + name + ": " + reason))) {
      return false;
    }
    tellWorkerToDrop(requestId, reason);
    return true;
  }

  private void tellWorkerToDrop(long requestId, String reason) {
    try {
      transport.offer(ParentEnvelope.newBuilder()
          .setCancel(CancelTask.newBuilder().setTaskRequestId(requestId).setReason(reason))
          .build());
      messagesOut.incrementAndGet();
    } catch (RuntimeException e) {
      log.fine(() -> "cancel of task " + requestId + " not sent to " + name + ": " + e);
    }
  }

  /** Asks the worker for its own counters; completes with them, or fails after {@code timeout}. */
  public CompletableFuture<WorkerStatus> status(Duration timeout) {
    ParentEnvelope.Builder request = ParentEnvelope.newBuilder().setStatusRequest(StatusRequest.getDefaultInstance());
    // Offered: a snapshot for `ipclab top` must never block on a worker that stopped reading.
    return request(request, timeout, true).thenApply(reply -> {
      if (!reply.hasWorkerStatus()) {
        throw new IllegalStateException(name + " answered a status request with " + reply.getKindCase());
      }
      return reply.getWorkerStatus();
    });
  }

  /** Asks the worker to exit; completes with its goodbye. */
  CompletableFuture<Goodbye> shutdown(String reason, long graceMs) {
    ParentEnvelope.Builder request = ParentEnvelope.newBuilder()
        .setShutdown(Shutdown.newBuilder().setReason(reason).setGraceMs((int) Math.min(graceMs, Integer.MAX_VALUE)));
    // Offered, not sent: shutting down a worker that stopped reading must not block the one shutting it down.
    return request(request, Duration.ofMillis(Math.max(graceMs, 1)), true).thenApply(WorkerEnvelope::getGoodbye);
  }

  /**
   * Sends a request with a fresh id. The reply future fails after {@code timeout}, and the request is then
   * forgotten, so an unanswered request never stays in flight for ever.
   *
   * @param offer queue the frame without ever blocking, instead of writing on this thread
   */
  private CompletableFuture<WorkerEnvelope> request(ParentEnvelope.Builder request, Duration timeout,
      boolean offer) {
    return send(pending.open(), request, timeout, offer);
  }

  private CompletableFuture<WorkerEnvelope> send(PendingRequests.Pending<WorkerEnvelope> p,
      ParentEnvelope.Builder request, Duration timeout, boolean offer) {
    ParentEnvelope envelope = prepare(p, request, timeout);
    if (envelope == null) {
      return p.reply();
    }
    int size = envelope.getSerializedSize();
    try {
      if (offer) {
        transport.offer(envelope);
      } else {
        transport.send(envelope);
      }
      messagesOut.incrementAndGet();
      bytesOut.addAndGet(Frames.prefixBytes(size) + size);
    } catch (RuntimeException e) {
      pending.fail(p.id(), new WorkerFailedException("cannot send to " + name + ": " + e.getMessage(), e));
    }
    return p.reply();
  }

  /**
   * Arms the request's deadline and builds its envelope; null (with {@code p} failed and the reason in its
   * future) if the channel is dead, the pool closed, or the frame too large to send.
   */
  private ParentEnvelope prepare(PendingRequests.Pending<WorkerEnvelope> p, ParentEnvelope.Builder request,
      Duration timeout) {
    return arm(p, request.getKindCase(), timeout) ? build(p, request) : null;
  }

  /**
   * Arms the deadline of request {@code p}, of {@code kind}; false (with {@code p} failed and the reason in its
   * future) if the channel is dead or the pool closed.
   */
  private boolean arm(PendingRequests.Pending<WorkerEnvelope> p, ParentEnvelope.KindCase kind, Duration timeout) {
    if (p.reply().isDone()) {
      return false; // the channel is already dead; the future carries why
    }
    long id = p.id();
    boolean task = kind == ParentEnvelope.KindCase.TASK;
    ScheduledFuture<?> deadline;
    try {
      deadline = timer.schedule(() -> {
        String late = name + " did not answer " + kind + " request " + id + " within " + timeout.toMillis()
            + " ms";
        // A task's deadline is the router's to word (TaskFailures); any other request's is the caller's answer.
        boolean overdue = pending.fail(id, task ? new TimeoutException(late)
            : new RequestTimeoutException(late, null));
        if (overdue && task) {
          // The caller has given up: the worker should stop spending a thread on it.
          tellWorkerToDrop(id, "the parent's deadline of " + timeout.toMillis() + " ms passed");
        }
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      pending.fail(id, new WorkerFailedException(name + ": its pool is closed", e));
      return false;
    }
    p.reply().whenComplete((reply, error) -> deadline.cancel(false));
    return true;
  }

  /** Builds request {@code p}'s envelope; null (with {@code p} failed) if it is too large to send. */
  private ParentEnvelope build(PendingRequests.Pending<WorkerEnvelope> p, ParentEnvelope.Builder request) {
    ParentEnvelope envelope = request.setRequestId(p.id()).build();
    int size = envelope.getSerializedSize();
    if (size > maxFrameBytes) {
      // The worker would refuse it and hang up; refuse it here instead, and keep the channel.
      pending.fail(p.id(), new IllegalArgumentException("a " + request.getKindCase() + " of "
          + Frames.describeBytes(size) + " exceeds the frame limit of " + Frames.describeBytes(maxFrameBytes)
          + "; send less, or raise --max-frame-bytes"));
      return null;
    }
    return envelope;
  }

  /** Queues a one-way heartbeat; never blocks, even on a worker that stopped reading. */
  void heartbeat() {
    ParentEnvelope beat = ParentEnvelope.newBuilder()
        .setHeartbeat(Heartbeat.newBuilder()
            .setSequence(heartbeatSequence.incrementAndGet())
            .setSendNanos(System.nanoTime()))
        .build();
    transport.offer(beat);
    messagesOut.incrementAndGet();
    int size = beat.getSerializedSize(); // memoized by the encoder's call
    bytesOut.addAndGet(Frames.prefixBytes(size) + size);
  }

  /** Handles one envelope from the worker, on the thread that read it. */
  void onMessage(WorkerEnvelope envelope) {
    lastHeardNanos = System.nanoTime();
    messagesIn.incrementAndGet();
    int size = envelope.getSerializedSize();
    bytesIn.addAndGet(Frames.prefixBytes(size) + size);
    long id = envelope.getRequestId();
    switch (envelope.getKindCase()) {
      case HEARTBEAT -> reportedThreads = envelope.getHeartbeat().getThreadCount();
      case PONG, GOODBYE, TASK_RESULT, WORKER_STATUS -> {
        if (!pending.complete(id, envelope)) {
          log.warning(() -> name + " sent a " + envelope.getKindCase() + " for request " + id
              + ", which is not in flight (late or duplicate); ignored");
        }
      }
      case ERROR -> onError(id, envelope.getError());
      case TASK_RESULT_BATCH -> onAnswers(envelope.getTaskResultBatch());
      case HELLO -> replyError(id, ErrorCode.ERROR_CODE_UNEXPECTED_KIND,
          "a second hello on an established channel; a worker says hello once");
      case KIND_NOT_SET -> replyError(id, ErrorCode.ERROR_CODE_UNKNOWN_KIND,
          "envelope " + id + " carries no kind this parent knows; is the worker newer than the parent?");
    }
  }

  private void onError(long id, ErrorReply error) {
    // A deadline is one outcome for the caller, whichever side noticed it first: a TimeoutException.
    Throwable cause = error.getCode() == ErrorCode.ERROR_CODE_DEADLINE_EXCEEDED
        ? new TimeoutException(name + ": " + error.getMessage())
        : new RemoteErrorException(name, error.getCode(), error.getMessage());
    if (id == 0 || !pending.fail(id, cause)) {
      if (error.getCode() == ErrorCode.ERROR_CODE_CANCELLED
          || error.getCode() == ErrorCode.ERROR_CODE_DEADLINE_EXCEEDED) {
        // The worker confirms a drop the parent asked for; the caller has its answer already.
        log.fine(() -> name + " dropped task " + id + ": " + error.getMessage());
      } else {
        log.warning(() -> name + " reports an error (" + error.getCode() + "): " + error.getMessage());
      }
    }
  }

  /**
   * Delivers each answer of a TaskResultBatch as its single frame would be delivered, then runs the after-burst
   * hook once: the room the answers freed is filled with one batch, not one task at a time.
   */
  private void onAnswers(TaskResultBatch answers) {
    deliveringBurst = Thread.currentThread();
    try {
      for (TaskAnswer a : answers.getAnswersList()) {
        long id = a.getRequestId();
        if (a.hasResult()) {
          if (!pending.complete(id, TaskBatchFrames.asEnvelope(a))) {
            log.warning(() -> name + " sent a batched result for task " + id + ", which is not in flight (late or"
                + " duplicate); ignored");
          }
        } else {
          onError(id, a.getError());
        }
      }
    } finally {
      deliveringBurst = null;
    }
    afterAnswerBurst.run();
  }

  /** Whether the calling thread is delivering the answers of a TaskResultBatch, whose end runs the hook. */
  boolean deliveringAnswerBurst() {
    return deliveringBurst == Thread.currentThread();
  }

  /** Sets what runs after the answers of each TaskResultBatch have been delivered. */
  void afterAnswerBurst(Runnable hook) {
    afterAnswerBurst = hook;
  }

  private void replyError(long id, ErrorCode code, String message) {
    log.warning(() -> name + ": " + message);
    transport.offer(ParentEnvelope.newBuilder()
        .setRequestId(id)
        .setError(ErrorReply.newBuilder().setCode(code).setMessage(message))
        .build());
  }

  /** Fails every request in flight, and every later one, with {@code cause}. */
  void failAll(Throwable cause) {
    pending.failAll(cause);
  }

  /** The counters now, as one value. */
  WorkerTraffic traffic() {
    return new WorkerTraffic(messagesIn.get(), messagesOut.get(), bytesIn.get(), bytesOut.get(), pending.inFlight(),
        reportedThreads, lastHeardNanos);
  }

  /** System.nanoTime() when the last frame from the worker arrived. */
  public long lastHeardNanos() {
    return lastHeardNanos;
  }

  public long messagesIn() {
    return messagesIn.get();
  }

  public long messagesOut() {
    return messagesOut.get();
  }

  /** Bytes of the frames from and to the worker, length prefixes included. */
  public long bytesIn() {
    return bytesIn.get();
  }

  public long bytesOut() {
    return bytesOut.get();
  }

  /** Requests sent and not yet answered. */
  public int inFlight() {
    return pending.inFlight();
  }

  /** The worker's Java thread count from its last heartbeat; 0 before the first. */
  public int reportedThreads() {
    return reportedThreads;
  }

  /** Turns a protocol error into the error reply the worker gets before the channel closes. */
  static ParentEnvelope errorReply(ProtocolException e) {
    return ParentEnvelope.newBuilder()
        .setError(ErrorReply.newBuilder().setCode(e.code()).setMessage(e.getMessage()))
        .build();
  }
}
