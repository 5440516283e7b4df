package dev.descent.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A CSV file's columns by header name, and the line of the file each data row stands on (1-based, as an editor counts). */
record FitData(Map<String, double[]> columns, int[] lines) {

    /**
     * Columns by header name; blank lines and lines starting with # are skipped. A cell that is not
     * a finite number (NaN, Infinity, or one that overflows) is refused by its line and column.
     */
    static FitData read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("fit: --data " + file + " is not a file");
        }
        List<String> lines = Files.readAllLines(file);
        String[] header = null;
        List<double[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        for (int number = 1; number <= lines.size(); number++) {
            String text = lines.get(number - 1).trim();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] cells = text.split("\\s*,\\s*");
            if (header == null) {
                header = cells;
                for (String name : header) {
                    if (!name.matches("[A-Za-z_][A-Za-z_0-9]*")) {
                        throw new UsageException("fit: --data " + file + ": column name '" + name + "' in the header is not a name"
                                + " (letters, digits and _)");
                    }
                }
                continue;
            }
            if (cells.length != header.length) {
                throw new UsageException("fit: --data " + file + " line " + number + ": " + cells.length + " cells, the header has "
                        + header.length);
            }
            double[] row = new double[cells.length];
            for (int j = 0; j < cells.length; j++) {
                try {
                    row[j] = Double.parseDouble(cells[j]);
                } catch (NumberFormatException e) {
                    throw new UsageException("fit: --data " + file + " line " + number + ": '" + cells[j] + "' in column '" + header[j]
                            + "' is not a number");
                }
                if (!Double.isFinite(row[j])) {
                    throw new UsageException("fit: --data " + file + " line " + number + ", column '" + header[j] + "' holds '" + cells[j]
                            + "'" + (cells[j].matches("[+-]?(NaN|Infinity)") ? "" : " (" + row[j] + ")") + ", not a finite number; remove the row or give it a value");
                }
            }
            rows.add(row);
            lineNumbers.add(number);
        }
        if (header == null || rows.isEmpty()) {
            throw new UsageException("fit: --data " + file + " has no header and data rows");
        }
        Map<String, double[]> columns = new LinkedHashMap<>();
        for (int j = 0; j < header.length; j++) {
            double[] column = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                column[i] = rows.get(i)[j];
            }
            if (columns.put(header[j], column) != null) {
                throw new UsageException("fit: --data " + file + ": column '" + header[j] + "' appears twice in the header");
            }
        }
        return new FitData(columns, lineNumbers.stream().mapToInt(Integer::intValue).toArray());
    }
}
