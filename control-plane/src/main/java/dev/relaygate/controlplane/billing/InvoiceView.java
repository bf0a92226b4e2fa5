package dev.relaygate.controlplane.billing;

import java.time.Instant;

/** An invoice as the API shows it; amounts in the currency's smallest unit, as Stripe gives them. */
public record InvoiceView(String id, String number, String status, String currency, Long amountDue, Long amountPaid,
        Instant createdAt, Instant periodStart, Instant periodEnd, String hostedInvoiceUrl, String invoicePdf) {
}
