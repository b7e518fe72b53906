package io.alveolus.portal.live;

import io.alveolus.common.events.AnalysisCompleted;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Every analysis-completed event this replica reads (own consumer group, newest only), fanned out to the open
 * browser streams; each stream sees only its user's tenant.
 */
@ApplicationScoped
public class LiveResults {
    private final BroadcastProcessor<AnalysisCompleted> hub = BroadcastProcessor.create();

    @Incoming("analysis-completed")
    public void completed(AnalysisCompleted event) {
        if (event != null) {
            synchronized (hub) {
                hub.onNext(event);
            }
        }
    }

    /** The events of one tenant, from now on; nothing at all without a tenant. */
    public Multi<AnalysisCompleted> forTenant(String tenant) {
        return hub.filter(e -> visibleTo(e, tenant));
    }

    /** The only rule for forwarding: the event's tenant is the logged-in user's tenant claim. */
    public static boolean visibleTo(AnalysisCompleted event, String tenant) {
        return event != null && tenant != null && !tenant.isBlank() && tenant.equals(event.tenant());
    }
}
