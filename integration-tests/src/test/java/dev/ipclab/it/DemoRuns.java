package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.Check;
import dev.ipclab.demos.Demo;
import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.DemoText;
import dev.ipclab.demos.Verdict;
import dev.ipclab.transport.TransportKind;

/**
 * Runs a demo in the test JVM with test pools and keeps its processes up, the way {@code --keep} does, so a test
 * can check the OS facts behind the verdict before closing it.
 */
final class DemoRuns {
  private DemoRuns() {}

  /** Starts a context whose pools use the built worker jar and test timeouts. */
  static DemoContext context(TransportKind transport) {
    return new DemoContext(transport, () -> Pools.builder(transport, 1), line -> System.err.println("  … " + line));
  }

  /** Runs the demo, prints its text as the CLI would, and returns the result; the context stays open. */
  static DemoResult run(Demo demo, DemoContext context) throws Exception {
    DemoResult result = demo.run(context);
    System.err.println(DemoText.render(result, true));
    return result;
  }

  /** Asserts the claim holds, naming the failed checks if it does not. */
  static void assertHolds(DemoResult result) {
    assertThat(result.verdict().outcome())
        .as("verdict of %s; failed checks: %s; reason: %s", result.demo(),
            result.verdict().checks().stream().filter(c -> !c.passed()).map(Check::toString).toList(),
            result.verdict().reason())
        .isEqualTo(Verdict.Outcome.HOLDS);
  }
}
