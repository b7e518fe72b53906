package io.alveolus.ingest.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.Topics;
import io.alveolus.persistence.outbox.Outbox;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletionStage;

/**
 * Image-received events go through the transactional outbox ({@link Outbox}, ADR 0004): ingest writes one in the
 * statement that stores its analysis row (AnalysisIntake#queue, with {@link #topic} and {@link #payload}), on the
 * urgent lane for URGENT studies within the tenant's urgent allowance, else on the routine topic; the outbox relay
 * then sends it with {@link #send} and waits for the broker's acknowledgement (acks=all, idempotent producer).
 */
@ApplicationScoped
public class ImageEvents implements Outbox.Publisher {
    @Inject
    @Channel("outbox")
    MutinyEmitter<String> broker;
    @Inject
    ObjectMapper json;
    /** Topic names are deployment settings (the chart's kafka.topics); the outbox stores the name it was given. */
    @ConfigProperty(name = "alveolus.topics.image-received", defaultValue = Topics.IMAGE_RECEIVED)
    String routineTopic;
    @ConfigProperty(name = "alveolus.topics.image-received-urgent", defaultValue = Topics.IMAGE_RECEIVED_URGENT)
    String urgentTopic;

    /** The topic of an accepted upload's event: the urgent lane within the tenant's urgent allowance, else routine. */
    public String topic(boolean urgentLane) {
        return urgentLane ? urgentTopic : routineTopic;
    }

    /** The event as the outbox stores it and the relay sends it. */
    public String payload(ImageReceived event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("image-received event not serialisable", e);
        }
    }

    @Override
    public CompletionStage<?> send(Outbox.Pending event) {
        Message<String> msg = Message.of(event.payload()).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(event.topic()).withKey(event.key()).build());
        return broker.sendMessage(msg).subscribeAsCompletionStage();
    }
}
