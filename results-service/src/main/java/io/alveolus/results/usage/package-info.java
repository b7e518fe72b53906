/** Metering: the usage ledger fed by completed analyses (exactly once per analysis) and its export. */
package io.alveolus.results.usage;
