package io.alveolus.common.events;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

public class AnalysisCompletedDeserializer extends ObjectMapperDeserializer<AnalysisCompleted> {
    public AnalysisCompletedDeserializer() {
        super(AnalysisCompleted.class);
    }
}
