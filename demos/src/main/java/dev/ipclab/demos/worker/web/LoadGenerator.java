package dev.ipclab.demos.worker.web;

import dev.ipclab.demos.proto.v1.WebConnected;
import dev.ipclab.demos.proto.v1.WebLoad;
import dev.ipclab.demos.proto.v1.WebLoadResult;
import dev.ipclab.demos.proto.v1.WebSend;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The web-server demo's clients: many connections to 127.0.0.1 held at once by one Netty event loop, opened in
 * rounds, then one request each sent together, every latency measured; every connection is reset once the
 * answers are in, so none lingers.
 */
final class LoadGenerator implements AutoCloseable {
  /** Connections held at most. */
  static final int MAX_HELD = 20_000;
  /** Connects in flight at once: more would overflow the server's SYN queue and wait for retries. */
  private static final int CONNECTING = 256;

  /** One connection's request: when it was sent, and how long its answer took (0 until it came). */
  private static final class Request {
    volatile long sent;
    volatile long latency;
  }

  private final int port;
  private final Bootstrap bootstrap;
  private final List<ChannelFuture> futures = new ArrayList<>();
  private final List<Request> requests = new ArrayList<>();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicReference<String> firstFailure = new AtomicReference<>("");
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("web-load", true),
      NioIoHandler.newFactory());
  private volatile CountDownLatch done = new CountDownLatch(0);
  private int connected;
  private long connectNanos;

  LoadGenerator(int port) {
    this.port = port;
    this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.SO_LINGER, 0) // close = reset: no TIME_WAIT left behind
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
  }

  int port() {
    return port;
  }

  /** Opens more connections and holds them, idle, with those opened before. */
  WebConnected connect(WebLoad request) throws InterruptedException {
    int more = request.getConnections();
    if (more < 1 || futures.size() + more > MAX_HELD || request.getTimeLimitMillis() < 1) {
      throw new IllegalArgumentException("expected 1 or more connections, " + MAX_HELD + " held at most, and a"
          + " time limit; got " + more + " more to " + futures.size() + " held, " + request.getTimeLimitMillis()
          + " ms");
    }
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(request.getTimeLimitMillis());
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
    Semaphore connecting = new Semaphore(CONNECTING);
    List<ChannelFuture> round = new ArrayList<>();
    for (int i = 0; i < more && System.nanoTime() < deadline; i++) {
      Request r = new Request();
      connecting.acquire();
      ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          ch.pipeline()
              .addLast(new HttpClientCodec()) // HTTP request out, response head/content in
              .addLast(new HttpObjectAggregator(8 * 1024)) // one FullHttpResponse per answer
              .addLast(new SimpleChannelInboundHandler<FullHttpResponse>() { // the latency of this request
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                  r.latency = System.nanoTime() - r.sent;
                  if (response.status().equals(HttpResponseStatus.OK)) {
                    answered.incrementAndGet();
                  } else {
                    fail("HTTP " + response.status());
                  }
                  // Held open until every answer is in: a reset now would make a thread-per-connection
                  // server end that thread while the others still answer, and time the ending with them.
                  done.countDown();
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                  ctx.close();
                }
              });
        }
      }).connect(server);
      f.addListener(x -> connecting.release());
      round.add(f);
      futures.add(f);
      requests.add(r);
    }
    for (ChannelFuture f : round) {
      if (f.awaitUninterruptibly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))
          && f.isSuccess()) {
        connected++;
      } else {
        fail("connect: " + (f.cause() != null ? f.cause().getMessage() : "timed out"));
      }
    }
    connectNanos += System.nanoTime() - start;
    return WebConnected.newBuilder().setConnected(connected).setFailed(failed.get())
        .setFirstFailure(firstFailure.get()).setConnectNanos(connectNanos).build();
  }

  /** Sends one request on every connection held, at once, and waits for the answers. */
  WebLoadResult send(WebSend request) throws InterruptedException {
    List<Integer> open = new ArrayList<>();
    for (int i = 0; i < futures.size(); i++) {
      if (futures.get(i).isSuccess()) {
        open.add(i);
      }
    }
    CountDownLatch answers = new CountDownLatch(open.size());
    done = answers;
    long sendStart = System.nanoTime();
    for (int i : open) {
      Channel ch = futures.get(i).channel();
      Request r = requests.get(i);
      DefaultFullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
      get.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
      r.sent = System.nanoTime();
      ch.writeAndFlush(get).addListener(w -> {
        if (!w.isSuccess()) {
          fail("send: " + w.cause());
          answers.countDown();
        }
      });
      ch.closeFuture().addListener(c -> {
        if (r.latency == 0) { // closed before its answer
          fail("closed by the server before the answer");
          answers.countDown();
        }
      });
    }
    answers.await(request.getAnswerWaitMillis(), TimeUnit.MILLISECONDS);
    long elapsed = System.nanoTime() - sendStart;
    long[] measured = requests.stream().mapToLong(r -> r.latency).filter(l -> l > 0).sorted().toArray();
    return WebLoadResult.newBuilder().setConnected(connected).setAnswered(answered.get())
        .setFailed(failed.get()).setFirstFailure(firstFailure.get()).setConnectNanos(connectNanos)
        .setElapsedNanos(elapsed).setP50Nanos(percentile(measured, 50)).setP99Nanos(percentile(measured, 99))
        .build();
  }

  @Override
  public void close() {
    for (ChannelFuture f : futures) {
      f.channel().close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private void fail(String why) {
    failed.incrementAndGet();
    firstFailure.compareAndSet("", why);
  }

  /** Nearest rank; 0 for no values. */
  private static long percentile(long[] sorted, int p) {
    return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
