package dev.ipclab.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text summary: the counts, each fault, and each invariant with its verdict. */
class ChaosTextTest {

  @Test
  void printsEveryInvariantAndAFailingResult() {
    ChaosSummary summary = new ChaosSummary(4242, "pipe", 1, 4, 20_000, 27_500,
        new ChaosSummary.Tasks(100, 90, 5, 3, Map.of("TaskFailedException: worker-N pid N is gone", 3L), 7, 10,
            Map.of()),
        List.of(new ChaosSummary.Fault(1_900, "sigkill", 2, 777, "kill -KILL 777", 21.5),
            new ChaosSummary.Fault(3_100, "sigkill", 3, 778, "kill -KILL 778", 12.5)),
        Map.of("sigkill", 2L), 2, Map.of("sigkill", 21.5), Map.of("sigkill", 12.5), 21.5, 0,
        new ChaosSummary.Heap(256, 80.0, 6.5, 200), null,
        List.of(new Invariant("every task has exactly one outcome", true, "100 submitted"),
            new Invariant("no zombie children", false, "zombies: [991]")),
        false);
    StringWriter text = new StringWriter();
    ChaosText.print(summary, new PrintWriter(text));

    assertThat(text.toString())
        .contains("submitted 100, completed 90, retried 5, failed 3, cancelled 7")
        .contains("failed     3  TaskFailedException: worker-N pid N is gone")
        .contains("sigkill     worker-2 pid 777", "kill -KILL 777", "(down after 21.5 ms)")
        .contains("detection largest 21.5 ms (kill, stop, exit); per kind p50/max: sigkill 12.5/21.5 ms")
        .containsPattern("PASS  every task has exactly one outcome\\s+100 submitted")
        .containsPattern("FAIL  no zombie children\\s+zombies: \\[991]")
        .contains("RESULT: FAIL (1 of 2 invariants hold)");
  }
}
