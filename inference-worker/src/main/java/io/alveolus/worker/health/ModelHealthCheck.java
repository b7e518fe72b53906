package io.alveolus.worker.health;

import io.alveolus.worker.service.ModelRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

@Readiness
@ApplicationScoped
public class ModelHealthCheck implements HealthCheck {
    @Inject
    ModelRunner model;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model").up().withData("version", model.version())
                .withData("threshold", String.valueOf(model.threshold())).build();
    }
}
