package dev.ipclab.parent;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Protocol;
import dev.ipclab.transport.ShmChannel;
import dev.ipclab.transport.ShmFile;
import dev.ipclab.transport.StreamTransport;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.logging.Logger;

/** Starts a worker OS process: its command, environment and redirects, its shm file, and its pipe or shm channel. */
final class WorkerLauncher {
  // The worker's own logger, so that its spawn is logged where the rest of its life is.
  private static final Logger log = Logger.getLogger(WorkerProcess.class.getName());

  private static final SecureRandom RANDOM = new SecureRandom();

  private WorkerLauncher() {}

  /**
   * The pool's real {@link WorkerFactory}: each worker gets a fresh token, and connects to {@code serverAddress}
   * (asked at each spawn; null for pipes) or, on shm, to a file of its own in {@code runDirectory}.
   */
  static WorkerFactory factory(PoolSettings settings, ScheduledExecutorService timer, RunDirectory runDirectory,
      Supplier<String> serverAddress) {
    return (id, logFile, registry) -> {
      String token = HexFormat.of().formatHex(randomBytes());
      // An shm worker gets a file of its own, named by the path it maps; socket workers share the server's address.
      String connect = settings.transport() == TransportKind.SHM ? runDirectory.newShmFile(id).toString()
          : serverAddress.get();
      return spawn(id, token, settings, connect, logFile, timer, registry);
    };
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32]; // 256 bits, twice the 128 the protocol asks for
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /**
   * Spawns worker {@code id}. Its stderr (and, on socket transports, its stdout) go straight to {@code logFile}:
   * the kernel writes them, so no pipe can fill up and stall the worker, and the log survives the parent. On shm
   * its stdin and stdout stay pipes to this process: they are the doorbells.
   *
   * @param connect the socket address for tcp/uds workers, the shm file to create for shm, or null for pipes
   * @param registry judges the worker's hello on a pipe (socket hellos go through the server)
   */
  static WorkerProcess spawn(int id, String token, PoolSettings settings, String connect, Path logFile,
      ScheduledExecutorService timer, WorkerRegistry registry) throws IOException {
    List<String> command = WorkerCommand.build(settings.workerJar(), settings.launch(), id, settings.transport(),
        settings.idle(), connect, settings.maxFrameBytes(), settings.extraJvmArgs(), logFile.getParent());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(settings.launch().environment());
    builder.environment().putAll(WorkerCommand.environment(id, settings.transport(), settings.idle(), connect,
        settings.maxFrameBytes()));
    builder.environment().put(Protocol.TOKEN_ENV, token);
    String fault = settings.faults().get(id);
    if (fault != null) {
      builder.environment().put("IPCLAB_FAULT", fault);
    } else {
      builder.environment().remove("IPCLAB_FAULT");
    }
    builder.redirectError(Redirect.appendTo(logFile.toFile()));
    TransportKind kind = settings.transport();
    if (kind == TransportKind.TCP || kind == TransportKind.UDS) {
      builder.redirectOutput(Redirect.appendTo(logFile.toFile()));
    }
    // The rings exist before the worker does: it maps the file as soon as it starts.
    ShmFile shm = kind == TransportKind.SHM ? ShmFile.create(Path.of(connect), ShmFile.DEFAULT_RING_BYTES) : null;
    long started = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      if (shm != null) {
        Files.deleteIfExists(shm.path());
      }
      throw e;
    }
    WorkerProcess worker = new WorkerProcess(id, token, settings, logFile, timer, process, started,
        shm == null ? null : shm.path());
    log.info(() -> worker.name() + " pid " + process.pid() + " spawned (" + settings.transport() + ")");
    process.onExit().thenRun(worker::onProcessExitSafely);
    if (kind == TransportKind.PIPE || kind == TransportKind.SHM) {
      StreamTransport<WorkerEnvelope, ParentEnvelope> pipe = kind == TransportKind.PIPE
          ? new StreamTransport<>(WorkerStdout.of(process, worker.name()), process.getOutputStream(),
              WorkerEnvelope.parser(), settings.maxFrameBytes(),
              "stdin/stdout of " + worker.name() + " pid " + process.pid(), "ipclab-pipe-reader-" + id,
              settings.idle())
          : ShmChannel.transport(shm, ShmChannel.Side.PARENT, settings.idle(), WorkerStdout.of(process, worker.name()),
              process.getOutputStream(), WorkerEnvelope.parser(), settings.maxFrameBytes(),
              "shm " + shm.path() + " of " + worker.name() + " pid " + process.pid(), "ipclab-shm-reader-" + id);
      // On a pipe or an shm file, only this worker may say hello, whatever id it claims.
      WorkerRegistry onlyThisWorker = (hello, transport, peer) -> {
        WorkerRegistry.Admission admission = registry.admit(hello, transport, peer);
        return !admission.accepted() || admission.worker() == worker ? admission
            : WorkerRegistry.Admission.reject(RejectReason.REJECT_REASON_UNKNOWN_WORKER, "a hello claiming worker-"
                + hello.getWorkerId() + " arrived on the pipe of " + worker.name());
      };
      HandshakeGate.guard(onlyThisWorker, pipe, null, timer, settings.handshakeTimeout().toMillis(),
          worker::onRefused);
    }
    return worker;
  }
}
