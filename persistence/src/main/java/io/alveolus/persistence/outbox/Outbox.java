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
 * in flight.
 */
@ApplicationScoped
public class Outbox {
    /** One pending event. */
    public record Pending(long id, String topic, String key, String payload, String subject) {
    }

    /** Sends one event to the broker; the stage completes when the broker has acknowledged it. */
    @FunctionalInterface
    public interface Publisher {
        CompletionStage<?> send(Pending event);
    }

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
     * Publishes up to {@code limit} pending events, oldest first, in one transaction: claimed, all sent, each
     * acknowledgement awaited (at most {@code ackTimeout} in all), the acknowledged ones marked. An event the
     * broker did not acknowledge stays pending with its attempt and error recorded, for the next pass.
     */
    @ActivateRequestContext // the relay's own thread: Hibernate resolves the (here: no) tenant from it
    public Relayed relay(int limit, Duration ackTimeout, Publisher publisher) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    select id, topic, event_key, payload, subject from outbox_event
                    where published_at is null order by id limit :limit for update skip locked""")
                    .setParameter("limit", limit).getResultList();
            List<Pending> claimed = new ArrayList<>();
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (Object[] r : rows) {
                var event = new Pending(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3],
                        (String) r[4]);
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
                    em.createNativeQuery("update outbox_event set attempts = attempts + 1, last_error = :error where id = :id")
                            .setParameter("error", error.length() > 500 ? error.substring(0, 500) : error)
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
    public Backlog backlog() {
        Object[] r = (Object[]) em.createNativeQuery("""
                select count(*), coalesce(extract(epoch from now() - min(created_at)), 0)
                from outbox_event where published_at is null""").getSingleResult();
        return new Backlog(((Number) r[0]).longValue(),
                Duration.ofMillis(Math.round(((Number) r[1]).doubleValue() * 1000)));
    }

    /** Drops events published before {@code before} (kept a while for operators to trace a delivery). */
    @ActivateRequestContext
    @Transactional
    public int purgePublishedBefore(Instant before) {
        return em.createNativeQuery("delete from outbox_event where published_at < :before")
                .setParameter("before", before).executeUpdate();
    }
}
