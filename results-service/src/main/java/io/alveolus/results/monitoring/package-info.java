/**
 * Drift and agreement monitoring per tenant and active model version (issue 16, part 4): input drift (PSI of the raw
 * mean intensity and of the model's score against the tenant's own reference), agreement with radiologists (Wilson
 * interval), active-versus-shadow agreement and the applicability gate's rejection rate; Prometheus gauges, a
 * snapshot row per run for the history, and the operator API. Aggregates only: nothing here reads or returns
 * patient data.
 */
package io.alveolus.results.monitoring;
