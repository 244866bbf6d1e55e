package dev.ipclab.transport.shm;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.stream.StreamTransport;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Builds the {@code shm} transport of either side: the frames of every transport, carried by the two rings of a
 * {@link ShmFile}, with the worker's stdin and stdout as doorbells.
 *
 * <pre>
 *   parent ──frames──▶ parent-to-worker ring ──▶ worker      doorbell: worker's stdin  (parent writes 1 byte)
 *   parent ◀── worker-to-parent ring ◀──frames── worker      doorbell: worker's stdout (worker writes 1 byte)
 * </pre>
 *
 * <p>A doorbell carries no data, only "wake up", and only to a reader that said it sleeps; its end of stream
 * means the other process is gone, which the kernel reports even after SIGKILL. The framing, the frame limit
 * checked before allocation, the send queue and the close are those of {@link StreamTransport}, over the rings.
 */
public final class ShmChannel {
  private ShmChannel() {}

  /** Which end of the file this process is. */
  public enum Side { PARENT, WORKER }

  /**
   * @param doorbellIn the pipe the peer rings: for the parent the worker's stdout, for the worker its stdin
   * @param doorbellOut the pipe this side rings: for the parent the worker's stdin, for the worker its stdout
   * @param description who is on the other end, for logs and errors
   * @param threadName the reading thread's name
   */
  public static <I extends MessageLite, O extends MessageLite> StreamTransport<I, O> transport(ShmFile file,
      Side side, IdleStrategy idle, InputStream doorbellIn, OutputStream doorbellOut, Parser<I> parser,
      int maxFrameBytes, String description, String threadName) {
    ShmRing inbound = side == Side.PARENT ? file.workerToParent() : file.parentToWorker();
    ShmRing outbound = side == Side.PARENT ? file.parentToWorker() : file.workerToParent();
    ShmRingInput in = new ShmRingInput(inbound, idle, doorbellIn, description, threadName);
    ShmRingOutput out = new ShmRingOutput(outbound, doorbellOut, in::peerGone, description);
    return new StreamTransport<>(in, out, parser, maxFrameBytes, description, threadName, IdleStrategy.BLOCK,
        TransportKind.SHM);
  }
}
