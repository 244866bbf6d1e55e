package dev.ipclab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ipclab.cli.inspect.Inspector;
import dev.ipclab.cli.inspect.Snapshot;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ipclab inspect}: shows a running parent and its workers as the OS sees them, threads and channels too. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show a running ipclab parent and its workers as the OS sees them: PIDs, state, RSS, CPU,"
        + " threads (kernel and Java names), and the pipes and sockets joining them, paired by inode.",
    footer = {"", "Without PID, the parent recorded in $TMPDIR/ipclab-parents (if there is only one).", "",
        "Examples:",
        "  ipclab inspect",
        "  ipclab inspect 4242 --tree",
        "  ipclab inspect 4242 --json",
        "  ipclab inspect --watch"})
final class InspectCommand implements Callable<Integer> {
  @Mixin
  LoggingOptions logging;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PID",
      description = "The parent's pid. Default: the only running recorded parent.")
  Long pid;

  @Option(names = "--json", description = "Print one JSON object instead of tables.")
  boolean json;

  @Option(names = "--tree", description = "Print a tree like pstree: processes, their threads and channels.")
  boolean tree;

  @Option(names = "--watch", description = "Refresh every second until Ctrl-C.")
  boolean watch;

  @Override
  public Integer call() throws Exception {
    logging.apply();
    Long target = pid;
    if (target == null) {
      RecordedParents.Choice choice = RecordedParents.only("inspect");
      if (choice.pid() == null) {
        return choice.status();
      }
      target = choice.pid();
    }
    PrintStream out = System.out;
    boolean terminal = System.console() != null;
    while (true) {
      Snapshot snapshot = Inspector.inspect(target, true);
      if (watch && terminal) {
        out.print("\033[H\033[2J"); // home and clear: the next frame replaces this one
      }
      if (json) {
        out.println(mapper().writeValueAsString(snapshot));
      } else if (tree) {
        InspectText.tree(snapshot, out);
      } else {
        InspectText.table(snapshot, out);
      }
      out.flush();
      if (!watch) {
        return 0;
      }
      if (!terminal && !json) {
        out.println("----");
      }
      Thread.sleep(1000);
    }
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }
}
