package io.alveolus.common.events;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

public class ImageReceivedDeserializer extends ObjectMapperDeserializer<ImageReceived> {
    public ImageReceivedDeserializer() {
        super(ImageReceived.class);
    }
}
