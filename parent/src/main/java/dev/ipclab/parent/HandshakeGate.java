package dev.ipclab.parent;

import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Reject;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.ProtocolException;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.TransportListener;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The parent's listener on every new channel: lets nothing through before a valid hello arrives within the
 * deadline, then hands the channel over to a {@link BoundChannel} of the worker that owns it and is out of the way
 * of every later frame.
 *
 * <pre>
 *   AWAITING_HELLO ──valid hello──▶ BOUND (the transport's listener is now the worker's BoundChannel)
 *        │
 *        └──wrong token / version / id, other kind first, deadline passed──▶ Reject or error, then close
 * </pre>
 */
final class HandshakeGate implements TransportListener<WorkerEnvelope> {
  private static final Logger log = Logger.getLogger(HandshakeGate.class.getName());

  private final WorkerRegistry registry;
  private final Transport<WorkerEnvelope, ParentEnvelope> transport;
  private final PeerIdentity peer;
  private final ScheduledFuture<?> deadline;
  private final Consumer<String> onRefused;
  private volatile WorkerProcess bound;
  private volatile boolean refused;

  /**
   * Starts {@code transport} with a new gate and arms the hello deadline.
   *
   * @param peer the kernel's word on who connected (Unix sockets), or null (pipes, TCP)
   * @param onRefused told why, when the gate turns the channel away (a pipe's worker records it as its failure)
   */
  static void guard(WorkerRegistry registry, Transport<WorkerEnvelope, ParentEnvelope> transport, PeerIdentity peer,
      ScheduledExecutorService timer, long handshakeTimeoutMs, Consumer<String> onRefused) {
    HandshakeGate gate = new HandshakeGate(registry, transport, peer, timer, handshakeTimeoutMs, onRefused);
    transport.start(gate);
  }

  private HandshakeGate(WorkerRegistry registry, Transport<WorkerEnvelope, ParentEnvelope> transport,
      PeerIdentity peer, ScheduledExecutorService timer, long handshakeTimeoutMs, Consumer<String> onRefused) {
    this.registry = registry;
    this.transport = transport;
    this.peer = peer;
    this.onRefused = onRefused;
    this.deadline = timer.schedule(() -> expire(handshakeTimeoutMs), handshakeTimeoutMs, TimeUnit.MILLISECONDS);
  }

  // The deadline fires on the supervisor thread while hellos arrive on the reading thread; the lock makes
  // "still waiting?" and "now decided" one step, so a worker is never both welcomed and timed out.
  private synchronized void expire(long timeoutMs) {
    if (bound != null || refused) {
      return;
    }
    refused = true;
    String message = "no hello from " + transport.describe() + " within " + timeoutMs
        + " ms; a worker must send its hello first. Closing the channel.";
    log.warning(message);
    onRefused.accept(message);
    transport.sendAndClose(ParentEnvelope.newBuilder()
        .setError(ErrorReply.newBuilder().setCode(ErrorCode.ERROR_CODE_HANDSHAKE_TIMEOUT).setMessage(message))
        .build());
  }

  @Override
  public synchronized void onMessage(WorkerEnvelope envelope) {
    if (bound != null) {
      // Only a frame a transport delivered to the gate after the hand-over (none of ours does): forward it.
      bound.connection().onMessage(envelope);
      return;
    }
    if (refused) {
      return;
    }
    if (!envelope.hasHello()) {
      refuse(RejectReason.REJECT_REASON_HELLO_EXPECTED, "expected a hello as the first frame, got "
          + envelope.getKindCase() + "; a worker must introduce itself before anything else");
      return;
    }
    WorkerRegistry.Admission admission = registry.admit(envelope.getHello(), transport, peer);
    if (!admission.accepted()) {
      refuse(admission.reason(), admission.message());
      return;
    }
    deadline.cancel(false);
    WorkerProcess worker = admission.worker();
    bound = worker;
    worker.bind(envelope.getHello(), transport);
    transport.handOver(new BoundChannel(worker, transport));
  }

  private void refuse(RejectReason reason, String message) {
    refused = true;
    deadline.cancel(false);
    log.warning(() -> "rejected " + transport.describe() + ": " + message);
    onRefused.accept("handshake rejected: " + message);
    transport.sendAndClose(ParentEnvelope.newBuilder()
        .setReject(Reject.newBuilder().setReason(reason).setMessage(message))
        .build());
  }

  /** Broken framing before the hand-over (after it, {@link BoundChannel} hears of it). */
  @Override
  public synchronized void onProtocolError(ProtocolException error) {
    deadline.cancel(false);
    refused = true; // nothing after broken framing is trusted, not even a hello behind it
    WorkerProcess worker = bound;
    log.warning(() -> (worker != null ? worker.name() + " pid " + worker.pid() : "unidentified peer")
        + " broke the protocol: " + error.getMessage());
    // Record the cause and arm the reaper first: the error reply below may have to wait for a peer that reads.
    if (worker != null) {
      worker.onProtocolError(error);
    } else {
      onRefused.accept("protocol error before the handshake: " + error.getMessage());
    }
    transport.sendAndClose(WorkerConnection.errorReply(error));
  }

  /** The channel closed before the hand-over took effect; after it, {@link BoundChannel} hears of it. */
  @Override
  public void onClosed(Throwable cause) {
    deadline.cancel(false);
    WorkerProcess worker = bound;
    if (worker != null) {
      worker.onChannelClosed(cause);
    }
  }
}
