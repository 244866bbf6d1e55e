package dev.ipclab.demos.worker.web;

import dev.ipclab.demos.proto.v1.WebLoad;
import dev.ipclab.demos.proto.v1.WebLoadResult;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The web-server demo's clients: many connections to 127.0.0.1 held at once by one Netty event loop, one request
 * each sent together, every latency measured; each connection is reset after its answer, so none lingers.
 */
final class LoadGenerator {
  /** Connects in flight at once: more would overflow the server's accept backlog and wait for SYN retries. */
  private static final int CONNECTING = 256;

  private LoadGenerator() {}

  static WebLoadResult run(WebLoad request) throws InterruptedException {
    int n = request.getConnections();
    if (n < 1 || n > 20_000 || request.getTimeLimitMillis() < 1) {
      throw new IllegalArgumentException("expected 1 to 20000 connections and a time limit; got " + n + ", "
          + request.getTimeLimitMillis() + " ms");
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(request.getTimeLimitMillis());
    long[] sent = new long[n];
    long[] latency = new long[n];
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstFailure = new AtomicReference<>("");
    CountDownLatch done = new CountDownLatch(n);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("web-load", true),
        NioIoHandler.newFactory());
    List<Channel> channels = new ArrayList<>();
    try {
      Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .option(ChannelOption.SO_LINGER, 0) // close = reset: no TIME_WAIT left behind
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
      InetSocketAddress server = new InetSocketAddress("127.0.0.1", request.getPort());
      Semaphore connecting = new Semaphore(CONNECTING);
      long connectStart = System.nanoTime();
      List<ChannelFuture> futures = new ArrayList<>();
      for (int i = 0; i < n && System.nanoTime() < deadline; i++) {
        int index = i;
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
                    latency[index] = System.nanoTime() - sent[index];
                    if (response.status().equals(HttpResponseStatus.OK)) {
                      answered.incrementAndGet();
                    } else {
                      fail(failed, firstFailure, "HTTP " + response.status());
                    }
                    done.countDown();
                    ctx.close();
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                  }
                });
          }
        }).connect(server);
        f.addListener(x -> connecting.release());
        futures.add(f);
      }
      int connected = 0;
      for (ChannelFuture f : futures) {
        if (f.awaitUninterruptibly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))
            && f.isSuccess()) {
          channels.add(f.channel());
          connected++;
        } else {
          fail(failed, firstFailure, "connect: " + (f.cause() != null ? f.cause().getMessage() : "timed out"));
        }
      }
      long connectNanos = System.nanoTime() - connectStart;
      for (int i = connected; i < n; i++) {
        done.countDown(); // never connected: nothing to wait for
      }
      long sendStart = System.nanoTime();
      for (int i = 0; i < futures.size(); i++) {
        Channel ch = futures.get(i).channel();
        if (!futures.get(i).isSuccess()) {
          continue;
        }
        DefaultFullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        get.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
        sent[i] = System.nanoTime();
        int index = i;
        ch.writeAndFlush(get).addListener(w -> {
          if (!w.isSuccess()) {
            fail(failed, firstFailure, "send: " + w.cause());
            done.countDown();
          }
        });
        ch.closeFuture().addListener(c -> {
          if (latency[index] == 0 && sent[index] != 0) { // closed before its answer
            fail(failed, firstFailure, "closed by the server before the answer");
            done.countDown();
          }
        });
      }
      // Every connected request gets its answer time, even if connecting used up the limit: the backend's
      // wait plus a margin for a busy machine.
      done.await(Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(3)), TimeUnit.NANOSECONDS);
      long elapsed = System.nanoTime() - sendStart;
      long[] measured = Arrays.stream(latency).filter(l -> l > 0).sorted().toArray();
      return WebLoadResult.newBuilder().setConnected(connected).setAnswered(answered.get())
          .setFailed(failed.get()).setFirstFailure(firstFailure.get()).setConnectNanos(connectNanos)
          .setElapsedNanos(elapsed).setP50Nanos(percentile(measured, 50)).setP99Nanos(percentile(measured, 99))
          .build();
    } finally {
      channels.forEach(Channel::close);
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static void fail(AtomicInteger failed, AtomicReference<String> first, String why) {
    failed.incrementAndGet();
    first.compareAndSet("", why);
  }

  /** Nearest rank; 0 for no values. */
  private static long percentile(long[] sorted, int p) {
    return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
