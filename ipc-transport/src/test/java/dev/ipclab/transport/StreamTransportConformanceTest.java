package dev.ipclab.transport;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.stream.StreamTransport;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;

/** The transport contract for {@link StreamTransport}, over two real OS pipes, one per direction. */
class StreamTransportConformanceTest extends TransportConformanceTest {
  /** How both readers wait; the spin variant overrides it. */
  IdleStrategy idle() {
    return IdleStrategy.BLOCK;
  }

  private static final String PARENT_PEER = "stdin/stdout of worker-1 (test pipes)";
  private static final String WORKER_PEER = "parent over stdin/stdout (test pipes)";

  @Override
  Ends connect(int maxFrameBytes) throws IOException {
    Pipe toWorker = Pipe.open();
    Pipe toParent = Pipe.open();
    // Each end closes the two pipe ends it holds when it is closed.
    StreamTransport<WorkerEnvelope, ParentEnvelope> parent = new StreamTransport<>(
        Channels.newInputStream(toParent.source()), Channels.newOutputStream(toWorker.sink()),
        WorkerEnvelope.parser(), maxFrameBytes, PARENT_PEER, THREAD_PREFIX + "pipe-parent-reader", idle());
    StreamTransport<ParentEnvelope, WorkerEnvelope> worker = new StreamTransport<>(
        Channels.newInputStream(toWorker.source()), Channels.newOutputStream(toParent.sink()),
        ParentEnvelope.parser(), maxFrameBytes, WORKER_PEER, THREAD_PREFIX + "pipe-worker-reader", idle());
    return new Ends(parent, worker, PARENT_PEER, WORKER_PEER);
  }

  @Override
  TransportKind kind() {
    return TransportKind.PIPE;
  }

  @Override
  Class<?> implementation() {
    return StreamTransport.class;
  }
}
