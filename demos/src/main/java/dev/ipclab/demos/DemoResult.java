package dev.ipclab.demos;

import dev.ipclab.demos.evidence.DemoEvidence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of a demo found: the claim, the prediction, the measurements, the verdict computed from them, and
 * the OS commands (with this run's real PIDs and TIDs) that let a user check it.
 *
 * @param demo the demo's name
 * @param claim the claim, in one sentence
 * @param prediction what a simple model predicts the numbers will show
 * @param transport the transport the workers used, or null if the demo uses none
 * @param tables the measurements, as tables with units
 * @param evidence the measured numbers the verdict was computed from, as the demo's record; null only when the
 *     demo failed before it measured (an error verdict)
 * @param verdict the conclusion
 * @param pids the processes of this run by role, e.g. {@code parent}, {@code worker-1}
 * @param checkYourself shell commands that show the same facts from the OS
 * @param notes remarks on how to read the result, e.g. what was approximated
 * @param elapsedMillis how long the demo ran
 * @param shows what the run shows, in plain words tied to the concept and this run's numbers, or null
 * @param keyTable the index in {@code tables} of the one table that proves the claim (the short output shows it)
 */
public record DemoResult(
    String demo,
    String claim,
    String prediction,
    String transport,
    List<Table> tables,
    DemoEvidence evidence,
    Verdict verdict,
    Map<String, Long> pids,
    List<String> checkYourself,
    List<String> notes,
    long elapsedMillis,
    String shows,
    int keyTable) {

  /** A result with no plain-words summary; its first table is the key one. */
  public DemoResult(String demo, String claim, String prediction, String transport, List<Table> tables,
      DemoEvidence evidence, Verdict verdict, Map<String, Long> pids, List<String> checkYourself,
      List<String> notes, long elapsedMillis) {
    this(demo, claim, prediction, transport, tables, evidence, verdict, pids, checkYourself, notes, elapsedMillis,
        null, 0);
  }

  public DemoResult {
    tables = List.copyOf(tables);
    pids = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pids));
    checkYourself = List.copyOf(checkYourself);
    notes = List.copyOf(notes);
  }

  /**
   * This run's evidence as the record of its demo, for code that knows which demo ran (tests, tools).
   *
   * @throws IllegalStateException if the demo recorded no evidence (it failed before it measured)
   * @throws IllegalArgumentException if its record is not a {@code type}
   */
  public <E extends DemoEvidence> E evidence(Class<E> type) {
    if (evidence == null) {
      throw new IllegalStateException(demo + " recorded no evidence (verdict: " + verdict.outcome().words()
          + (verdict.reason() == null ? "" : ": " + verdict.reason()) + "), so it has no " + type.getSimpleName());
    }
    if (!type.isInstance(evidence)) {
      throw new IllegalArgumentException(demo + "'s evidence is " + evidence.getClass().getSimpleName()
          + ", not the " + type.getSimpleName() + " asked for");
    }
    return type.cast(evidence);
  }

  /** Starts a result for {@code demo}; the parent's PID is already recorded. */
  public static Builder builder(Demo demo) {
    return new Builder(demo.name(), demo.claim());
  }

  /** Collects a result while a demo runs. */
  public static final class Builder {
    private final String demo;
    private final String claim;
    private final long started = System.nanoTime();
    private String prediction;
    private String transport;
    private final List<Table> tables = new ArrayList<>();
    private DemoEvidence evidence;
    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final List<String> commands = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private String shows;
    private int keyTable;

    private Builder(String demo, String claim) {
      this.demo = demo;
      this.claim = claim;
      pids.put("parent", ProcessHandle.current().pid());
    }

    public Builder prediction(String text) {
      this.prediction = text;
      return this;
    }

    public Builder transport(String name) {
      this.transport = name;
      return this;
    }

    public Builder table(Table table) {
      tables.add(table);
      return this;
    }

    /** Adds the one table that proves the claim: the short output prints only this one. */
    public Builder keyTable(Table table) {
      keyTable = tables.size();
      tables.add(table);
      return this;
    }

    /** What the run shows, in 3-5 plain sentences tied to the concept, with this run's numbers. */
    public Builder shows(String text) {
      this.shows = text;
      return this;
    }

    /** Records what the demo measured, the numbers its verdict rests on; every result but an error needs it. */
    public Builder evidence(DemoEvidence evidence) {
      this.evidence = evidence;
      return this;
    }

    public Builder pid(String role, long pid) {
      pids.put(role, pid);
      return this;
    }

    /** A shell command that shows the same fact; {@code comment} says what to look for. */
    public Builder command(String command, String comment) {
      commands.add(command + "    # " + comment);
      return this;
    }

    public Builder note(String text) {
      notes.add(text);
      return this;
    }

    public DemoResult build(Verdict verdict) {
      if (prediction == null) {
        throw new IllegalStateException(demo + ": a result needs a prediction");
      }
      if (evidence == null && verdict.outcome() != Verdict.Outcome.ERROR) {
        throw new IllegalStateException(demo + ": a result needs its evidence, also when the claim "
            + verdict.outcome().words() + "; only an error may have none");
      }
      return new DemoResult(demo, claim, prediction, transport, tables, evidence, verdict, pids, commands, notes,
          (System.nanoTime() - started) / 1_000_000, shows, keyTable);
    }
  }
}
