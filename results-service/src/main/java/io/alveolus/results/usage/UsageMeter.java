package io.alveolus.results.usage;

import io.alveolus.common.events.AnalysisCompleted;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.List;
import java.util.Objects;

/** Meters usage from the worker's own completion events, so billing cannot drift from what was analysed. */
@ApplicationScoped
public class UsageMeter {
    @Inject
    UsageLedger ledger;

    @Incoming("analysis-completed")
    @Blocking(ordered = true)
    @ActivateRequestContext // Hibernate resolves the (here: no) tenant from the request context
    public void onBatch(List<AnalysisCompleted> batch) {
        ledger.record(batch.stream().filter(Objects::nonNull).toList());
    }
}
