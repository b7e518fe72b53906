package io.alveolus.ingest.messaging;

import io.alveolus.common.events.ImageReceived;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;

/**
 * Publishes image-received events and waits for the broker's acknowledgement (acks=all): on the urgent lane for
 * URGENT studies within the tenant's urgent allowance, else on the routine topic.
 */
@ApplicationScoped
public class ImageEvents {
    @Inject
    @Channel("image-received")
    MutinyEmitter<ImageReceived> routine;
    @Inject
    @Channel("image-received-urgent")
    MutinyEmitter<ImageReceived> urgent;

    public void publish(ImageReceived event, boolean urgentLane) {
        Message<ImageReceived> msg = Message.of(event).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(event.partitionKey()).build());
        (urgentLane ? urgent : routine).sendMessage(msg).await().atMost(Duration.ofSeconds(30));
    }
}
