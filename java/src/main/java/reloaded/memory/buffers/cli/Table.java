package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: a header row and data rows, columns padded to their widest cell. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    /**
     * Starts a table.
     *
     * @param headers the column titles
     */
    public Table(String... headers) {
        this.columns = headers.length;
        rows.add(headers.clone());
    }

    /**
     * Adds a row.
     *
     * @param cells one value per column, printed with {@link String#valueOf(Object)}
     * @return this table
     * @throws IllegalArgumentException if the number of cells is not the number of columns
     */
    public Table row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + columns + " columns");
        }
        String[] text = new String[columns];
        for (int i = 0; i < columns; i++) {
            text[i] = String.valueOf(cells[i]);
        }
        rows.add(text);
        return this;
    }

    /**
     * The number of data rows.
     *
     * @return the count, without the header
     */
    public int size() {
        return rows.size() - 1;
    }

    /**
     * Prints the table, two spaces between columns, the last column unpadded.
     *
     * @param out where to print
     */
    public void print(PrintStream out) {
        print(out, Integer.MAX_VALUE);
    }

    /**
     * Prints the table with no line longer than maxWidth: the last column is cut short, ending in
     * "...", where it would pass the limit.
     *
     * @param out      where to print
     * @param maxWidth the longest line allowed
     */
    public void print(PrintStream out, int maxWidth) {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i + 1 < columns ? String.format("%-" + widths[i] + "s  ", row[i]) : row[i]);
            }
            String text = line.toString().stripTrailing();
            out.println(text.length() <= maxWidth ? text : text.substring(0, Math.max(0, maxWidth - 3)) + "...");
        }
    }
}
