package dev.ipclab.cli.chaos;

/**
 * One invariant the chaos run checks itself, with what it measured.
 *
 * @param name what must hold, in a few words
 * @param pass whether it held
 * @param detail the numbers behind the verdict, or what broke it
 */
public record Invariant(String name, boolean pass, String detail) {
  static Invariant check(String name, boolean pass, String detail) {
    return new Invariant(name, pass, detail);
  }
}
