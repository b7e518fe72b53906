package io.alveolus.worker.messaging;

import io.alveolus.common.events.ImageReceived;
import io.alveolus.worker.service.AnalysisProcessor;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Objects;

/** One batch at a time per consumer; returning normally acks the batch (its offsets may then be committed). */
@ApplicationScoped
public class ImageConsumer {
    private static final Logger LOG = Logger.getLogger(ImageConsumer.class);

    @Inject
    AnalysisProcessor processor;

    @Incoming("image-received")
    @Blocking(ordered = true)
    public void onBatch(List<ImageReceived> batch) {
        List<ImageReceived> events = batch.stream().filter(Objects::nonNull).toList();
        if (events.size() < batch.size()) {
            LOG.warnf("skipped %d records that are not image-received events", batch.size() - events.size());
        }
        if (!events.isEmpty()) {
            processor.processWithRetry(events);
        }
    }
}
