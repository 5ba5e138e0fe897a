package org.ccespark.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A rectangular table of strings with a header: written as a GitHub Markdown table and as CSV
 * (RFC 4180 quoting), and read back from that CSV.
 *
 * @param header column names
 * @param rows cells, each row as long as the header
 */
public record Table(List<String> header, List<List<String>> rows) {
  /** Checks that every row is as long as the header and copies the lists. */
  public Table {
    header = List.copyOf(header);
    List<List<String>> copy = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).size() != header.size()) {
        throw new IllegalArgumentException("row " + i + " has " + rows.get(i).size()
            + " cells, the header " + header.size());
      }
      copy.add(List.copyOf(rows.get(i)));
    }
    rows = List.copyOf(copy);
  }

  /** A table built row by row. */
  public static final class Builder {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Builder(List<String> header) {
      this.header = List.copyOf(header);
    }

    public Builder add(List<String> row) {
      rows.add(row);
      return this;
    }

    public Table build() {
      return new Table(header, rows);
    }
  }

  /** The cell at {@code row} under column {@code column}. */
  public String cell(int row, String column) {
    int c = header.indexOf(column);
    if (c < 0) {
      throw new IllegalArgumentException("no column '" + column + "' in " + header);
    }
    return rows.get(row).get(c);
  }

  /** A Markdown table; {@code |} in cells is escaped. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder();
    line(sb, header);
    sb.append('|');
    for (int c = 0; c < header.size(); c++) {
      sb.append("---|");
    }
    sb.append('\n');
    for (List<String> row : rows) {
      line(sb, row);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells) {
    sb.append('|');
    for (String cell : cells) {
      sb.append(' ').append(cell.replace("|", "\\|").replace('\n', ' ')).append(" |");
    }
    sb.append('\n');
  }

  /** CSV with a header line; cells holding a comma, quote or line break are quoted. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder();
    csvLine(sb, header);
    for (List<String> row : rows) {
      csvLine(sb, row);
    }
    return sb.toString();
  }

  private static void csvLine(StringBuilder sb, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      String cell = cells.get(i);
      if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
        sb.append('"').append(cell.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(cell);
      }
    }
    sb.append('\n');
  }

  /**
   * Parses CSV as written by {@link #toCsv}: the first record is the header.
   *
   * @throws IllegalArgumentException naming the line of an unterminated quote or a record of the
   *     wrong length
   */
  public static Table parseCsv(String csv) {
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    int line = 1;
    for (int i = 0; i < csv.length(); i++) {
      char ch = csv.charAt(i);
      if (quoted) {
        if (ch == '"') {
          if (i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
            cell.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          if (ch == '\n') {
            line++;
          }
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
        any = true;
      } else if (ch == ',') {
        record.add(cell.toString());
        cell.setLength(0);
        any = true;
      } else if (ch == '\n' || ch == '\r') {
        if (ch == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
          i++;
        }
        if (any || cell.length() > 0) {
          record.add(cell.toString());
          records.add(record);
        }
        record = new ArrayList<>();
        cell.setLength(0);
        any = false;
        line++;
      } else {
        cell.append(ch);
        any = true;
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("CSV: unterminated quote at line " + line);
    }
    if (any || cell.length() > 0) {
      record.add(cell.toString());
      records.add(record);
    }
    if (records.isEmpty()) {
      throw new IllegalArgumentException("CSV: no header line");
    }
    List<String> header = records.get(0);
    for (int r = 1; r < records.size(); r++) {
      if (records.get(r).size() != header.size()) {
        throw new IllegalArgumentException("CSV: record " + (r + 1) + " has "
            + records.get(r).size() + " fields, the header " + header.size());
      }
    }
    return new Table(header, records.subList(1, records.size()));
  }
}
