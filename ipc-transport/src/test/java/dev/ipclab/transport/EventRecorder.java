package dev.ipclab.transport;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/** Records everything a transport reports, in order, and answers protocol errors as told. */
final class EventRecorder<T> implements TransportListener<T> {
  final BlockingQueue<T> messages = new LinkedBlockingQueue<>();
  /** Messages, protocol errors and {@link Closed}, in the order they were reported. */
  final List<Object> events = new CopyOnWriteArrayList<>();
  final List<ProtocolException> protocolErrors = new CopyOnWriteArrayList<>();
  final List<Throwable> closes = new CopyOnWriteArrayList<>();
  final CompletableFuture<ProtocolException> firstError = new CompletableFuture<>();
  final CompletableFuture<Throwable> closed = new CompletableFuture<>();
  volatile Consumer<ProtocolException> answer = e -> {};

  @Override
  public void onMessage(T message) {
    events.add(message);
    messages.add(message);
  }

  @Override
  public void onProtocolError(ProtocolException error) {
    events.add(error);
    protocolErrors.add(error);
    firstError.complete(error);
    answer.accept(error);
  }

  @Override
  public void onClosed(Throwable cause) {
    events.add(new Closed(cause));
    closes.add(cause);
    closed.complete(cause);
  }

  /** An {@code onClosed} call, as it appears among the events a {@link EventRecorder} saw. */
  record Closed(Throwable cause) {}

  /**
   * One line per event, readable in a failure (no 64 KiB payload dumps): the envelope's id, kind and payload hash;
   * the error's type and code; the close's cause. Exceptions carry their identity, so "the same error" is checked.
   */
  static List<String> summaries(List<?> events) {
    return events.stream().map(e -> switch (e) {
      case ParentEnvelope m -> "ParentEnvelope " + m.getRequestId() + " " + m.getKindCase() + " #" + m.hashCode();
      case WorkerEnvelope m -> "WorkerEnvelope " + m.getRequestId() + " " + m.getKindCase() + " #" + m.hashCode();
      case ProtocolException pe -> "onProtocolError " + identity(pe) + " " + pe.code();
      case Closed c -> "onClosed " + (c.cause() == null ? "null (orderly)" : identity(c.cause()));
      default -> String.valueOf(e);
    }).toList();
  }

  private static String identity(Throwable t) {
    return t.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(t));
  }
}
