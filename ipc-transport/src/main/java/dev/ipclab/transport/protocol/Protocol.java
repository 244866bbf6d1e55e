package dev.ipclab.transport.protocol;

import dev.ipclab.transport.IdleStrategy;

/** Constants both sides agree on outside the .proto: the revision, and how a worker is told who it is. */
public final class Protocol {
  /** The revision of {@code ipclab/v1/ipclab.proto} this code speaks. */
  public static final int VERSION = 1;

  /** Environment variable carrying the worker's secret token; the environment, unlike argv, is not shown by ps. */
  public static final String TOKEN_ENV = "IPCLAB_TOKEN";

  /** System property on every ipclab JVM's command line: {@code parent}, {@code worker} or {@code test}. */
  public static final String ROLE_PROPERTY = "ipclab.role";

  /** System property carrying a worker's id (1 or more). */
  public static final String WORKER_ID_PROPERTY = "ipclab.worker.id";

  /** System property naming the transport a worker uses: pipe, tcp, uds or shm. */
  public static final String TRANSPORT_PROPERTY = "ipclab.transport";

  /** System property with the address a socket worker connects to: {@code host:port}, a socket path, or the shm file. */
  public static final String CONNECT_PROPERTY = "ipclab.connect";

  /** System property with the frame size limit in bytes. */
  public static final String MAX_FRAME_PROPERTY = "ipclab.maxFrameBytes";

  /** System property or environment variable switching on a test fault in the worker; see the worker's Faults. */
  public static final String FAULT_PROPERTY = "ipclab.fault";

  /** System property naming how the worker's reader waits: block or spin (see {@link IdleStrategy}). */
  public static final String IDLE_PROPERTY = "ipclab.idle";

  /**
   * Set (to the run's marker) only on workers of {@code ipclab chaos}: they alone register the chaos task kinds,
   * which halt the worker or corrupt its channel on request. Also how the run finds its processes in /proc.
   */
  public static final String CHAOS_RUN_PROPERTY = "ipclab.chaos.run";

  private Protocol() {}
}
