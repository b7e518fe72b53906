package io.alveolus.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One line of the append-only audit trail (the table refuses updates and deletes). */
@Entity
@Table(name = "audit_event")
public class AuditEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(updatable = false)
    public Instant at = Instant.now();
    @Column(updatable = false)
    public String tenant;
    @Column(updatable = false, nullable = false)
    public String actor;
    @Column(name = "actor_roles", updatable = false)
    public String actorRoles;
    @Column(updatable = false, nullable = false)
    public String action;
    @Column(name = "resource_type", updatable = false)
    public String resourceType;
    @Column(name = "resource_id", updatable = false)
    public String resourceId;
    @Column(updatable = false, nullable = false)
    public String outcome;
    @Column(name = "http_status", updatable = false)
    public Integer httpStatus;
    @Column(updatable = false)
    public String source;
}
