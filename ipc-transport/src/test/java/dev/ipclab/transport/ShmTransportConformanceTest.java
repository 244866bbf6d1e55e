package dev.ipclab.transport;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.shm.ShmChannel;
import dev.ipclab.transport.shm.ShmFile;
import dev.ipclab.transport.stream.StreamTransport;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The transport contract for the {@code shm} transport, in block mode: two rings in a real file under /dev/shm,
 * with two real OS pipes as the doorbells (in a worker they are its stdin and stdout).
 */
class ShmTransportConformanceTest extends TransportConformanceTest {
  private static final String PARENT_PEER = "shm ring of worker-1 (test file)";
  private static final String WORKER_PEER = "parent over shm (test file)";

  private Path file;

  IdleStrategy idle() {
    return IdleStrategy.BLOCK;
  }

  @Override
  Ends connect(int maxFrameBytes) throws Exception {
    file = Path.of("/dev/shm", "ipclab-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    // A small ring, so that the suite's 16 KiB frames and bursts wrap around and fill it again and again.
    ShmFile parentMap = ShmFile.create(file, 64 * 1024);
    ShmFile workerMap = ShmFile.open(file);
    Pipe workerStdin = Pipe.open();
    Pipe workerStdout = Pipe.open();
    StreamTransport<WorkerEnvelope, ParentEnvelope> parent = ShmChannel.transport(parentMap,
        ShmChannel.Side.PARENT, idle(), Channels.newInputStream(workerStdout.source()),
        Channels.newOutputStream(workerStdin.sink()), WorkerEnvelope.parser(), maxFrameBytes, PARENT_PEER,
        THREAD_PREFIX + "shm-parent-reader");
    StreamTransport<ParentEnvelope, WorkerEnvelope> worker = ShmChannel.transport(workerMap,
        ShmChannel.Side.WORKER, idle(), Channels.newInputStream(workerStdin.source()),
        Channels.newOutputStream(workerStdout.sink()), ParentEnvelope.parser(), maxFrameBytes, WORKER_PEER,
        THREAD_PREFIX + "shm-worker-reader");
    return new Ends(parent, worker, PARENT_PEER, WORKER_PEER);
  }

  @Override
  void release() throws Exception {
    if (file != null) {
      Files.deleteIfExists(file);
    }
  }

  @Override
  TransportKind kind() {
    return TransportKind.SHM;
  }

  @Override
  Class<?> implementation() {
    return StreamTransport.class;
  }

  /** The same contract with spinning readers, whose doorbells only report the peer's end. */
  static class Spin extends ShmTransportConformanceTest {
    @Override
    IdleStrategy idle() {
      return IdleStrategy.SPIN;
    }
  }
}
