package io.alveolus.persistence.outbox;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.persistence.EntityManager;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The transactional outbox (ADR 0004): the one way a service announces a change it has stored. {@link #enqueue}
 * writes the event in the caller's transaction, beside the row it announces; {@link #relay} publishes pending
 * events in id order and marks them, so an event is never lost once that transaction commits (published at least
 * once: consumers are idempotent by the ids the events carry). Rows are claimed with {@code FOR UPDATE SKIP
 * LOCKED}, so any number of relays (one per replica) share the queue without publishing a row twice while it is
 * in flight. Each channel (Kafka; deliveries to a hospital's PACS) is relayed by the publisher for it, with its own
 * retry delay and dead-letter bound.
 */
@ApplicationScoped
public class Outbox {
    /** One pending event; {@code attempts}: how often it was tried before. */
    public record Pending(long id, String topic, String key, String payload, String subject, int attempts) {
    }

    /**
     * Sends the events of one channel: Kafka's (the default) or another edge's, such as deliveries to a PACS. The
     * stage completes when the receiver has acknowledged the event.
     */
    public interface Publisher {
        CompletionStage<?> send(Pending event);

        /** The channel whose rows this publisher sends; each channel has its own relay pass. */
        default String channel() {
            return KAFKA;
        }

        /** Attempts after which an event is dead-lettered (kept, never sent again); 0: retried for ever. */
        default int maxAttempts() {
            return 0;
        }

        /** How long an event waits after its {@code attempts}-th failure; zero: the next pass takes it. */
        default Duration retryDelay(int attempts) {
            return Duration.ZERO;
        }
    }

    /**
     * What a publisher throws (or fails its stage with) for an event no retry can deliver (a source image that can
     * never be drawn, a destination removed): dead-lettered at once instead of after the bound.
     */
    public static class Undeliverable extends RuntimeException {
        public Undeliverable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The channel of the image and completion events (Kafka topics). */
    public static final String KAFKA = "kafka";

    /** Pending events and the age of the oldest, for the relay's gauges. */
    public record Backlog(long pending, Duration oldest) {
    }

    /** Outcome of one relay pass. */
    public record Relayed(int published, boolean failed) {
    }

    @Inject
    EntityManager em;

    /** Writes an event to be published once the caller's transaction commits; returns its id. */
    @Transactional(Transactional.TxType.MANDATORY)
    public long enqueue(String topic, String key, String payload, String subject) {
        return ((Number) em.createNativeQuery("""
                insert into outbox_event (topic, event_key, payload, subject) values (:topic, :key, :payload, :subject)
                returning id""")
                .setParameter("topic", topic).setParameter("key", key).setParameter("payload", payload)
                .setParameter("subject", subject).getSingleResult()).longValue();
    }

    /**
     * Writes a delivery of another channel (no Kafka topic: {@code topic} names the destination), at most once per
     * (subject, key): a completion announced twice enqueues its delivery once. Returns whether it was written.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean enqueueOnce(String channel, String tenant, String topic, String key, String payload, String subject) {
        return em.createNativeQuery("""
                insert into outbox_event (channel, tenant, topic, event_key, payload, subject)
                values (:channel, :tenant, :topic, :key, :payload, :subject)
                on conflict do nothing""")
                .setParameter("channel", channel).setParameter("tenant", tenant).setParameter("topic", topic)
                .setParameter("key", key).setParameter("payload", payload).setParameter("subject", subject)
                .executeUpdate() == 1;
    }

    /**
     * Writes a {@code pacs} delivery to be sent no earlier than {@code notBefore}, or, if one with the same
     * (subject, key) exists, re-opens it with the new payload and time, whether it was pending, sent or dead: a
     * delivery that is rebuilt from the current state when it is sent (a study's result, once more of its images
     * are done) is sent once after the last change instead of once per change.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void enqueueOrReopen(String tenant, String topic, String key, String payload, String subject,
                                Instant notBefore) {
        em.createNativeQuery("""
                insert into outbox_event (channel, tenant, topic, event_key, payload, subject, next_attempt_at)
                values ('pacs', :tenant, :topic, :key, :payload, :subject, :notBefore)
                on conflict (subject, event_key) where channel = 'pacs' do update
                  set payload = excluded.payload, next_attempt_at = excluded.next_attempt_at, published_at = null,
                      dead_at = null, attempts = 0, last_error = null""")
                .setParameter("tenant", tenant).setParameter("topic", topic).setParameter("key", key)
                .setParameter("payload", payload).setParameter("subject", subject)
                .setParameter("notBefore", java.sql.Timestamp.from(notBefore)).executeUpdate();
    }

    /**
     * Publishes up to {@code limit} pending events, oldest first, in one transaction: claimed, all sent, each
     * acknowledgement awaited (at most {@code ackTimeout} in all), the acknowledged ones marked. An event the
     * broker did not acknowledge stays pending with its attempt and error recorded, for the next pass.
     */
    @ActivateRequestContext // the relay's own thread: Hibernate resolves the (here: no) tenant from it
    public Relayed relay(int limit, Duration ackTimeout, Publisher publisher) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    select id, topic, event_key, payload, subject, attempts from outbox_event
                    where channel = :channel and published_at is null and dead_at is null
                      and (next_attempt_at is null or next_attempt_at <= now())
                    order by id limit :limit for update skip locked""")
                    .setParameter("channel", publisher.channel()).setParameter("limit", limit).getResultList();
            List<Pending> claimed = new ArrayList<>();
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (Object[] r : rows) {
                var event = new Pending(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3],
                        (String) r[4], ((Number) r[5]).intValue());
                claimed.add(event);
                CompletableFuture<?> ack;
                try {
                    ack = publisher.send(event).toCompletableFuture();
                } catch (RuntimeException e) {
                    ack = CompletableFuture.failedFuture(e);
                }
                acks.add(ack);
            }
            long deadline = System.nanoTime() + ackTimeout.toNanos();
            List<Long> sent = new ArrayList<>();
            boolean failed = false;
            for (int i = 0; i < claimed.size(); i++) {
                try {
                    acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    sent.add(claimed.get(i).id());
                } catch (Exception e) {
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    String error = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
                    int tries = claimed.get(i).attempts() + 1;
                    boolean dead = cause instanceof Undeliverable
                            || publisher.maxAttempts() > 0 && tries >= publisher.maxAttempts();
                    Duration delay = publisher.retryDelay(tries);
                    em.createNativeQuery("""
                            update outbox_event set attempts = attempts + 1, last_error = :error,
                                next_attempt_at = case when :delayMs > 0
                                    then now() + make_interval(secs => :delayMs / 1000.0) end,
                                dead_at = case when :dead then now() end
                            where id = :id""")
                            .setParameter("error", error.length() > 500 ? error.substring(0, 500) : error)
                            .setParameter("delayMs", delay.toMillis()).setParameter("dead", dead)
                            .setParameter("id", claimed.get(i).id()).executeUpdate();
                    failed = true;
                }
            }
            if (!sent.isEmpty()) {
                em.createNativeQuery("update outbox_event set published_at = now(), attempts = attempts + 1 "
                        + "where id = any(cast(:ids as bigint[]))")
                        .setParameter("ids", sent.stream().map(String::valueOf)
                                .collect(java.util.stream.Collectors.joining(",", "{", "}")))
                        .executeUpdate();
            }
            return new Relayed(sent.size(), failed);
        });
    }

    @ActivateRequestContext
    @Transactional
    public Backlog backlog(String channel) {
        Object[] r = (Object[]) em.createNativeQuery("""
                select count(*), coalesce(extract(epoch from now() - min(created_at)), 0)
                from outbox_event where channel = :channel and published_at is null and dead_at is null""")
                .setParameter("channel", channel).getSingleResult();
        return new Backlog(((Number) r[0]).longValue(),
                Duration.ofMillis(Math.round(((Number) r[1]).doubleValue() * 1000)));
    }

    /** Drops events published before {@code before} (kept a while for operators to trace a delivery). */
    @ActivateRequestContext
    @Transactional
    public int purgePublishedBefore(String channel, Instant before) {
        return em.createNativeQuery("delete from outbox_event where channel = :channel and published_at < :before")
                .setParameter("channel", channel).setParameter("before", before).executeUpdate();
    }
}
