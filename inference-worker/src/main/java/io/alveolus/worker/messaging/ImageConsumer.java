package io.alveolus.worker.messaging;

import io.alveolus.common.events.ImageReceived;
import io.alveolus.worker.service.AnalysisProcessor;
import io.alveolus.worker.service.Lane;
import io.alveolus.worker.service.LaneGate;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Objects;

/**
 * Two lanes, each one batch at a time on its own consumer: the urgent topic is served first (a routine batch
 * does not start while an urgent one is running). Returning normally acks the batch (its offsets may then be
 * committed).
 */
@ApplicationScoped
public class ImageConsumer {
    private static final Logger LOG = Logger.getLogger(ImageConsumer.class);

    @Inject
    AnalysisProcessor processor;
    @Inject
    LaneGate gate;

    @Incoming("image-received-urgent")
    @Blocking(value = "urgent-lane", ordered = true)
    public void onUrgentBatch(List<ImageReceived> batch) {
        gate.urgent(() -> process(batch, Lane.URGENT));
    }

    @Incoming("image-received")
    @Blocking(ordered = true)
    public void onBatch(List<ImageReceived> batch) {
        gate.routine(() -> process(batch, Lane.ROUTINE));
    }

    private void process(List<ImageReceived> batch, Lane lane) {
        List<ImageReceived> events = batch.stream().filter(Objects::nonNull).toList();
        if (events.size() < batch.size()) {
            LOG.warnf("skipped %d records that are not image-received events", batch.size() - events.size());
        }
        if (!events.isEmpty()) {
            processor.processWithRetry(events, lane);
        }
    }
}
