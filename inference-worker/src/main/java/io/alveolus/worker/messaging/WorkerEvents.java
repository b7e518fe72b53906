package io.alveolus.worker.messaging;

import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.events.ImageReceived;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** What the worker publishes; each send waits for the broker so a batch is acked only after its events. */
@ApplicationScoped
public class WorkerEvents {
    @Inject
    @Channel("analysis-completed")
    MutinyEmitter<AnalysisCompleted> completed;
    @Inject
    @Channel("image-dlq")
    MutinyEmitter<ImageReceived> deadLetters;

    /** Sends all, then waits until the broker has acknowledged every one (one round trip, not one per event). */
    public void completed(List<AnalysisCompleted> batch) {
        List<Uni<Void>> sends = batch.stream().map(event -> completed.sendMessage(Message.of(event).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(event.analysisId().toString()).build()))).toList();
        if (!sends.isEmpty()) {
            Uni.join().all(sends).andFailFast().await().atMost(Duration.ofSeconds(30));
        }
    }

    public void deadLetter(ImageReceived event, String reason) {
        var headers = new RecordHeaders().add("alveolus-failure-reason", reason.getBytes(StandardCharsets.UTF_8));
        deadLetters.sendMessage(Message.of(event).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.partitionKey()).withHeaders(headers).build())).await().atMost(Duration.ofSeconds(30));
    }
}
