package dev.ipclab.demos.worker.web;

import dev.ipclab.demos.proto.v1.WebConnected;
import dev.ipclab.demos.proto.v1.WebLoad;
import dev.ipclab.demos.proto.v1.WebLoadResult;
import dev.ipclab.demos.proto.v1.WebSend;
import dev.ipclab.demos.proto.v1.WebServe;
import dev.ipclab.demos.proto.v1.WebServing;
import dev.ipclab.demos.proto.v1.WebStop;
import dev.ipclab.demos.proto.v1.WebStopped;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;
import java.time.Duration;

/**
 * The web-server demo's tasks: "web-server.serve" and "web-server.stop" for a server, "web-server.connect" and
 * "web-server.send" for its load.
 */
public final class WebTasks {
  private static WebServer server;
  private static LoadGenerator load;

  private WebTasks() {}

  public static void register(WorkerContext registry) {
    registry.register("web-server.serve", TaskHandler.typed(WebServe.parser(), WebTasks::serve));
    registry.register("web-server.stop", TaskHandler.typed(WebStop.parser(), r -> stop()));
    registry.register("web-server.connect", TaskHandler.typed(WebLoad.parser(), WebTasks::connect));
    registry.register("web-server.send", TaskHandler.typed(WebSend.parser(), WebTasks::send));
  }

  static synchronized WebConnected connect(WebLoad request) throws InterruptedException {
    if (load == null || load.port() != request.getPort()) {
      closeLoad();
      load = new LoadGenerator(request.getPort());
    }
    return load.connect(request);
  }

  static synchronized WebLoadResult send(WebSend request) throws InterruptedException {
    if (load == null) {
      throw new IllegalStateException("no connections held: expected \"web-server.connect\" before"
          + " \"web-server.send\"");
    }
    try {
      return load.send(request);
    } finally {
      if (!request.getKeepConnections()) {
        closeLoad();
      }
    }
  }

  private static void closeLoad() {
    if (load != null) {
      load.close();
      load = null;
    }
  }

  static synchronized WebServing serve(WebServe request) throws Exception {
    if (request.getBackendMillis() < 1) {
      throw new IllegalArgumentException("expected a backend delay of 1 ms or more, got "
          + request.getBackendMillis());
    }
    stop();
    Duration backend = Duration.ofMillis(request.getBackendMillis());
    server = switch (request.getMode()) {
      case WEB_SERVER_MODE_PLATFORM_THREADS -> new BlockingWebServer(Thread.ofPlatform().name("web-conn-", 1)
          .daemon().stackSize(request.getStackBytes()), backend);
      case WEB_SERVER_MODE_VIRTUAL_THREADS -> new BlockingWebServer(Thread.ofVirtual().name("web-conn-", 1),
          backend);
      case WEB_SERVER_MODE_EVENT_LOOP -> new EventLoopWebServer(request.getBackendMillis());
      default -> throw new IllegalArgumentException("no server mode given");
    };
    return WebServing.newBuilder().setPort(server.port()).build();
  }

  static synchronized WebStopped stop() {
    if (server == null) {
      return WebStopped.getDefaultInstance();
    }
    WebStopped stopped = server.close();
    server = null;
    return stopped;
  }
}
