package dev.ipclab.demos.worker.asyncio;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;

/**
 * A blocking HTTP client: the calling thread sends the request and then sleeps in {@code read(2)} until the body
 * has arrived. {@link HttpURLConnection} does its socket IO on the caller's thread (java.net.http.HttpClient would
 * not: its send() waits for a selector thread of its own), so the thread that waits is the one that reads.
 */
final class BlockingBrowser {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final int READ_TIMEOUT_MILLIS = 30_000;

  private BlockingBrowser() {}

  /** GETs {@code url} on this thread and returns its body; anything but 200 is an error. */
  static Download get(int index, String url) throws IOException {
    long start = System.nanoTime();
    // No proxy: the servers are on this machine's loopback, whatever http_proxy says.
    HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
    connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
    connection.setReadTimeout(READ_TIMEOUT_MILLIS);
    // No keep-alive: the connection is not cached, so no keep-alive cleaner thread appears in the thread counts.
    connection.setRequestProperty("Connection", "close");
    try {
      int status = connection.getResponseCode();
      if (status != HttpURLConnection.HTTP_OK) {
        throw new IOException("GET " + url + " answered " + status + " instead of 200");
      }
      try (InputStream in = connection.getInputStream()) {
        return Download.readHere(index, start, in.readAllBytes());
      }
    } finally {
      connection.disconnect();
    }
  }
}
