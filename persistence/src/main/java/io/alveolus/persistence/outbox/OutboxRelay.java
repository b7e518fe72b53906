package io.alveolus.persistence.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes the outbox in the background, in every service that provides an {@link Outbox.Publisher} bean (in the
 * others it stays idle). A service calls {@link #wake()} after committing an event so it goes out at once; a
 * periodic pass picks up what is left (an instance that crashed before publishing, a broker outage), backing off
 * while the broker refuses. Gauges: {@code alveolus_outbox_pending} and {@code alveolus_outbox_oldest_seconds}.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @Inject
    Outbox outbox;
    @Inject
    Instance<Outbox.Publisher> publishers;
    @Inject
    Instance<MeterRegistry> registries;
    @ConfigProperty(name = "alveolus.outbox.batch-size", defaultValue = "100")
    int batchSize;
    /** How often pending events are looked for when nobody calls {@link #wake()}. */
    @ConfigProperty(name = "alveolus.outbox.poll-interval", defaultValue = "PT1S")
    Duration pollInterval;
    @ConfigProperty(name = "alveolus.outbox.ack-timeout", defaultValue = "PT15S")
    Duration ackTimeout;
    @ConfigProperty(name = "alveolus.outbox.max-backoff", defaultValue = "PT10S")
    Duration maxBackoff;
    /** Published events are kept this long for operators to trace them, then purged. */
    @ConfigProperty(name = "alveolus.outbox.keep-published", defaultValue = "P1D")
    Duration keepPublished;

    private final Semaphore signal = new Semaphore(0);
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestMillis = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    void start(@Observes StartupEvent ev) {
        if (publishers.isUnsatisfied()) {
            return;
        }
        if (registries.isResolvable()) {
            MeterRegistry registry = registries.get();
            Gauge.builder("alveolus.outbox.pending", pending, AtomicLong::get)
                    .description("events written but not yet acknowledged by the broker").register(registry);
            Gauge.builder("alveolus.outbox.oldest.seconds", oldestMillis, v -> v.get() / 1000.0)
                    .description("age of the oldest unpublished event").register(registry);
        }
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ev) throws InterruptedException {
        running = false;
        if (thread != null) {
            signal.release();
            thread.join(5000);
        }
    }

    /** Asks for a pass now (after a commit that wrote events). */
    public void wake() {
        signal.release();
    }

    private void loop() {
        Outbox.Publisher publisher = publishers.get();
        Duration backoff = Duration.ZERO;
        Instant nextPurge = Instant.now();
        while (running) {
            try {
                Duration wait = backoff.isZero() ? pollInterval : backoff;
                signal.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
                signal.drainPermits();
                if (!running) {
                    break;
                }
                boolean failed = drain(publisher);
                backoff = failed ? next(backoff) : Duration.ZERO;
                if (Instant.now().isAfter(nextPurge)) {
                    outbox.purgePublishedBefore(Instant.now().minus(keepPublished));
                    nextPurge = Instant.now().plus(Duration.ofMinutes(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // the database is down or refused: the events are safe in it; try again later
                LOG.warnf("outbox relay pass failed: %s", e.toString());
                backoff = next(backoff);
            }
        }
    }

    /** Publishes until nothing is pending or the broker refuses; returns whether it refused. */
    boolean drain(Outbox.Publisher publisher) {
        try {
            while (true) {
                Outbox.Relayed r = outbox.relay(batchSize, ackTimeout, publisher);
                if (r.failed()) {
                    LOG.warnf("broker did not acknowledge every outbox event; %d published in this pass, "
                            + "the rest stay pending", r.published());
                    return true;
                }
                if (r.published() < batchSize) {
                    return false;
                }
            }
        } finally {
            // the gauges need not follow every upload: one backlog query a second, not one per wake-up
            long now = System.nanoTime();
            if (now - lastGaugeNanos >= GAUGE_INTERVAL_NANOS) {
                lastGaugeNanos = now;
                Outbox.Backlog b = outbox.backlog();
                pending.set(b.pending());
                oldestMillis.set(b.oldest().toMillis());
            }
        }
    }

    private static final long GAUGE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private long lastGaugeNanos = System.nanoTime() - GAUGE_INTERVAL_NANOS;

    private Duration next(Duration backoff) {
        Duration d = backoff.isZero() ? Duration.ofMillis(250) : backoff.multipliedBy(2);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
