package dev.ipclab.demos.report;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** A chart's SVG parsed with the JDK's XML parser (so it must be well-formed), with helpers to read shapes. */
final class SvgDoc {
  private final Document doc;

  SvgDoc(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  /** The elements {@code tag} whose class list contains {@code cssClass}. */
  List<Element> all(String tag, String cssClass) {
    NodeList nodes = doc.getElementsByTagName(tag);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      if (List.of(e.getAttribute("class").split(" ")).contains(cssClass)) {
        out.add(e);
      }
    }
    return out;
  }

  /** The texts of the elements {@code text} with this class. */
  List<String> texts(String cssClass) {
    return all("text", cssClass).stream().map(Element::getTextContent).toList();
  }

  Element plot() {
    return all("rect", "plot").get(0);
  }

  static double d(Element e, String attribute) {
    return Double.parseDouble(e.getAttribute(attribute));
  }

  /** True if {@code inner} lies within {@code outer}, to the 0.1 px the writer rounds to. */
  static boolean inside(Element inner, Element outer) {
    double eps = 0.11;
    return d(inner, "x") >= d(outer, "x") - eps && d(inner, "y") >= d(outer, "y") - eps
        && d(inner, "x") + d(inner, "width") <= d(outer, "x") + d(outer, "width") + eps
        && d(inner, "y") + d(inner, "height") <= d(outer, "y") + d(outer, "height") + eps;
  }
}
