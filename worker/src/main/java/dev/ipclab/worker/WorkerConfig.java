package dev.ipclab.worker;

import dev.ipclab.transport.Frames;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.Protocol;
import dev.ipclab.transport.TransportKind;
import java.util.Map;
import java.util.Properties;

/**
 * A worker's settings, read from its command line ({@code -Dipclab.*}) and environment (the token).
 *
 * @param workerId this worker's id, 1 or more ({@code -Dipclab.worker.id})
 * @param transport how to reach the parent ({@code -Dipclab.transport}, default pipe)
 * @param connect for tcp {@code 127.0.0.1:port}, for uds the socket path, for shm the mapped file; null for pipe ({@code -Dipclab.connect})
 * @param token the secret from {@code IPCLAB_TOKEN}
 * @param maxFrameBytes the frame limit ({@code -Dipclab.maxFrameBytes}, default 16 MiB)
 * @param idle how the reader waits ({@code -Dipclab.idle}, default block)
 * @param fault a test fault spec or null ({@code -Dipclab.fault} or {@code IPCLAB_FAULT})
 */
record WorkerConfig(
    int workerId, TransportKind transport, String connect, String token, int maxFrameBytes, IdleStrategy idle,
    String fault) {

  /** Thrown for settings that cannot work; the message says which and what to do. */
  static final class BadConfigurationException extends Exception {
    private static final long serialVersionUID = 1L;

    BadConfigurationException(String message) {
      super(message);
    }
  }

  /** The name this worker goes by in logs: {@code worker-3}. */
  String name() {
    return "worker-" + workerId;
  }

  static WorkerConfig from(Properties props, Map<String, String> env) throws BadConfigurationException {
    String id = props.getProperty(Protocol.WORKER_ID_PROPERTY);
    int workerId;
    try {
      workerId = Integer.parseInt(id);
    } catch (NumberFormatException e) {
      throw new BadConfigurationException("expected -D" + Protocol.WORKER_ID_PROPERTY
          + "=N with N >= 1, got '" + id + "'. Workers are started by the ipclab parent, not by hand.");
    }
    if (workerId < 1) {
      throw new BadConfigurationException("worker id must be 1 or more, got " + workerId);
    }
    TransportKind transport;
    try {
      transport = TransportKind.fromCliName(props.getProperty(Protocol.TRANSPORT_PROPERTY, "pipe"));
    } catch (IllegalArgumentException e) {
      throw new BadConfigurationException(e.getMessage());
    }
    String connect = props.getProperty(Protocol.CONNECT_PROPERTY);
    if (transport != TransportKind.PIPE && (connect == null || connect.isBlank())) {
      throw new BadConfigurationException("transport " + transport + " needs -D" + Protocol.CONNECT_PROPERTY
          + "=<address>, the address the parent listens on");
    }
    String token = env.get(Protocol.TOKEN_ENV);
    if (token == null || token.length() < 32) {
      throw new BadConfigurationException("expected a token of at least 128 bits (32 hex digits) in the "
          + Protocol.TOKEN_ENV + " environment variable, found "
          + (token == null ? "none" : token.length() + " characters"));
    }
    int maxFrame;
    try {
      maxFrame = Integer.parseInt(
          props.getProperty(Protocol.MAX_FRAME_PROPERTY, Integer.toString(Frames.DEFAULT_MAX_FRAME_BYTES)));
    } catch (NumberFormatException e) {
      throw new BadConfigurationException("-D" + Protocol.MAX_FRAME_PROPERTY + " must be a number of bytes");
    }
    IdleStrategy idle;
    try {
      idle = IdleStrategy.fromCliName(props.getProperty(Protocol.IDLE_PROPERTY, "block"));
    } catch (IllegalArgumentException e) {
      throw new BadConfigurationException("-D" + Protocol.IDLE_PROPERTY + ": " + e.getMessage());
    }
    String fault = props.getProperty(Protocol.FAULT_PROPERTY, env.get("IPCLAB_FAULT"));
    return new WorkerConfig(workerId, transport, connect, token, maxFrame, idle, fault);
  }
}
