package io.alveolus.ingest.messaging;

import io.alveolus.common.events.ImageReceived;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;

/** Publishes image-received events and waits for the broker's acknowledgement (acks=all). */
@ApplicationScoped
public class ImageEvents {
    @Inject
    @Channel("image-received")
    MutinyEmitter<ImageReceived> emitter;

    public void publish(ImageReceived event) {
        Message<ImageReceived> msg = Message.of(event).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(event.partitionKey()).build());
        emitter.sendMessage(msg).await().atMost(Duration.ofSeconds(30));
    }
}
