package io.alveolus.worker.service;

import io.alveolus.persistence.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker does not keep every version ever rolled out (issue 16): a version no batch asked for within the idle
 * time is unloaded (never the bootstrap one), one in use stays, and the next batch that needs it loads it again.
 * Real database and registry; the shipped pneumonia-v2 plays the shadow that was ended.
 */
@QuarkusTest
class ModelEvictionTest {

    @Inject
    ModelRunner runner;

    static void shadow(String version) {
        QuarkusTransaction.requiringNew().run(() -> ((Tenant) Tenant.findById("st-marys")).shadowModelVersion = version);
    }

    ModelRunner.Assigned assignment() {
        return QuarkusTransaction.requiringNew().call(() -> runner.assignmentFor(Tenant.findById("st-marys")));
    }

    @AfterEach
    void restore() {
        shadow(null);
    }

    @Test
    void anIdleVersionIsUnloadedAndLoadedAgainWhenABatchNeedsIt() throws Exception {
        shadow("pneumonia-v2");
        LoadedModel first = assignment().shadow();
        assertEquals("pneumonia-v2", first.id());
        assertTrue(runner.loadedVersions().contains("pneumonia-v2"));

        assertEquals(List.of(), runner.evictIdle(Duration.ofMinutes(5), 0), "used a moment ago: kept");
        Thread.sleep(50);
        List<String> dropped = runner.evictIdle(Duration.ofMillis(10), 0);
        assertTrue(dropped.contains("pneumonia-v2"), "idle: unloaded " + dropped);
        assertTrue(runner.loadedVersions().contains(runner.bootstrap().id()), "the bootstrap version stays");
        assertTrue(!runner.loadedVersions().contains("pneumonia-v2"));

        LoadedModel again = assignment().shadow();
        assertEquals("pneumonia-v2", again.id());
        assertNotSame(first, again, "loaded anew for the batch that needs it");
        assertEquals(first.contentSha256(), again.contentSha256());
    }
}
