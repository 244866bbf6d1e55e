package dev.ipclab.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.frame.Frames;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * Two real connected ends of one {@link Transport} implementation for a test, and their cleanup: after each test
 * both ends are closed, what the subclass made is released, and no thread of the test may be left.
 *
 * <p>A subclass supplies the pair: a parent end ({@code <WorkerEnvelope, ParentEnvelope>}) and a worker end
 * ({@code <ParentEnvelope, WorkerEnvelope>}) over a real OS channel, both not yet started. Every thread a subclass
 * starts has a name beginning with {@value #THREAD_PREFIX}, so that the check finds any left behind.
 */
abstract class TransportPairTest {
  static final String THREAD_PREFIX = "conf-";

  /**
   * Two connected ends, neither started.
   *
   * @param parentPeer what the parent end must say it talks to ({@link Transport#describe()})
   * @param workerPeer what the worker end must say it talks to
   */
  record Ends(
      Transport<WorkerEnvelope, ParentEnvelope> parent,
      Transport<ParentEnvelope, WorkerEnvelope> worker,
      String parentPeer,
      String workerPeer) {}

  /** Connects a new pair whose ends both refuse inbound frames over {@code maxFrameBytes}. */
  abstract Ends connect(int maxFrameBytes) throws Exception;

  /** The kind both ends must report. */
  abstract TransportKind kind();

  /** The class both ends must be. */
  abstract Class<?> implementation();

  /** Frees what {@link #connect} made beyond the two ends (event loops, server channels); both ends are closed. */
  void release() throws Exception {}

  Ends ends;
  final EventRecorder<WorkerEnvelope> parentSeen = new EventRecorder<>();
  final EventRecorder<ParentEnvelope> workerSeen = new EventRecorder<>();

  Transport<WorkerEnvelope, ParentEnvelope> parent() {
    return ends.parent();
  }

  Transport<ParentEnvelope, WorkerEnvelope> worker() {
    return ends.worker();
  }

  void open(int maxFrameBytes) throws Exception {
    ends = connect(maxFrameBytes);
  }

  void openAndStart() throws Exception {
    open(Frames.DEFAULT_MAX_FRAME_BYTES);
    parent().start(parentSeen);
    worker().start(workerSeen);
  }

  @AfterEach
  void closeEverythingAndCheckNoThreadIsLeft() throws Exception {
    try {
      if (ends != null) {
        ends.parent().close();
        ends.worker().close();
      }
    } finally {
      release();
    }
    // Bounded, not timed: threads that were told to stop need a CPU to end, which a loaded machine may delay.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (Thread t : Traffic.ourThreads()) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    assertThat(Traffic.ourThreads()).as("threads of this test still alive after cleanup").isEmpty();
  }
}
