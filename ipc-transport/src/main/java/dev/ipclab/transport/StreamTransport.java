package dev.ipclab.transport;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code pipe} transport: frames over a pair of byte streams, in practice a child's stdin and stdout.
 *
 * <p>One platform thread reads frames and calls the listener directly. Writers serialize each frame into one
 * buffer and hand it to the stream in a single write, under a lock, so concurrent frames never interleave.
 */
public final class StreamTransport<I extends MessageLite, O extends MessageLite> implements Transport<I, O> {
  private static final Logger log = Logger.getLogger(StreamTransport.class.getName());

  private final InputStream in;
  private final OutputStream out;
  private final Parser<I> parser;
  private final int maxFrameBytes;
  private final String description;
  private final String threadName;
  private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final Object writeLock = new Object();
  private byte[] scratch = new byte[512];
  private volatile TransportListener<I> listener;
  /** Why reading stopped, if the peer broke the protocol; a close the listener then asks for carries it. */
  private volatile Throwable failure;

  /**
   * @param in the stream frames arrive on (a child's stdout, or the worker's stdin)
   * @param out the stream frames leave on; it is flushed after every frame
   * @param parser parses one frame body into the inbound envelope
   * @param maxFrameBytes the largest inbound frame body accepted, in bytes
   * @param description who is on the other end, for logs
   * @param threadName the name of the reading thread, which shows in {@code jcmd Thread.print}
   */
  public StreamTransport(
      InputStream in,
      OutputStream out,
      Parser<I> parser,
      int maxFrameBytes,
      String description,
      String threadName) {
    this.in = in;
    this.out = out;
    this.parser = parser;
    this.maxFrameBytes = maxFrameBytes;
    this.description = description;
    this.threadName = threadName;
  }

  @Override
  public void start(TransportListener<I> listener) {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("transport to " + description + " already started");
    }
    this.listener = listener;
    Thread reader = new Thread(this::readLoop, threadName);
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop() {
    StreamFrameReader frames = new StreamFrameReader(in, maxFrameBytes, description);
    Throwable cause = null;
    try {
      while (true) {
        byte[] body = frames.next();
        if (body == null) {
          break; // orderly end of stream
        }
        I message;
        try {
          message = parser.parseFrom(body);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw ProtocolException.from(e, description + " (frame of " + body.length + " bytes: "
              + BytePreview.of(body) + ")");
        }
        listener.onMessage(message);
      }
    } catch (ProtocolException e) {
      cause = e;
      failure = e;
      listener.onProtocolError(e);
    } catch (EOFException e) {
      cause = e;
    } catch (IOException e) {
      if (!closed.isDone()) {
        cause = e;
      }
    } catch (RuntimeException e) {
      log.log(Level.SEVERE, "listener failed on a message from " + description + "; closing", e);
      cause = e;
    }
    closeWith(cause);
  }

  @Override
  public void send(O message) {
    try {
      writeFrame(message);
    } catch (IOException e) {
      closeWith(e);
      throw new UncheckedIOException("cannot write to " + description + ": " + e.getMessage(), e);
    }
  }

  private void writeFrame(O message) throws IOException {
    int body = message.getSerializedSize();
    int total = Frames.prefixBytes(body) + body;
    synchronized (writeLock) {
      if (scratch.length < total) {
        scratch = new byte[Math.max(total, scratch.length * 2)];
      }
      CodedOutputStream coded = CodedOutputStream.newInstance(scratch, 0, total);
      coded.writeUInt32NoTag(body);
      message.writeTo(coded);
      coded.checkNoSpaceLeft();
      out.write(scratch, 0, total);
      out.flush();
    }
  }

  @Override
  public void sendAndClose(O message) {
    try {
      writeFrame(message);
    } catch (IOException e) {
      log.fine(() -> "could not send last frame to " + description + ": " + e);
    }
    close();
  }

  @Override
  public void writeRaw(byte[] bytes) {
    synchronized (writeLock) {
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public CompletableFuture<Throwable> closeFuture() {
    return closed;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public TransportKind kind() {
    return TransportKind.PIPE;
  }

  @Override
  public void close() {
    closeWith(failure);
  }

  private void closeWith(Throwable cause) {
    if (!closed.complete(cause)) {
      return;
    }
    // Closing our write end is what tells the peer we are gone: it reads end-of-stream.
    try {
      synchronized (writeLock) {
        out.close();
      }
    } catch (IOException e) {
      log.fine(() -> "closing output to " + description + ": " + e);
    }
    try {
      in.close();
    } catch (IOException e) {
      log.fine(() -> "closing input from " + description + ": " + e);
    }
    TransportListener<I> l = listener;
    if (l != null) {
      l.onClosed(cause);
    }
  }
}
