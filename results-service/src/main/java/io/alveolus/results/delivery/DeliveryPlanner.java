package io.alveolus.results.delivery;

import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.AnalysisRepository;
import io.alveolus.persistence.outbox.Outbox;
import io.alveolus.persistence.outbox.OutboxRelay;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Turns the worker's completion events into deliveries (its own consumer group, beside metering): for every DICOM
 * analysis of a tenant with a PACS destination, an SR for every outcome and an SC for a completed one, and the
 * study's study-level SR (re-opened by each of its images, sent after {@code alveolus.delivery.study-wait}), written
 * to the outbox in the transaction that reads them, so the Kafka offset moves on only once they are durable.
 */
@ApplicationScoped
public class DeliveryPlanner {
    @Inject
    PacsDestinations destinations;
    @Inject
    Outbox outbox;
    @Inject
    OutboxRelay relay;
    @Inject
    AnalysisRepository analyses;
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "alveolus.delivery.max-age", defaultValue = "P1D")
    java.time.Duration maxAge;
    /** How long a study's images must be quiet before its study-level result is sent (a PACS forwards a study in
     * seconds; the result waits for the rest of it). */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "alveolus.delivery.study-wait", defaultValue = "PT30S")
    java.time.Duration studyWait;

    @Incoming("delivery-completed")
    @Blocking(ordered = true)
    @ActivateRequestContext // Hibernate resolves the (here: no) tenant from the request context
    public void onBatch(List<AnalysisCompleted> batch) {
        if (plan(batch.stream().filter(Objects::nonNull).toList()) > 0) {
            relay.wake();
        }
    }

    /** Enqueues what the batch's analyses need delivered; returns how many deliveries were new. */
    @Transactional
    public int plan(List<AnalysisCompleted> batch) {
        java.time.Instant oldest = java.time.Instant.now().minus(maxAge);
        Map<String, List<AnalysisCompleted>> byTenant = new LinkedHashMap<>();
        for (AnalysisCompleted c : batch) {
            // not terminal, no model ever ran, or an old result replayed (a new consumer group reads from the start)
            if (c.completedAt() != null && c.modelVersion() != null && !c.completedAt().isBefore(oldest)) {
                byTenant.computeIfAbsent(c.tenant(), t -> new ArrayList<>()).add(c);
            }
        }
        int planned = 0;
        for (var e : byTenant.entrySet()) {
            var targets = destinations.enabledFor(e.getKey());
            if (targets.isEmpty()) {
                continue;
            }
            Map<UUID, String> studies = analyses.dicomStudies(new TenantId(e.getKey()),
                    e.getValue().stream().map(AnalysisCompleted::analysisId).toList());
            for (AnalysisCompleted c : e.getValue()) {
                for (var d : targets) {
                    if (!d.protocol().pacs()) {
                        // the RIS gets every outcome of every upload: its order is the accession, not a DICOM study
                        planned += enqueue(new Delivery(c.analysisId(), c.tenant(), d.id(), Delivery.Kind.ORU,
                                c.modelVersion()));
                        continue;
                    }
                    if (!studies.containsKey(c.analysisId())) {
                        continue; // a PNG/JPEG upload: no DICOM patient, study or image a PACS could file it under
                    }
                    planned += enqueue(new Delivery(c.analysisId(), c.tenant(), d.id(), Delivery.Kind.SR,
                            c.modelVersion()));
                    if ("COMPLETED".equals(c.status())) {
                        planned += enqueue(new Delivery(c.analysisId(), c.tenant(), d.id(), Delivery.Kind.SC,
                                c.modelVersion()));
                    }
                    // the study's result, sent once its images have been quiet for the study wait; every later
                    // image of the study re-opens it (a new revision)
                    Delivery study = Delivery.ofStudy(c.analysisId(), c.tenant(), d.id(), c.modelVersion(),
                            studies.get(c.analysisId()));
                    outbox.enqueueOrReopen(study.tenant(), study.destination(), study.key(), study.json(),
                            study.subject(), java.time.Instant.now().plus(studyWait));
                    planned++;
                }
            }
        }
        return planned;
    }

    private int enqueue(Delivery d) {
        return outbox.enqueueOnce(Delivery.CHANNEL, d.tenant(), d.destination(), d.key(), d.json(), d.subject())
                ? 1 : 0;
    }
}
