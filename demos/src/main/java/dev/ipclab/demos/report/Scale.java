package dev.ipclab.demos.report;

import java.util.List;

/** Maps a data domain onto a pixel range and proposes tick values for its axis. */
public interface Scale {
  /** The pixel position of {@code value}. */
  double map(double value);

  /** The pixel where the domain starts. */
  double r0();

  /** The pixel where the domain ends. */
  double r1();

  /** Values worth a tick and a label, inside the domain. */
  List<Double> ticks();

  /** A tick value as a short label. */
  default String label(double value) {
    return Ticks.format(value);
  }
}
