package dev.ipclab.demos.report;

import java.util.Locale;

/** A small writer of SVG markup: elements with escaped text and coordinates rounded to 0.1 px. */
public final class Svg {
  private final StringBuilder out = new StringBuilder();
  private final double width;
  private final double height;

  /** Starts an SVG document of this size with an accessible title. */
  public Svg(double width, double height, String title) {
    this.width = width;
    this.height = height;
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"").append(num(width))
        .append("\" height=\"").append(num(height)).append("\" viewBox=\"0 0 ").append(num(width)).append(' ')
        .append(num(height)).append("\">");
    out.append("<title>").append(escape(title)).append("</title>");
    text(width / 2, 18, title, "title", "middle");
  }

  public double width() {
    return width;
  }

  public double height() {
    return height;
  }

  /** A rectangle; {@code cssClass} lets tests and the stylesheet find it. */
  public Svg rect(double x, double y, double w, double h, String cssClass, String fill, String tooltip) {
    out.append("<rect class=\"").append(escape(cssClass)).append("\" x=\"").append(num(x)).append("\" y=\"")
        .append(num(y)).append("\" width=\"").append(num(Math.max(0, w))).append("\" height=\"")
        .append(num(Math.max(0, h))).append('"');
    if (fill != null) {
      out.append(" fill=\"").append(escape(fill)).append('"');
    }
    if (tooltip == null) {
      out.append("/>");
    } else {
      out.append("><title>").append(escape(tooltip)).append("</title></rect>");
    }
    return this;
  }

  public Svg line(double x1, double y1, double x2, double y2, String cssClass) {
    out.append("<line class=\"").append(escape(cssClass)).append("\" x1=\"").append(num(x1)).append("\" y1=\"")
        .append(num(y1)).append("\" x2=\"").append(num(x2)).append("\" y2=\"").append(num(y2)).append("\"/>");
    return this;
  }

  /** An open line through the points ({@code xs[i]}, {@code ys[i]}), stroked in {@code stroke}. */
  public Svg polyline(double[] xs, double[] ys, String cssClass, String stroke, String tooltip) {
    out.append("<polyline class=\"").append(escape(cssClass)).append("\" fill=\"none\" stroke=\"")
        .append(escape(stroke)).append("\" points=\"");
    for (int i = 0; i < xs.length; i++) {
      out.append(i == 0 ? "" : " ").append(num(xs[i])).append(',').append(num(ys[i]));
    }
    out.append('"');
    if (tooltip == null) {
      out.append("/>");
    } else {
      out.append("><title>").append(escape(tooltip)).append("</title></polyline>");
    }
    return this;
  }

  /** Text anchored {@code start}, {@code middle} or {@code end} at (x, y). */
  public Svg text(double x, double y, String text, String cssClass, String anchor) {
    out.append("<text class=\"").append(escape(cssClass)).append("\" x=\"").append(num(x)).append("\" y=\"")
        .append(num(y)).append("\" text-anchor=\"").append(anchor).append("\">").append(escape(text))
        .append("</text>");
    return this;
  }

  /** The finished document. */
  public String finish() {
    return out + "</svg>";
  }

  /** Escapes text for XML content and attribute values. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
