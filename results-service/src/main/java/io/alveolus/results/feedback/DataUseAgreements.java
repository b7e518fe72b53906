package io.alveolus.results.feedback;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.audit.AuditLog;
import io.alveolus.persistence.feedback.DataUseAgreement;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Data-use agreements: a tenant admin requests one (scope, terms version, optional period), a platform operator
 * grants it, the operator or the tenant's admin ends it. REQUESTED -> ACTIVE -> ENDED (a request may also be ended
 * before it is granted); anything else is a 409. At most one ACTIVE per tenant (also a unique index), so renewed terms
 * mean: request, end the old one, grant the new one. Every move is written into the tenant's own audit trail with
 * who made it (the operator's request line carries no tenant).
 */
@ApplicationScoped
public class DataUseAgreements {
    public static final String CONFLICT = "urn:alveolus:problem:data-use-agreement";

    @Inject
    AuditLog audit;

    /** An agreement as both APIs show it. */
    public record View(long id, String tenant, String scope, Instant periodFrom, Instant periodTo,
                       String termsVersion, String status, String requestedBy, Instant requestedAt,
                       String grantedBy, Instant grantedAt, String endedBy, Instant endedAt) {
        static View of(DataUseAgreement a) {
            return new View(a.id, a.tenant, a.scope, a.periodFrom, a.periodTo, a.termsVersion, a.status,
                    a.requestedBy, a.requestedAt, a.grantedBy, a.grantedAt, a.endedBy, a.endedAt);
        }
    }

    @Transactional
    public View request(TenantId tenant, String actor, String scope, String termsVersion, Instant from, Instant to) {
        if (!DataUseAgreement.MODEL_IMPROVEMENT.equals(scope)) {
            throw ProblemException.badRequest("scope must be " + DataUseAgreement.MODEL_IMPROVEMENT);
        }
        if (termsVersion == null || !termsVersion.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,39}")) {
            throw ProblemException.badRequest("termsVersion (e.g. terms-2026-12) is 1-40 letters, digits, '.', '_', '-'");
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw ProblemException.badRequest("from must lie before to");
        }
        if (Tenant.findById(tenant.value()) == null) {
            throw ProblemException.notFound("tenant");
        }
        Optional<DataUseAgreement> open = DataUseAgreement.<DataUseAgreement>find("tenant = ?1 and status = ?2",
                tenant.value(), DataUseAgreement.REQUESTED).firstResultOptional();
        if (open.isPresent()) {
            throw conflict("a request is already open (agreement " + open.get().id + "); end it or have it granted");
        }
        DataUseAgreement a = new DataUseAgreement();
        a.tenant = tenant.value();
        a.scope = scope;
        a.termsVersion = termsVersion;
        a.periodFrom = from;
        a.periodTo = to;
        a.requestedBy = actor;
        a.persist();
        DataUseAgreement.getEntityManager().flush();
        audit.system(tenant, actor, "data-use-agreement.request", "data_use_agreement", String.valueOf(a.id));
        return View.of(a);
    }

    @Transactional
    public View grant(long id, String actor) {
        DataUseAgreement a = load(id, null);
        if (!DataUseAgreement.REQUESTED.equals(a.status)) {
            throw conflict("agreement " + id + " is " + a.status + "; only a REQUESTED one can be granted");
        }
        Optional<DataUseAgreement> active = active(a.tenant);
        if (active.isPresent()) {
            throw conflict("tenant " + a.tenant + " already has an active agreement (" + active.get().id
                    + "); end it before granting another");
        }
        a.status = DataUseAgreement.ACTIVE;
        a.grantedBy = actor;
        a.grantedAt = Instant.now();
        try {
            DataUseAgreement.getEntityManager().flush();
        } catch (jakarta.persistence.PersistenceException e) {
            // another grant for the same tenant committed first: the one-active index refused this one
            throw conflict("tenant " + a.tenant + " already has an active agreement; end it before granting another");
        }
        audit.system(new TenantId(a.tenant), actor, "data-use-agreement.grant", "data_use_agreement",
                String.valueOf(id));
        return View.of(a);
    }

    /** Ends an agreement (or withdraws a request); {@code onlyTenant} non-null: the tenant admin's own only. */
    @Transactional
    public View end(long id, String actor, TenantId onlyTenant) {
        DataUseAgreement a = load(id, onlyTenant);
        if (DataUseAgreement.ENDED.equals(a.status)) {
            throw conflict("agreement " + id + " has already ended");
        }
        a.status = DataUseAgreement.ENDED;
        a.endedBy = actor;
        a.endedAt = Instant.now();
        DataUseAgreement.getEntityManager().flush();
        audit.system(new TenantId(a.tenant), actor, "data-use-agreement.end", "data_use_agreement",
                String.valueOf(id));
        return View.of(a);
    }

    /** The tenant's ACTIVE agreement, if any. In a transaction. */
    public Optional<DataUseAgreement> active(String tenant) {
        return DataUseAgreement.<DataUseAgreement>find("tenant = ?1 and status = ?2", tenant,
                DataUseAgreement.ACTIVE).firstResultOptional();
    }

    @Transactional
    public List<View> of(TenantId tenant) {
        return DataUseAgreement.<DataUseAgreement>list("tenant = ?1 order by requestedAt desc, id desc",
                tenant.value()).stream().map(View::of).toList();
    }

    @Transactional
    public List<View> all(String tenant, String status) {
        StringBuilder q = new StringBuilder("1 = 1");
        var params = new java.util.HashMap<String, Object>();
        if (tenant != null && !tenant.isEmpty()) {
            q.append(" and tenant = :tenant");
            params.put("tenant", tenant);
        }
        if (status != null && !status.isEmpty()) {
            if (!List.of(DataUseAgreement.REQUESTED, DataUseAgreement.ACTIVE, DataUseAgreement.ENDED).contains(status)) {
                throw ProblemException.badRequest("status must be REQUESTED, ACTIVE or ENDED");
            }
            q.append(" and status = :status");
            params.put("status", status);
        }
        return DataUseAgreement.<DataUseAgreement>list(q + " order by requestedAt desc, id desc", params).stream()
                .map(View::of).toList();
    }

    /** Another tenant's agreement looks exactly like a missing one. */
    private static DataUseAgreement load(long id, TenantId onlyTenant) {
        DataUseAgreement a = DataUseAgreement.findById(id);
        if (a == null || (onlyTenant != null && !onlyTenant.value().equals(a.tenant))) {
            throw ProblemException.notFound("data-use agreement");
        }
        return a;
    }

    static ProblemException conflict(String detail) {
        return new ProblemException(409, CONFLICT, "Conflict", detail);
    }
}
