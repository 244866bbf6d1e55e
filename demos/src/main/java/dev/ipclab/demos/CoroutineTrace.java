package dev.ipclab.demos;

import dev.ipclab.demos.proto.v1.GeneratorAction;
import dev.ipclab.demos.proto.v1.GeneratorEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads the traces of the coroutines demo: how the virtual threads took turns, and whether a generator was lazy. */
final class CoroutineTrace {
  private CoroutineTrace() {}

  /**
   * How often one coroutine ran two steps in a row although another still had steps left: 0 for round robin,
   * (steps - 1) per coroutine if each ran to its end before the next.
   *
   * @param names the coroutine of each step, in the order the steps ran
   */
  static int repeatsWhileOthersRunnable(List<String> names) {
    Map<String, Integer> left = new HashMap<>();
    names.forEach(n -> left.merge(n, 1, Integer::sum));
    int repeats = 0;
    String previous = null;
    for (String name : names) {
      if (name.equals(previous) && left.size() > 1) {
        repeats++;
      }
      if (left.merge(name, -1, Integer::sum) == 0) {
        left.remove(name);
      }
      previous = name;
    }
    return repeats;
  }

  /**
   * Events out of the on-demand order: for each value i the consumer asks, then the producer computes it, then the
   * consumer receives it, and only then is value i + 1 asked for. Each event in another place counts once.
   */
  static int outOfOrder(List<GeneratorEvent> events) {
    int wrong = 0;
    for (int k = 0; k < events.size(); k++) {
      GeneratorEvent e = events.get(k);
      GeneratorAction expected = switch (k % 3) {
        case 0 -> GeneratorAction.GENERATOR_ACTION_ASK;
        case 1 -> GeneratorAction.GENERATOR_ACTION_PRODUCE;
        default -> GeneratorAction.GENERATOR_ACTION_RECEIVE;
      };
      if (e.getAction() != expected || e.getIndex() != k / 3 + 1) {
        wrong++;
      }
    }
    return wrong;
  }

  /** The first {@code count} Fibonacci numbers, from 1, 1. */
  static List<Long> fibonacci(int count) {
    List<Long> out = new ArrayList<>();
    long a = 1;
    long b = 1;
    for (int i = 0; i < count; i++) {
      out.add(a);
      long next = a + b;
      a = b;
      b = next;
    }
    return out;
  }

  /** The events as text, e.g. "ask#1 → make 1 → got 1 · ask#2 → ...". */
  static String describe(List<GeneratorEvent> events) {
    StringBuilder out = new StringBuilder();
    for (GeneratorEvent e : events) {
      switch (e.getAction()) {
        case GENERATOR_ACTION_ASK -> out.append(out.isEmpty() ? "" : " · ").append("ask#").append(e.getIndex());
        case GENERATOR_ACTION_PRODUCE -> out.append(" → make ").append(e.getValue());
        case GENERATOR_ACTION_RECEIVE -> out.append(" → got ").append(e.getValue());
        default -> out.append(" ?");
      }
    }
    return out.toString();
  }
}
