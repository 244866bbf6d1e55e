package dev.ipclab.worker;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.Goodbye;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.JvmFacts;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.proto.v1.Welcome;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.protocol.Protocol;
import dev.ipclab.transport.ProtocolException;
import dev.ipclab.transport.TransportListener;
import dev.ipclab.transport.protocol.WorkerExitCodes;
import dev.ipclab.worker.internal.TaskBatchRunner;
import dev.ipclab.worker.internal.TaskModules;
import dev.ipclab.worker.internal.TaskRunner;
import java.io.IOException;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The worker's side of one conversation with the parent: says hello, then dispatches each envelope by kind on
 * the thread that read it, and decides when the worker exits.
 *
 * <pre>
 *   AWAITING_WELCOME ──Welcome──▶ SERVING ──Shutdown──▶ (Goodbye, exit 0)
 *         │                          │
 *         └──Reject──▶ (exit 4)      └──protocol error / channel lost──▶ (exit 3 or 5)
 * </pre>
 */
final class WorkerSession implements TransportListener<ParentEnvelope> {

  private final WorkerConfig config;
  private final CountingTransport transport;
  private final Faults faults;
  private final JvmFacts facts;
  private final CompletableFuture<Integer> exit;
  private final WorkerHeartbeat heartbeat;
  private final TaskModules modules;
  private final TaskRunner tasks;
  private final TaskBatchRunner batches;
  private final AtomicLong served = new AtomicLong();
  private volatile boolean welcomed;
  /** The parent sent an error reply; if it then hangs up, that is a protocol failure, not a lost parent. */
  private volatile boolean parentReportedError;
  private int pings;

  /**
   * @param modules the worker's task modules, started here with its id and, in a worker of a fault-injection run,
   *     the fault hooks
   * @throws IllegalStateException when a module fails to start
   */
  WorkerSession(WorkerConfig config, CountingTransport transport, Faults faults,
      JvmFacts facts, CompletableFuture<Integer> exit, List<TaskModule> modules) {
    this.config = config;
    this.transport = transport;
    this.faults = faults;
    this.facts = facts;
    this.exit = exit;
    this.heartbeat = new WorkerHeartbeat(transport);
    // Fault hooks halt or corrupt this worker on request: only a worker started by a chaos run has them.
    boolean chaos = System.getProperty(Protocol.CHAOS_RUN_PROPERTY) != null;
    this.modules = TaskModules.start(modules, config.workerId(), chaos ? faultHooks() : null);
    this.tasks = TaskRunner.over(this.modules.registry(), transport);
    this.batches = new TaskBatchRunner(tasks, transport::send);
  }

  /**
   * What fault injection may touch: the raw channel and the pause of its reading, nothing else. The transport
   * pauses: on a socket the thread that reads also writes, so it must not sleep, or the heartbeats would stop too.
   */
  private FaultHooks faultHooks() {
    return new FaultHooks() {
      @Override
      public void writeRaw(byte[] bytes) {
        transport.writeRaw(bytes);
      }

      @Override
      public void pauseReading(long millis) {
        transport.pauseReading(millis);
      }
    };
  }

  /** Starts reading and sends the hello. */
  void begin() {
    transport.start(this);
    if (faults.is(Faults.Kind.NO_HELLO)) {
      log().warning("fault no-hello: not sending the hello");
      return;
    }
    if (faults.is(Faults.Kind.SLOW_HELLO)) {
      log().warning(() -> "fault slow-hello: waiting " + faults.after() + " ms before the hello");
      try {
        Thread.sleep(faults.after());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Hello.Builder hello = Hello.newBuilder()
        .setWorkerId(config.workerId())
        .setPid(ProcessHandle.current().pid())
        .setPpid(ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(0L))
        .setProtocolVersion(faults.is(Faults.Kind.PROTOCOL_VERSION) ? faults.after() : Protocol.VERSION)
        .setToken(faults.is(Faults.Kind.BAD_TOKEN) ? "0".repeat(64) : config.token())
        .setJvm(facts)
        .addAllTaskKinds(modules.registry().kinds())
        .setAcceptsTaskBatches(true);
    transport.send(WorkerEnvelope.newBuilder().setHello(hello).build());
    log().info(() -> "hello sent to " + transport.describe());
  }

  /** Stops the heartbeat and the task threads; called once the exit status is decided. */
  void stop() {
    heartbeat.stop();
    tasks.close();
    modules.close();
  }

  @Override
  public void onMessage(ParentEnvelope envelope) {
    heartbeat.heard();
    if (parentReportedError) { // read first: a volatile store on every frame costs the reading thread
      parentReportedError = false; // only an error that is the parent's last word explains a hang-up
    }
    switch (envelope.getKindCase()) {
      case WELCOME -> onWelcome(envelope.getWelcome());
      case REJECT -> {
        log().severe(() -> "the parent rejected this worker (" + envelope.getReject().getReason() + "): "
            + envelope.getReject().getMessage());
        exit.complete(WorkerExitCodes.REJECTED);
      }
      case PING -> onPing(envelope.getRequestId(), envelope.getPing());
      case TASK -> {
        if (!welcomed) {
          replyError(envelope.getRequestId(), ErrorCode.ERROR_CODE_UNEXPECTED_KIND,
              "task before the handshake completed");
        } else {
          if (faults.is(Faults.Kind.EXIT_ON_TASK) && served.get() >= faults.after()) {
            log().warning(() -> "fault exit-on-task:" + faults.after() + ": exiting mid-task");
            Runtime.getRuntime().halt(WorkerExitCodes.FAULT_EXIT);
          }
          served.incrementAndGet();
          tasks.submit(envelope.getRequestId(), envelope.getTask());
        }
      }
      case TASK_BATCH -> {
        if (!welcomed) {
          replyError(0, ErrorCode.ERROR_CODE_UNEXPECTED_KIND, "task batch before the handshake completed");
        } else {
          if (faults.is(Faults.Kind.EXIT_ON_TASK)
              && served.get() + envelope.getTaskBatch().getTasksCount() > faults.after()) {
            log().warning(() -> "fault exit-on-task:" + faults.after() + ": exiting mid-batch");
            Runtime.getRuntime().halt(WorkerExitCodes.FAULT_EXIT);
          }
          served.addAndGet(envelope.getTaskBatch().getTasksCount());
          batches.run(envelope.getTaskBatch());
        }
      }
      case CANCEL -> tasks.cancel(envelope.getCancel().getTaskRequestId(), envelope.getCancel().getReason());
      case STATUS_REQUEST -> {
        // Answered here on the reading thread: reading a few counters is cheaper than a hop to another thread.
        transport.send(WorkerEnvelope.newBuilder()
            .setRequestId(envelope.getRequestId())
            .setWorkerStatus(transport.status())
            .build());
      }
      case HEARTBEAT -> {
        // heard() above is all a heartbeat is for.
      }
      case SHUTDOWN -> {
        log().info(() -> "shutdown requested: " + envelope.getShutdown().getReason());
        heartbeat.stop();
        transport.send(WorkerEnvelope.newBuilder()
            .setRequestId(envelope.getRequestId())
            .setGoodbye(Goodbye.newBuilder().setRequestsServed(served.get()))
            .build());
        exit.complete(WorkerExitCodes.OK);
      }
      case ERROR -> {
        parentReportedError = true;
        log().warning(() -> "the parent reports an error (" + envelope.getError().getCode() + "): "
            + envelope.getError().getMessage());
      }
      case KIND_NOT_SET -> replyError(envelope.getRequestId(), ErrorCode.ERROR_CODE_UNKNOWN_KIND,
          "envelope " + envelope.getRequestId() + " carries no kind this worker knows (protocol revision "
              + Protocol.VERSION + "); is the parent newer than the worker?");
    }
  }

  private void onWelcome(Welcome welcome) {
    if (welcomed) {
      replyError(0, ErrorCode.ERROR_CODE_UNEXPECTED_KIND, "a second welcome; the handshake is already done");
      return;
    }
    welcomed = true;
    heartbeat.start(welcome.getHeartbeatIntervalMs(), welcome.getHeartbeatTimeoutMs());
    log().info(() -> "welcomed by parent pid " + welcome.getParentPid() + "; heartbeat every "
        + welcome.getHeartbeatIntervalMs() + " ms");
  }

  private void onPing(long requestId, Ping ping) {
    if (!welcomed) {
      replyError(requestId, ErrorCode.ERROR_CODE_UNEXPECTED_KIND, "ping before the handshake completed");
      return;
    }
    if (requestId == 0) {
      // Id 0 means one-way on the wire: counted, never answered, so a stream of them measures throughput.
      served.incrementAndGet();
      return;
    }
    long received = System.nanoTime(); // only for an answered ping: a one-way one needs no clock read
    if (faultBeforeReply()) {
      return;
    }
    transport.send(WorkerEnvelope.newBuilder()
        .setRequestId(requestId)
        .setPong(Pong.newBuilder()
            .setPayload(ping.getPayload())
            .setParentSendNanos(ping.getParentSendNanos())
            .setWorkerReceiveNanos(received)
            .setWorkerSendNanos(System.nanoTime()))
        .build());
    served.incrementAndGet();
    faultAfterReply();
  }

  /** Faults that strike instead of the reply to ping N+1; true if the reply must not be sent. */
  private boolean faultBeforeReply() {
    pings++;
    if (pings <= faults.after()) {
      return false;
    }
    switch (faults.kind()) {
      case EXIT_AFTER -> {
        log().warning(() -> "fault exit-after:" + faults.after() + ": exiting mid-request");
        Runtime.getRuntime().halt(WorkerExitCodes.FAULT_EXIT);
      }
      case HANG_AFTER -> {
        log().warning(() -> "fault hang-after:" + faults.after() + ": hanging, heartbeats stopped");
        heartbeat.stop();
        while (true) {
          try {
            Thread.sleep(Long.MAX_VALUE);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
          }
        }
      }
      default -> {
        return false;
      }
    }
    return false;
  }

  /** Faults that strike right after the N-th reply. */
  private void faultAfterReply() {
    if (pings != faults.after()) {
      return;
    }
    switch (faults.kind()) {
      case GARBAGE_AFTER -> {
        log().warning("fault garbage-after: writing bytes that are not a frame");
        transport.writeRaw(Faults.garbage());
      }
      case HUGE_FRAME_AFTER -> {
        log().warning("fault huge-frame-after: announcing a 2 GiB frame");
        transport.writeRaw(Faults.hugeFramePrefix());
      }
      case STDOUT_AFTER -> {
        log().warning("fault stdout-after: printing a stray line to System.out");
        System.out.println("stray line printed to System.out by worker " + config.workerId());
      }
      case RAW_STDOUT_AFTER -> {
        log().warning("fault raw-stdout-after: writing a line to file descriptor 1, past System.out");
        try {
          // Not closed: that would close fd 1 itself, the pipe's protocol stream.
          new FileOutputStream(FileDescriptor.out).write(Faults.rawStdoutLine(config.workerId()));
        } catch (IOException e) {
          log().warning("fault raw-stdout-after: the write failed: " + e.getMessage());
        }
      }
      default -> {}
    }
  }

  private void replyError(long requestId, ErrorCode code, String message) {
    log().warning(message);
    transport.send(WorkerEnvelope.newBuilder()
        .setRequestId(requestId)
        .setError(ErrorReply.newBuilder().setCode(code).setMessage(message))
        .build());
  }

  @Override
  public void onProtocolError(ProtocolException error) {
    log().severe(() -> "protocol error: " + error.getMessage());
    transport.sendAndClose(WorkerEnvelope.newBuilder()
        .setError(ErrorReply.newBuilder().setCode(error.code()).setMessage(error.getMessage()))
        .build());
    exit.complete(WorkerExitCodes.PROTOCOL_ERROR);
  }

  @Override
  public void onClosed(Throwable cause) {
    if (exit.isDone()) {
      return;
    }
    if (cause == null && parentReportedError) {
      log().severe(() -> "the parent closed the channel after reporting an error; exiting");
      exit.complete(WorkerExitCodes.PROTOCOL_ERROR);
    } else if (cause == null) {
      log().warning(() -> "the parent closed the channel (" + transport.describe() + "); exiting");
      exit.complete(WorkerExitCodes.PARENT_GONE);
    } else {
      log().severe(() -> "the channel to the parent failed: " + cause);
      exit.complete(WorkerExitCodes.PROTOCOL_ERROR);
    }
  }

  /** Not a field: creating it at class initialization would start java.util.logging on the way to the hello. */
  private static Logger log() {
    return WorkerLog.logger(WorkerSession.class);
  }
}
