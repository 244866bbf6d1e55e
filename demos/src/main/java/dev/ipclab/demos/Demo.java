package dev.ipclab.demos;

/**
 * One experiment: it runs on real worker processes and threads, measures, and returns a {@link DemoResult} whose
 * verdict is computed from those measurements. The text, JSON and report outputs all print that one record.
 */
public interface Demo {
  /** The name on the command line, e.g. {@code address-space}. */
  String name();

  /** The claim the demo tests, in one sentence. */
  String claim();

  /** Whether {@code --transport} changes how the demo talks to its workers. */
  default boolean usesTransport() {
    return true;
  }

  /**
   * Runs the experiment. Processes and files it creates are registered with {@code context}, which removes them
   * when it is closed, so they can outlive this call while the user inspects them ({@code --keep}).
   */
  DemoResult run(DemoContext context) throws Exception;
}
