package dev.ipclab.demos;

import java.util.List;

/** Every demo, in the order {@code demo all} runs them. */
public final class Demos {
  private static final List<Demo> ALL = List.of(
      new AddressSpaceDemo(),
      new ThreadsShareDemo(),
      new ThreadStatesDemo(),
      new CreationCostDemo(),
      new ParallelismDemo(),
      new CoroutinesDemo(),
      new AsyncIoDemo(),
      new WebServerDemo());

  private Demos() {}

  public static List<Demo> all() {
    return ALL;
  }

  public static List<String> names() {
    return ALL.stream().map(Demo::name).toList();
  }

  /** The demo called {@code name}; an unknown name is an error that lists the known ones. */
  public static Demo find(String name) {
    return ALL.stream().filter(d -> d.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no demo called '" + name + "'; expected all or one of "
            + String.join(", ", names())));
  }
}
