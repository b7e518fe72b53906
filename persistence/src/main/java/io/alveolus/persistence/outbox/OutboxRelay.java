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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes the outbox in the background, in every service that provides {@link Outbox.Publisher} beans (in the
 * others it stays idle): one lane per publisher, each relaying its own channel (Kafka; deliveries to PACS) on its
 * own thread, so a hospital's PACS being down never holds back image events. A service calls {@link #wake()} after
 * committing an event so it goes out at once; a periodic pass picks up what is left (an instance that crashed
 * before publishing, a broker or PACS outage, a delivery whose retry time has come), backing off while the
 * receiver refuses. Gauges per channel: {@code alveolus_outbox_pending} and {@code alveolus_outbox_oldest_seconds}.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final long GAUGE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

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
    /** Published Kafka events are kept this long for operators to trace them, then purged. */
    @ConfigProperty(name = "alveolus.outbox.keep-published", defaultValue = "P1D")
    Duration keepPublished;
    /** Deliveries are the tenant admin's delivery status: kept longer. */
    @ConfigProperty(name = "alveolus.outbox.keep-delivered", defaultValue = "P30D")
    Duration keepDelivered;

    private final List<Lane> lanes = new ArrayList<>();
    private volatile boolean running;

    /** One channel's relay: its publisher, thread, wake-up signal and gauges. */
    private final class Lane {
        final Outbox.Publisher publisher;
        final Semaphore signal = new Semaphore(0);
        final AtomicLong pending = new AtomicLong();
        final AtomicLong oldestMillis = new AtomicLong();
        long lastGaugeNanos = System.nanoTime() - GAUGE_INTERVAL_NANOS;
        Thread thread;

        Lane(Outbox.Publisher publisher) {
            this.publisher = publisher;
        }

        String channel() {
            return publisher.channel();
        }
    }

    void start(@Observes StartupEvent ev) {
        for (Outbox.Publisher p : publishers) {
            lanes.add(new Lane(p));
        }
        if (lanes.isEmpty()) {
            return;
        }
        running = true;
        MeterRegistry registry = registries.isResolvable() ? registries.get() : null;
        for (Lane lane : lanes) {
            if (registry != null) {
                Gauge.builder("alveolus.outbox.pending", lane.pending, AtomicLong::get).tag("channel", lane.channel())
                        .description("events written but not yet acknowledged by their receiver").register(registry);
                Gauge.builder("alveolus.outbox.oldest.seconds", lane.oldestMillis, v -> v.get() / 1000.0)
                        .tag("channel", lane.channel()).description("age of the oldest unpublished event")
                        .register(registry);
            }
            // "outbox-relay" for Kafka as before (dashboards and the bench group threads by that name)
            lane.thread = new Thread(() -> loop(lane),
                    Outbox.KAFKA.equals(lane.channel()) ? "outbox-relay" : "outbox-relay-" + lane.channel());
            lane.thread.setDaemon(true);
            lane.thread.start();
        }
    }

    void stop(@Observes ShutdownEvent ev) throws InterruptedException {
        running = false;
        for (Lane lane : lanes) {
            lane.signal.release();
        }
        for (Lane lane : lanes) {
            lane.thread.join(5000);
        }
    }

    /** Asks every channel for a pass now (after a commit that wrote events). */
    public void wake() {
        for (Lane lane : lanes) {
            lane.signal.release();
        }
    }

    private void loop(Lane lane) {
        Duration backoff = Duration.ZERO;
        Instant nextPurge = Instant.now();
        Duration keep = Outbox.KAFKA.equals(lane.channel()) ? keepPublished : keepDelivered;
        while (running) {
            try {
                Duration wait = backoff.isZero() ? pollInterval : backoff;
                lane.signal.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
                lane.signal.drainPermits();
                if (!running) {
                    break;
                }
                boolean failed = drain(lane);
                backoff = failed ? next(backoff) : Duration.ZERO;
                if (Instant.now().isAfter(nextPurge)) {
                    outbox.purgePublishedBefore(lane.channel(), Instant.now().minus(keep));
                    nextPurge = Instant.now().plus(Duration.ofMinutes(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // the database is down or refused: the events are safe in it; try again later
                LOG.warnf("outbox relay pass (%s) failed: %s", lane.channel(), e.toString());
                backoff = next(backoff);
            }
        }
    }

    /** Publishes until nothing is due or the receiver refuses; returns whether it refused. */
    private boolean drain(Lane lane) {
        try {
            while (true) {
                Outbox.Relayed r = outbox.relay(batchSize, ackTimeout, lane.publisher);
                if (r.failed()) {
                    LOG.warnf("%s did not acknowledge every outbox event; %d published in this pass, the rest wait",
                            lane.channel(), r.published());
                    return true;
                }
                if (r.published() < batchSize) {
                    return false;
                }
            }
        } finally {
            // the gauges need not follow every upload: one backlog query a second, not one per wake-up
            long now = System.nanoTime();
            if (now - lane.lastGaugeNanos >= GAUGE_INTERVAL_NANOS) {
                lane.lastGaugeNanos = now;
                Outbox.Backlog b = outbox.backlog(lane.channel());
                lane.pending.set(b.pending());
                lane.oldestMillis.set(b.oldest().toMillis());
            }
        }
    }

    private Duration next(Duration backoff) {
        Duration d = backoff.isZero() ? Duration.ofMillis(250) : backoff.multipliedBy(2);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
