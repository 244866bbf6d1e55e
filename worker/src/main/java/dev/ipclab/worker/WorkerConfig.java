package dev.ipclab.worker;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.frame.Frames;
import dev.ipclab.transport.protocol.Protocol;
import java.util.Map;
import java.util.Properties;

/**
 * A worker's settings, read from its command line ({@code -Dipclab.*}) and environment (the token). Each property
 * that is absent falls back to the environment variable a worker in any language reads ({@code IPCLAB_WORKER_ID},
 * {@code IPCLAB_TRANSPORT}, {@code IPCLAB_CONNECT}, {@code IPCLAB_MAX_FRAME_BYTES}, {@code IPCLAB_IDLE}; the pool
 * sets both), so that a plain {@code java -cp ipclab-worker.jar dev.ipclab.worker.WorkerMain} started by any
 * parent, {@code ipclab conform} among them, works.
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

  /** Environment variables read where the matching {@code -Dipclab.*} property is absent. */
  static final String WORKER_ID_ENV = "IPCLAB_WORKER_ID";
  static final String TRANSPORT_ENV = "IPCLAB_TRANSPORT";
  static final String CONNECT_ENV = "IPCLAB_CONNECT";
  static final String MAX_FRAME_ENV = "IPCLAB_MAX_FRAME_BYTES";
  static final String IDLE_ENV = "IPCLAB_IDLE";

  /** The property, else the environment variable, else {@code fallback}. */
  private static String setting(Properties props, Map<String, String> env, String property, String variable,
      String fallback) {
    String value = props.getProperty(property);
    if (value == null) {
      value = env.get(variable);
    }
    return value != null ? value : fallback;
  }

  static WorkerConfig from(Properties props, Map<String, String> env) throws BadConfigurationException {
    String id = setting(props, env, Protocol.WORKER_ID_PROPERTY, WORKER_ID_ENV, null);
    int workerId;
    try {
      workerId = Integer.parseInt(id);
    } catch (NumberFormatException e) {
      throw new BadConfigurationException("expected -D" + Protocol.WORKER_ID_PROPERTY
          + "=N (or " + WORKER_ID_ENV + "=N) with N >= 1, got '" + id
          + "'. Workers are started by the ipclab parent, not by hand.");
    }
    if (workerId < 1) {
      throw new BadConfigurationException("worker id must be 1 or more, got " + workerId);
    }
    TransportKind transport;
    try {
      transport = TransportKind.fromCliName(setting(props, env, Protocol.TRANSPORT_PROPERTY, TRANSPORT_ENV, "pipe"));
    } catch (IllegalArgumentException e) {
      throw new BadConfigurationException(e.getMessage());
    }
    String connect = setting(props, env, Protocol.CONNECT_PROPERTY, CONNECT_ENV, null);
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
          setting(props, env, Protocol.MAX_FRAME_PROPERTY, MAX_FRAME_ENV,
              Integer.toString(Frames.DEFAULT_MAX_FRAME_BYTES)));
    } catch (NumberFormatException e) {
      throw new BadConfigurationException("-D" + Protocol.MAX_FRAME_PROPERTY + " must be a number of bytes");
    }
    IdleStrategy idle;
    try {
      idle = IdleStrategy.fromCliName(setting(props, env, Protocol.IDLE_PROPERTY, IDLE_ENV, "block"));
    } catch (IllegalArgumentException e) {
      throw new BadConfigurationException("-D" + Protocol.IDLE_PROPERTY + ": " + e.getMessage());
    }
    String fault = props.getProperty(Protocol.FAULT_PROPERTY, env.get("IPCLAB_FAULT"));
    return new WorkerConfig(workerId, transport, connect, token, maxFrame, idle, fault);
  }
}
