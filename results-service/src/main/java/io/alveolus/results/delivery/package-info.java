/**
 * Results back to the hospital (issue 15, IHE AI Results): for each DICOM analysis of a tenant with a PACS
 * destination, a TID 1500 Structured Report (every outcome, so a missing result never reads as a negative one) and,
 * for a completed one, a Secondary Capture of the heat map over the image, delivered through the platform's outbox
 * on its own channel ({@code pacs}): retried with growing delays while the PACS is down, dead-lettered after a bound,
 * the same SOP Instance UIDs on every attempt. One exporter per protocol edge (STOW-RS today; C-STORE next).
 * PNG/JPEG uploads carry no DICOM patient, study or image identity: nothing is sent for them (an object with made-up
 * identifiers would appear in the PACS as a separate patient).
 */
package io.alveolus.results.delivery;
