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
   * Checks the hello's protocol version, worker id, pid and token.
   *
   * @param transport the channel the hello came on
   */
  Admission admit(Hello hello, Transport<WorkerEnvelope, ParentEnvelope> transport);
}
