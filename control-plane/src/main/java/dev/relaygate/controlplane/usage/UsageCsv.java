package dev.relaygate.controlplane.usage;

/**
 * A usage report as CSV (RFC 4180): a header row, CRLF line ends, fields quoted when they hold a comma, a quote or a
 * line break, quotes doubled. Totals are not repeated in the CSV; they are the column sums.
 */
final class UsageCsv {

    private static final String CRLF = "\r\n";

    private UsageCsv() {
    }

    static String of(UsageReport report) {
        StringBuilder csv = new StringBuilder();
        csv.append("start");
        if (report.groupBy() != null) {
            csv.append(',').append(report.groupBy().wire());
        }
        csv.append(",calls,computeUnits,errors,rateLimited").append(CRLF);
        for (UsageReport.Row row : report.rows()) {
            csv.append(row.start());
            if (report.groupBy() != null) {
                csv.append(',').append(field(row.group()));
            }
            csv.append(',').append(row.calls())
                .append(',').append(row.computeUnits())
                .append(',').append(row.errors())
                .append(',').append(row.rateLimited())
                .append(CRLF);
        }
        return csv.toString();
    }

    static String field(String value) {
        if (value == null) {
            return "";
        }
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
