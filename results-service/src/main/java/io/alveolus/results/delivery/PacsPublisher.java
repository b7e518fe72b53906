package io.alveolus.results.delivery;

import io.alveolus.persistence.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The outbox's {@code pacs} channel (PACS and RIS deliveries): builds each delivery's object or HL7 message and
 * hands it to the destination's exporter (STOW-RS, C-STORE, MLLP), on
 * a small pool of its own (the relay waits for the answers, outside its transaction's thread). A failure waits
 * 2, 4, 8... seconds (at most {@code alveolus.delivery.max-retry-delay}) before the next attempt, and after
 * {@code alveolus.delivery.max-attempts} the delivery is dead-lettered: kept, shown as DEAD in the delivery
 * status, sent no more.
 */
@ApplicationScoped
public class PacsPublisher implements Outbox.Publisher {
    private static final Logger LOG = Logger.getLogger(PacsPublisher.class);
    private static final Duration MLLP_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MLLP_ACK_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    PacsDestinations destinations;
    @Inject
    DicomResults results;
    @Inject
    StowRsExporter stowRs;
    @Inject
    CStoreExporter cStore;
    @Inject
    MeterRegistry metrics;
    @ConfigProperty(name = "alveolus.delivery.max-attempts", defaultValue = "20")
    int maxAttempts;
    @ConfigProperty(name = "alveolus.delivery.max-retry-delay", defaultValue = "PT10M")
    Duration maxRetryDelay;
    @ConfigProperty(name = "alveolus.delivery.threads", defaultValue = "4")
    int threads;

    private volatile ExecutorService pool;

    @Override
    public String channel() {
        return Delivery.CHANNEL;
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public Duration retryDelay(int attempts) {
        Duration d = Duration.ofSeconds(1L << Math.min(20, Math.max(1, attempts)));
        return d.compareTo(maxRetryDelay) > 0 ? maxRetryDelay : d;
    }

    @Override
    public CompletionStage<?> send(Outbox.Pending event) {
        return CompletableFuture.runAsync(() -> deliver(Delivery.parse(event.payload())), pool());
    }

    @ActivateRequestContext
    void deliver(Delivery d) {
        String outcome = "failed";
        try {
            var destination = destinations.byId(d.destination()).filter(PacsDestinations.Destination::enabled)
                    .orElseThrow(() -> new Outbox.Undeliverable("destination " + d.destination()
                            + " is not configured or disabled", null));
            if (!destination.tenant().equals(d.tenant())) {
                // never send one hospital's result to another's PACS, whatever the row says
                throw new Outbox.Undeliverable("destination " + d.destination() + " is not tenant " + d.tenant()
                        + "'s", null);
            }
            byte[] object = null;
            String message = null;
            try {
                if (d.kind() == Delivery.Kind.ORU) {
                    message = results.oru(d, destination);
                } else {
                    object = results.build(d);
                }
            } catch (io.alveolus.interop.DicomRejected | IllegalArgumentException e) {
                // the stored original cannot be made into this object (a colour image for the SC, no accession for
                // the RIS): never will
                throw new Outbox.Undeliverable("cannot make the " + d.kind() + ": " + e.getMessage(), e);
            }
            switch (destination.protocol()) {
                case STOW_RS -> stowRs.send(destination, object);
                case C_STORE -> cStore.send(destination, object);
                case HL7_MLLP -> {
                    // over TLS: the RIS's certificate chains to the hospital's CA (or the JVM's) and names the host
                    try (var mllp = new io.alveolus.interop.hl7.MllpSender(new io.alveolus.interop.hl7.MllpSender.Config(
                            destination.host(), destination.port(), MLLP_CONNECT_TIMEOUT, MLLP_ACK_TIMEOUT,
                            destination.tls(), destination.tls()
                            ? io.alveolus.interop.tls.Tls.trusting(destination.tlsCaPem()) : null))) {
                        mllp.send(message);
                    }
                }
            }
            outcome = "delivered";
            LOG.infof("delivered %s of analysis %s to %s", d.kind(), d.analysisId(), d.destination());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        } finally {
            metrics.counter("alveolus.delivery.attempts", "kind", d.kind().name(), "outcome", outcome).increment();
        }
    }

    private ExecutorService pool() {
        if (pool == null) {
            synchronized (this) {
                if (pool == null) {
                    pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
                        Thread t = new Thread(r, "pacs-delivery");
                        t.setDaemon(true);
                        return t;
                    });
                }
            }
        }
        return pool;
    }

    void stop(@Observes ShutdownEvent e) {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
