package dev.ipclab.cli.conform;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.protocol.Protocol;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Starts a worker command the way the pool starts one: the same environment variables and token, stderr appended
 * to a log file; stdout stays a pipe to this process (the protocol on a pipe, evidence of stray output otherwise).
 */
final class WorkerSpawn {
  /** The id every worker gets here: conform runs one worker at a time. */
  static final int WORKER_ID = 1;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WorkerSpawn() {}

  /** A fresh token: 256 random bits in hex, as the pool issues. */
  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * The variables a pool worker gets (see the parent's WorkerCommand.environment), over this process's own:
   * IPCLAB_WORKER_ID, IPCLAB_TRANSPORT, IPCLAB_CONNECT (sockets only), IPCLAB_MAX_FRAME_BYTES, IPCLAB_IDLE and
   * IPCLAB_TOKEN; an inherited IPCLAB_CONNECT or IPCLAB_FAULT is removed.
   */
  static void environment(Map<String, String> env, TransportKind transport, String connect, int maxFrameBytes,
      String token) {
    env.remove("IPCLAB_FAULT");
    env.remove("IPCLAB_CONNECT");
    env.put("IPCLAB_WORKER_ID", Integer.toString(WORKER_ID));
    env.put("IPCLAB_TRANSPORT", transport.cliName());
    if (connect != null) {
      env.put("IPCLAB_CONNECT", connect);
    }
    env.put("IPCLAB_MAX_FRAME_BYTES", Integer.toString(maxFrameBytes));
    env.put("IPCLAB_IDLE", IdleStrategy.BLOCK.cliName());
    env.put(Protocol.TOKEN_ENV, token);
  }

  static Process start(List<String> command, TransportKind transport, String connect, int maxFrameBytes,
      String token, Path stderrLog) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    environment(builder.environment(), transport, connect, maxFrameBytes, token);
    builder.redirectError(Redirect.appendTo(stderrLog.toFile()));
    try {
      return builder.start();
    } catch (IOException e) {
      throw new IOException("cannot start the worker command " + command + ": " + e.getMessage(), e);
    }
  }

  static int defaultMaxFrameBytes() {
    return Frames.DEFAULT_MAX_FRAME_BYTES;
  }
}
