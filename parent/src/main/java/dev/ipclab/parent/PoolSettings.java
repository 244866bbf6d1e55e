package dev.ipclab.parent;

import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What a {@link WorkerPoolBuilder} collected; every worker of the pool is started and watched with these. */
record PoolSettings(
    int workers,
    TransportKind transport,
    IdleStrategy idle,
    Duration heartbeatInterval,
    Duration heartbeatTimeout,
    Duration handshakeTimeout,
    Duration readyTimeout,
    Duration shutdownGrace,
    int maxFrameBytes,
    Path workerJar,
    List<String> extraJvmArgs,
    Map<Integer, String> faults,
    boolean keepLogs,
    TaskRouter.Limits limits,
    int maxRestarts,
    Duration restartPeriod,
    Duration restartBackoffInitial,
    Duration restartBackoffMax,
    PoolListener listener,
    WorkerLaunch launch,
    boolean inspectable,
    boolean closeOnJvmShutdown,
    int spares) {}
