package org.ccespark.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Line charts, grouped bar charts and heat maps drawn with Java2D into a {@link BufferedImage}
 * (no display needed: {@code java.awt.headless} is set), and PNG encoding with {@link ImageIO}.
 * If the JVM has no usable font (a minimal system without fontconfig), the charts are drawn
 * without their text rather than failing.
 */
public final class Charts {
  private Charts() {}

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /** Default size of a chart, in pixels. */
  public static final int WIDTH = 800;
  /** Default height of a chart, in pixels. */
  public static final int HEIGHT = 500;

  /** Colours of the series, in order (the Tableau 10 palette). */
  private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e),
      new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b),
      new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

  private static final int LEFT = 80;
  private static final int RIGHT = 190;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;

  /**
   * One curve or one group of bars.
   *
   * @param name legend entry
   * @param x abscissae (line charts; ignored by bar charts)
   * @param y ordinates; NaN values are skipped
   * @param dashed whether a line is drawn dashed
   */
  public record Series(String name, double[] x, double[] y, boolean dashed) {
    public Series {
      if (x != null && x.length != y.length) {
        throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values, "
            + y.length + " y values");
      }
    }

    public Series(String name, double[] x, double[] y) {
      this(name, x, y, false);
    }
  }

  /**
   * A line chart with a marker at every point.
   *
   * @param yMin lower end of the y axis, or NaN to fit the data
   * @param yMax upper end of the y axis, or NaN to fit the data (values beyond are clipped)
   */
  public static BufferedImage line(String title, String xLabel, String yLabel, List<Series> series,
      double yMin, double yMax) {
    double[] xr = range(series, true);
    double[] yr = range(series, false);
    double y0 = Double.isNaN(yMin) ? yr[0] : yMin;
    double y1 = Double.isNaN(yMax) ? yr[1] : yMax;
    Axis xAxis = Axis.of(xr[0], xr[1]);
    Axis yAxis = Axis.of(y0, y1);
    Canvas c = new Canvas(title);
    c.axes(xAxis, yAxis, xLabel, yLabel);
    for (int s = 0; s < series.size(); s++) {
      Series ser = series.get(s);
      Color color = PALETTE[s % PALETTE.length];
      c.g.setColor(color);
      c.g.setStroke(ser.dashed()
          ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 5f}, 0f)
          : new BasicStroke(2f));
      c.g.setClip(LEFT, TOP, c.plotWidth() + 1, c.plotHeight() + 1);
      Path2D path = new Path2D.Double();
      boolean started = false;
      for (int i = 0; i < ser.y().length; i++) {
        if (!Double.isFinite(ser.y()[i])) {
          started = false;
          continue;
        }
        double px = c.px(xAxis, ser.x()[i]);
        double py = c.py(yAxis, ser.y()[i]);
        if (started) {
          path.lineTo(px, py);
        } else {
          path.moveTo(px, py);
          started = true;
        }
        if (ser.y().length <= 40) {
          c.g.fillOval((int) Math.round(px) - 3, (int) Math.round(py) - 3, 7, 7);
        }
      }
      c.g.draw(path);
      c.g.setClip(null);
      c.legend(s, ser.name(), color, ser.dashed());
    }
    return c.image;
  }

  /**
   * Grouped bars: one group per category, one bar per series within each group.
   *
   * @param categories the labels under the groups; every series has one value per category
   */
  public static BufferedImage bars(String title, String xLabel, String yLabel,
      List<String> categories, List<Series> series) {
    double max = 0;
    for (Series s : series) {
      if (s.y().length != categories.size()) {
        throw new IllegalArgumentException("series '" + s.name() + "' has " + s.y().length
            + " values for " + categories.size() + " categories");
      }
      for (double v : s.y()) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
    }
    Axis yAxis = Axis.of(0, max);
    Canvas c = new Canvas(title);
    c.frame(yAxis, xLabel, yLabel);
    int n = categories.size();
    double group = c.plotWidth() / (double) Math.max(1, n);
    double bar = group * 0.8 / Math.max(1, series.size());
    for (int i = 0; i < n; i++) {
      double gx = LEFT + i * group;
      if (n <= 30) {
        c.g.setColor(Color.BLACK);
        c.centred(categories.get(i), gx + group / 2, TOP + c.plotHeight() + 18);
      }
      for (int s = 0; s < series.size(); s++) {
        double v = series.get(s).y()[i];
        if (!Double.isFinite(v)) {
          continue;
        }
        double top = c.py(yAxis, v);
        c.g.setColor(PALETTE[s % PALETTE.length]);
        c.g.fill(new java.awt.geom.Rectangle2D.Double(gx + group * 0.1 + s * bar, top, bar,
            TOP + c.plotHeight() - top));
      }
    }
    for (int s = 0; s < series.size(); s++) {
      c.legend(s, series.get(s).name(), PALETTE[s % PALETTE.length], false);
    }
    return c.image;
  }

  /**
   * A heat map of counts, darker for larger, each cell labelled with its count.
   *
   * @param counts rows × columns
   */
  public static BufferedImage heatmap(String title, String rowLabel, String columnLabel,
      long[][] counts, List<String> rowNames, List<String> columnNames) {
    int rows = counts.length;
    int cols = rows == 0 ? 0 : counts[0].length;
    if (rowNames.size() != rows || columnNames.size() != cols) {
      throw new IllegalArgumentException("heat map of " + rows + "x" + cols + " with "
          + rowNames.size() + " row and " + columnNames.size() + " column names");
    }
    long max = 1;
    for (long[] r : counts) {
      for (long v : r) {
        max = Math.max(max, v);
      }
    }
    Canvas c = new Canvas(title);
    double cw = c.plotWidth() / (double) Math.max(1, cols);
    double ch = c.plotHeight() / (double) Math.max(1, rows);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double t = Math.sqrt(counts[i][j] / (double) max);
        Color color = new Color((int) (247 - t * (247 - 8)), (int) (251 - t * (251 - 48)),
            (int) (255 - t * (255 - 107)));
        c.g.setColor(color);
        c.g.fill(new java.awt.geom.Rectangle2D.Double(LEFT + j * cw, TOP + i * ch, cw + 0.5,
            ch + 0.5));
        if (rows <= 30 && cols <= 30) {
          c.g.setColor(t > 0.6 ? Color.WHITE : Color.BLACK);
          c.centred(Long.toString(counts[i][j]), LEFT + (j + 0.5) * cw, TOP + (i + 0.5) * ch + 4);
        }
      }
    }
    c.g.setColor(Color.BLACK);
    for (int i = 0; i < rows && rows <= 30; i++) {
      c.right(rowNames.get(i), LEFT - 6, TOP + (i + 0.5) * ch + 4);
    }
    for (int j = 0; j < cols && cols <= 30; j++) {
      c.centred(columnNames.get(j), LEFT + (j + 0.5) * cw, TOP + c.plotHeight() + 18);
    }
    c.labels(columnLabel, rowLabel);
    return c.image;
  }

  /** The image as PNG bytes. */
  public static byte[] png(BufferedImage image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer in this JVM");
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode PNG", e);
    }
  }

  // ------------------------------------------------------------------------------ drawing

  private static double[] range(List<Series> series, boolean x) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      double[] v = x ? s.x() : s.y();
      for (double d : v) {
        if (Double.isFinite(d)) {
          lo = Math.min(lo, d);
          hi = Math.max(hi, d);
        }
      }
    }
    if (lo > hi) {
      return new double[] {0, 1};
    }
    return new double[] {lo, hi};
  }

  /** An axis range widened to "nice" tick values. */
  private record Axis(double lo, double hi, double step) {
    static Axis of(double lo, double hi) {
      if (hi - lo < 1e-12) {
        double pad = Math.max(Math.abs(lo) * 0.1, 1e-3);
        lo -= pad;
        hi += pad;
      }
      double raw = (hi - lo) / 6;
      double mag = Math.pow(10, Math.floor(Math.log10(raw)));
      double step = mag;
      for (double m : new double[] {1, 2, 2.5, 5, 10}) {
        if (m * mag >= raw) {
          step = m * mag;
          break;
        }
      }
      return new Axis(Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step,
          step);
    }

    List<Double> ticks() {
      List<Double> t = new ArrayList<>();
      for (double v = lo; v <= hi + step * 1e-6; v += step) {
        t.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
      }
      return t;
    }

    String format(double v) {
      if (step >= 1 && Math.abs(v) < 1e7) {
        return String.format("%,d", Math.round(v));
      }
      int decimals = (int) Math.max(0, Math.ceil(-Math.log10(step) + 1e-9));
      if (Math.abs(step * Math.pow(10, decimals) - Math.round(step * Math.pow(10, decimals))) > 1e-6) {
        decimals++;
      }
      return String.format("%." + decimals + "f", v);
    }
  }

  /** A white image with a title, and helpers that draw text unless no font works here. */
  private static final class Canvas {
    final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    final Graphics2D g = image.createGraphics();
    private boolean text = true;

    Canvas(String title) {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      try {
        // the largest bold size, 16 down to 9, at which the whole title fits the image
        int size = 16;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
        while (size > 9 && LEFT + g.getFontMetrics().stringWidth(title) > WIDTH - 10) {
          g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, --size));
        }
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      } catch (RuntimeException | Error e) {
        text = false; // no usable font: draw the chart without text
      }
    }

    int plotWidth() {
      return WIDTH - LEFT - RIGHT;
    }

    int plotHeight() {
      return HEIGHT - TOP - BOTTOM;
    }

    double px(Axis a, double x) {
      return LEFT + (x - a.lo()) / (a.hi() - a.lo()) * plotWidth();
    }

    double py(Axis a, double y) {
      return TOP + plotHeight() - (y - a.lo()) / (a.hi() - a.lo()) * plotHeight();
    }

    void axes(Axis x, Axis y, String xLabel, String yLabel) {
      frame(y, xLabel, yLabel);
      for (double t : x.ticks()) {
        double p = px(x, t);
        g.setColor(Color.BLACK);
        g.draw(new Line2D.Double(p, TOP + plotHeight(), p, TOP + plotHeight() + 5));
        centred(x.format(t), p, TOP + plotHeight() + 20);
      }
    }

    /** The plot frame, horizontal grid lines with the y ticks, and the axis labels. */
    void frame(Axis y, String xLabel, String yLabel) {
      g.setStroke(new BasicStroke(1f));
      for (double t : y.ticks()) {
        double p = py(y, t);
        g.setColor(new Color(0xe0e0e0));
        g.draw(new Line2D.Double(LEFT, p, LEFT + plotWidth(), p));
        g.setColor(Color.BLACK);
        right(y.format(t), LEFT - 6, p + 4);
      }
      g.setColor(Color.BLACK);
      g.drawRect(LEFT, TOP, plotWidth(), plotHeight());
      labels(xLabel, yLabel);
    }

    void labels(String xLabel, String yLabel) {
      g.setColor(Color.BLACK);
      centred(xLabel, LEFT + plotWidth() / 2.0, HEIGHT - 15);
      if (text) {
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        FontMetrics fm = r.getFontMetrics();
        r.drawString(yLabel, (float) (-(TOP + plotHeight() / 2.0) - fm.stringWidth(yLabel) / 2.0),
            20f);
        r.dispose();
      }
    }

    void legend(int index, String name, Color color, boolean dashed) {
      int x = LEFT + plotWidth() + 15;
      int y = TOP + 10 + index * 20;
      g.setColor(color);
      g.setStroke(dashed
          ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
          : new BasicStroke(3f));
      g.draw(new Line2D.Double(x, y, x + 25, y));
      g.setStroke(new BasicStroke(1f));
      g.setColor(Color.BLACK);
      if (text) {
        g.drawString(name, x + 32, y + 4);
      }
    }

    void centred(String s, double cx, double baseline) {
      if (text) {
        g.drawString(s, (float) (cx - g.getFontMetrics().stringWidth(s) / 2.0), (float) baseline);
      }
    }

    void right(String s, double rx, double baseline) {
      if (text) {
        g.drawString(s, (float) (rx - g.getFontMetrics().stringWidth(s)), (float) baseline);
      }
    }
  }
}
