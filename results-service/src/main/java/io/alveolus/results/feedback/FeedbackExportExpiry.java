package io.alveolus.results.feedback;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Deletes export zips older than {@code alveolus.feedback.export-retention} (the records stay, with deletedAt): a
 * de-identified export is not the tenant's data, so tenant retention does not reach it, but it is not kept for ever
 * either. Safe on several replicas (a second delete of a deleted object is harmless).
 */
@ApplicationScoped
public class FeedbackExportExpiry {
    private static final Logger LOG = Logger.getLogger(FeedbackExportExpiry.class);

    @Inject
    FeedbackExports exports;

    @Scheduled(every = "${alveolus.feedback.expiry-every:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        run(Instant.now());
    }

    @ActivateRequestContext
    public int run(Instant now) {
        int n = exports.expire(now);
        if (n > 0) {
            LOG.infof("feedback exports: deleted the zips of %d expired exports", n);
        }
        return n;
    }
}
