package dev.ipclab.demos.evidence;

import java.util.List;

/**
 * What the async-io demo measured: a browser worker loading a page of images from image-server workers one after
 * another, with a thread per image, and on one event loop, with each image's timeline.
 *
 * @param servers the image servers, in page order
 * @param sumLatencyMs the servers' latencies added up: what a page loaded one image at a time waits
 * @param maxLatencyMs the largest latency: what an overlapped page waits
 * @param overlapBoundMs the most an overlapped page may take: the largest latency plus half the sum of the others
 * @param downloadDir the directory the browser wrote the images to (deleted when the run ends)
 * @param sync the page loaded one image after another (blocking)
 * @param threads the page loaded with a thread per image (blocking)
 * @param async the page loaded all at once on one event-loop thread (non-blocking)
 * @param browserEventLoopWchan the kernel function the browser's event loop slept in once every request was sent
 * @param browserEpollWatchedFds the fds its epoll descriptor watched then
 * @param browserEpollWatchedSockets how many of them were sockets
 */
public record AsyncIoEvidence(List<ImageServer> servers, long sumLatencyMs, long maxLatencyMs, double overlapBoundMs,
    String downloadDir, Page sync, Page threads, Page async, String browserEventLoopWchan,
    List<Integer> browserEpollWatchedFds, int browserEpollWatchedSockets) implements DemoEvidence {

  /**
   * One image server: a worker process serving one image on loopback after its latency.
   *
   * @param image the image's position in the page, from 1
   * @param pid the server's process
   * @param port its port on 127.0.0.1
   * @param latencyMs how long it waits before answering
   * @param sizeBytes the image's size
   */
  public record ImageServer(int image, long pid, int port, long latencyMs, long sizeBytes) {}

  /**
   * One load of the page in one mode, as the browser reported it.
   *
   * @param pageMs from the first request to the last image written and checked
   * @param ioTids the distinct threads that did network IO
   * @param threadGrowth the browser's peak thread count during the load minus its count before
   * @param threadsBefore the browser's thread count just before the load ({@code Threads:} of /proc/self/status)
   * @param threadsPeak its highest thread count during the load
   * @param newThreads the kernel's names of the threads that appeared during the load
   * @param loadThreads the same less HotSpot's own compiler threads: the threads the load started
   * @param files the downloaded files, in page order
   * @param timeline every image, in page order
   */
  public record Page(double pageMs, List<Long> ioTids, int threadGrowth, int threadsBefore, int threadsPeak,
      List<String> newThreads, List<String> loadThreads, List<String> files, List<ImageLoad> timeline) {}

  /**
   * One image of one load, in ms from the page's start (to 0.1 ms).
   *
   * @param image the image's position in the page, from 1
   * @param latencyMs its server's latency
   * @param bytes the bytes received
   * @param startMs when its request started
   * @param arrivedMs when its whole body had arrived
   * @param endMs when its file was written and checked
   * @param ioTid the thread that read its response (async: that ran the client's callback)
   * @param ioThread that thread's Java name
   */
  public record ImageLoad(int image, long latencyMs, long bytes, double startMs, double arrivedMs, double endMs,
      long ioTid, String ioThread) {}
}
