package dev.ipclab.parent;

import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Transport;

/** Decides which expected worker, if any, a hello belongs to. */
interface WorkerRegistry {

  /** The verdict on a hello: the worker that now owns the channel, or why there is none. */
  record Admission(WorkerProcess worker, RejectReason reason, String message) {
    static Admission accept(WorkerProcess worker) {
      return new Admission(worker, RejectReason.REJECT_REASON_UNSPECIFIED, null);
    }

    static Admission reject(RejectReason reason, String message) {
      return new Admission(null, reason, message);
    }

    boolean accepted() {
      return worker != null;
    }
  }

  /**
   * Checks the hello's protocol version, worker id, token, pid and, on a Unix socket, the peer's credentials.
   *
   * @param transport the channel the hello came on
   * @param peer who the kernel says sent it ({@code SO_PEERCRED}), or null where the kernel cannot tell (TCP) or
   *     the channel is the spawned process's own pipe
   */
  Admission admit(Hello hello, Transport<WorkerEnvelope, ParentEnvelope> transport, PeerIdentity peer);
}
