package dev.ipclab.parent;

import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.RejectReason;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Protocol;
import dev.ipclab.transport.Transport;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * A pool's judge of hellos: the protocol revision, then the worker the hello names (a slot's current process or a
 * spare), its token, pid and peer credentials, and the task kinds the pool requires.
 */
final class PoolAdmission implements WorkerRegistry {
  private final PoolSettings settings;
  private final IntFunction<WorkerProcess> expected;

  /** @param expected the process this pool expects under a worker id now, or null if none */
  PoolAdmission(PoolSettings settings, IntFunction<WorkerProcess> expected) {
    this.settings = settings;
    this.expected = expected;
  }

  @Override
  public Admission admit(Hello hello, Transport<WorkerEnvelope, ParentEnvelope> transport, PeerIdentity peer) {
    if (hello.getProtocolVersion() != Protocol.VERSION) {
      return Admission.reject(RejectReason.REJECT_REASON_PROTOCOL_VERSION, "worker-" + hello.getWorkerId()
          + " speaks protocol revision " + hello.getProtocolVersion() + ", this parent speaks "
          + Protocol.VERSION + "; rebuild both from the same sources");
    }
    WorkerProcess worker = expected.apply(hello.getWorkerId());
    if (worker == null) {
      return Admission.reject(RejectReason.REJECT_REASON_UNKNOWN_WORKER, "no worker with id "
          + hello.getWorkerId() + " was started by this parent (ids 1.." + settings.workers() + ")");
    }
    String problem = worker.checkHello(hello, peer);
    if (problem != null) {
      RejectReason reason = problem.startsWith("the token") ? RejectReason.REJECT_REASON_BAD_TOKEN
          : problem.startsWith("the peer") ? RejectReason.REJECT_REASON_PEER_CREDENTIALS
          : RejectReason.REJECT_REASON_UNKNOWN_WORKER;
      return Admission.reject(reason, problem);
    }
    Set<String> missing = new TreeSet<>(settings.launch().requiredKinds());
    missing.removeAll(hello.getTaskKindsList());
    if (!missing.isEmpty()) {
      return Admission.reject(RejectReason.REJECT_REASON_MISSING_TASK_KINDS, worker.name() + " does not serve the"
          + " required task kinds " + missing + "; it serves " + hello.getTaskKindsList() + ". Put the jar of the"
          + " task module that registers them on the worker's class path (WorkerPoolBuilder.classPath) and list"
          + " the module in its META-INF/services/dev.ipclab.worker.TaskModule.");
    }
    return Admission.accept(worker);
  }
}
