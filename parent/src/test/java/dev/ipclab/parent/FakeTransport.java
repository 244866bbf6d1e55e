package dev.ipclab.parent;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.Transport;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.TransportListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** An in-memory parent-side transport for unit tests: records what the parent sends and whether it closed. */
final class FakeTransport implements Transport<WorkerEnvelope, ParentEnvelope> {
  final List<ParentEnvelope> sent = new CopyOnWriteArrayList<>();
  /** The size of each {@link #sendBatch}, in order. */
  final List<Integer> batches = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
  volatile TransportListener<WorkerEnvelope> listener;
  /** Told of each frame the parent sends or offers, after it is recorded: a fake peer's reactions. */
  volatile Consumer<ParentEnvelope> onSent = message -> {};

  @Override
  public void start(TransportListener<WorkerEnvelope> listener) {
    this.listener = listener;
  }

  @Override
  public void handOver(TransportListener<WorkerEnvelope> next) {
    this.listener = next;
  }

  @Override
  public void send(ParentEnvelope message) {
    sent.add(message);
    onSent.accept(message);
  }

  @Override
  public void sendBatch(List<? extends ParentEnvelope> messages) {
    batches.add(messages.size());
    sent.addAll(messages);
  }

  @Override
  public void offer(ParentEnvelope message) {
    sent.add(message);
    onSent.accept(message);
  }

  @Override
  public void sendAndClose(ParentEnvelope message) {
    sent.add(message);
    close();
  }

  @Override
  public void writeRaw(byte[] bytes) {
    throw new UnsupportedOperationException("the parent never writes raw bytes");
  }

  @Override
  public CompletableFuture<Throwable> closeFuture() {
    return closed;
  }

  boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public String describe() {
    return "fake transport";
  }

  @Override
  public TransportKind kind() {
    return TransportKind.TCP;
  }

  @Override
  public void close() {
    closed.complete(null);
  }
}
