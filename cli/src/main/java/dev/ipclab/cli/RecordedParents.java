package dev.ipclab.cli;

import dev.ipclab.parent.ParentRecord;
import java.util.List;

/** Picks the parent a command given no PID applies to: the only running parent that recorded itself. */
public final class RecordedParents {
  private RecordedParents() {}

  /**
   * The chosen pid, or none with the exit status: 1 when no parent is recorded, 2 when several are (the user must
   * choose). Either way the user has been told why on stderr.
   */
  record Choice(Long pid, int status) {}

  static Choice only(String command) {
    List<ParentRecord.Entry> live = ParentRecord.live();
    if (live.isEmpty()) {
      System.err.println("ipclab " + command + ": no running ipclab parent is recorded in "
          + ParentRecord.directory() + ". Start one (scripts/ipclab run --workers 2) or give a PID.");
      return new Choice(null, 1);
    }
    if (live.size() > 1) {
      System.err.println("ipclab " + command + ": " + live.size()
          + " ipclab parents are running; choose one by PID:");
      for (ParentRecord.Entry e : live) {
        System.err.println("  " + e.pid() + "  " + json(e).path("command_line").asText());
      }
      return new Choice(null, 2);
    }
    return new Choice(live.getFirst().pid(), 0);
  }

  /** A parent record's JSON, parsed; an unreadable record reads as empty. */
  public static com.fasterxml.jackson.databind.JsonNode json(ParentRecord.Entry entry) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(entry.json());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
  }
}
