package dev.ipclab.demos.worker.web;

import dev.ipclab.demos.proto.v1.WebStopped;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on 127.0.0.1 on one Netty event-loop thread: every connection is a registration with the loop's
 * epoll, and a request's backend wait is a timer on the loop, so no thread waits for it.
 */
final class EventLoopWebServer implements WebServer {
  private final EventLoopGroup group;
  private final Channel channel;
  private final AtomicLong accepted = new AtomicLong();

  EventLoopWebServer(long backendMillis) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("web-loop", true), NioIoHandler.newFactory());
    channel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 16_384) // capped by net.core.somaxconn
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            accepted.incrementAndGet();
            ch.pipeline()
                .addLast(new HttpServerCodec()) // bytes ⇄ HTTP request head/content, response
                .addLast(new HttpObjectAggregator(8 * 1024)) // one FullHttpRequest per request
                .addLast(new SlowAnswer(backendMillis)); // a timer, then the answer
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .sync()
        .channel();
  }

  @Override
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public WebStopped close() {
    channel.close();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    return WebStopped.newBuilder().setAccepted(accepted.get()).build();
  }

  /** Answers every request after the backend's delay, scheduled on the connection's event loop. */
  private static final class SlowAnswer extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final long backendMillis;

    SlowAnswer(long backendMillis) {
      this.backendMillis = backendMillis;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      ctx.executor().schedule(() -> {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
        ctx.writeAndFlush(response);
      }, backendMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // the client resets every connection once its answers are in
    }
  }
}
