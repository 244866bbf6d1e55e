package dev.ipclab.demos.worker.web;

import dev.ipclab.demos.proto.v1.WebLoad;
import dev.ipclab.demos.proto.v1.WebServe;
import dev.ipclab.demos.proto.v1.WebServing;
import dev.ipclab.demos.proto.v1.WebStop;
import dev.ipclab.demos.proto.v1.WebStopped;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;
import java.time.Duration;

/** The web-server demo's tasks: "web-server.serve", "web-server.stop" and "web-server.load". */
public final class WebTasks {
  private static WebServer server;

  private WebTasks() {}

  public static void register(WorkerContext registry) {
    registry.register("web-server.serve", TaskHandler.typed(WebServe.parser(), WebTasks::serve));
    registry.register("web-server.stop", TaskHandler.typed(WebStop.parser(), r -> stop()));
    registry.register("web-server.load", TaskHandler.typed(WebLoad.parser(), LoadGenerator::run));
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
