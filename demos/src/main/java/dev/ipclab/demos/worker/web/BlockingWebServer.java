package dev.ipclab.demos.worker.web;

import dev.ipclab.demos.proto.v1.WebStopped;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An HTTP server on 127.0.0.1 that gives every connection a thread of its own, platform or virtual, which reads a
 * request, sleeps as a slow backend would, and answers; the code is the same blocking code either way.
 */
final class BlockingWebServer implements WebServer {
  static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
      .getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket listener;
  private final Thread acceptor;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicReference<String> firstRefusal = new AtomicReference<>("");

  BlockingWebServer(Thread.Builder perConnection, Duration backend) throws IOException {
    // The backlog holds connections the acceptor has not taken yet; the kernel caps it at net.core.somaxconn.
    listener = new ServerSocket(0, 16_384, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofPlatform().name("web-acceptor").daemon().start(() -> {
      while (!listener.isClosed()) {
        Socket s;
        try {
          s = listener.accept();
        } catch (IOException e) {
          return; // closed
        }
        accepted.incrementAndGet();
        open.add(s);
        try {
          perConnection.start(() -> serve(s, backend));
        } catch (OutOfMemoryError e) {
          // "unable to create native thread": a limit of the OS, which this demo looks for
          refused.incrementAndGet();
          firstRefusal.compareAndSet("", String.valueOf(e.getMessage()));
          close(s);
        }
      }
    });
  }

  private void serve(Socket s, Duration backend) {
    // Buffered: a request head read a byte per read() would cost a system call per byte, per connection.
    try (s; InputStream in = new BufferedInputStream(s.getInputStream(), 1024);
        OutputStream out = s.getOutputStream()) {
      while (readRequest(in)) {
        Thread.sleep(backend); // the slow backend: this thread waits, holding its stack
        out.write(ANSWER);
        out.flush();
      }
    } catch (IOException e) {
      // the client reset the connection after its answer: the usual end
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(s);
    }
  }

  /** Reads up to the blank line that ends a request head; false at the end of the stream. */
  private static boolean readRequest(InputStream in) throws IOException {
    int matched = 0; // how much of \r\n\r\n has been seen
    while (true) {
      int b = in.read();
      if (b < 0) {
        return false;
      }
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return true;
      }
    }
  }

  @Override
  public int port() {
    return listener.getLocalPort();
  }

  @Override
  public WebStopped close() {
    close(listener);
    // Closing a socket that a thread is blocked reading must wake that thread (6,229 took 4.4 s in one run
    // here), so what is still open closes behind the answer; the worker ends with the demo either way.
    Thread.ofPlatform().name("web-closer").daemon().start(() -> open.forEach(BlockingWebServer::close));
    try {
      acceptor.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return WebStopped.newBuilder().setAccepted(accepted.get()).setRefused(refused.get())
        .setFirstRefusal(firstRefusal.get()).build();
  }

  private static void close(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
