package dev.ipclab.parent;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.ProtocolException;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.TransportListener;
import java.util.logging.Logger;

/**
 * The listener of a channel whose handshake is done: every frame goes straight to its worker's connection, with no
 * gate in between. {@link HandshakeGate} hands the channel over to it.
 */
final class BoundChannel implements TransportListener<WorkerEnvelope> {
  private static final Logger log = Logger.getLogger(BoundChannel.class.getName());

  private final WorkerProcess worker;
  private final Transport<WorkerEnvelope, ParentEnvelope> transport;

  BoundChannel(WorkerProcess worker, Transport<WorkerEnvelope, ParentEnvelope> transport) {
    this.worker = worker;
    this.transport = transport;
  }

  @Override
  public void onMessage(WorkerEnvelope envelope) {
    worker.connection().onMessage(envelope);
  }

  /** Broken framing after the handshake: record it as the worker's failure, answer with an error, and close. */
  @Override
  public void onProtocolError(ProtocolException error) {
    log.warning(() -> worker.name() + " pid " + worker.pid() + " broke the protocol: " + error.getMessage());
    // Record the cause and arm the reaper first: the error reply below may have to wait for a peer that reads.
    worker.onProtocolError(error);
    transport.sendAndClose(WorkerConnection.errorReply(error));
  }

  @Override
  public void onClosed(Throwable cause) {
    worker.onChannelClosed(cause);
  }
}
