package io.alveolus.results.delivery;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tenants' result destinations, PACS and RIS (table {@code result_destination}, V15, V17, and V19 for TLS). Native SQL: destinations are read across
 * tenants by the delivery relay, which has no tenant of its own. {@code alveolus.delivery.bootstrap} registers the
 * local stack's (Orthanc) if absent: {@code id=tenant;STOW_RS;base-url}, {@code id=tenant;C_STORE;AE@host:port} or
 * {@code id=tenant;HL7_MLLP;APPLICATION^FACILITY@host:port}.
 */
@ApplicationScoped
public class PacsDestinations {
    private static final Logger LOG = Logger.getLogger(PacsDestinations.class);

    public enum Protocol {
        STOW_RS, C_STORE, HL7_MLLP;

        /** A PACS takes DICOM objects (SR, SC); a RIS takes the HL7 result message. */
        public boolean pacs() {
            return this != HL7_MLLP;
        }
    }

    /**
     * One destination: a DICOMweb base URL (STOW_RS), an AE on host:port (C_STORE), or a RIS's MLLP listener on
     * host:port named by its HL7 application and facility (HL7_MLLP). {@code tls} (C_STORE, HL7_MLLP): the
     * connection is TLS, the peer's certificate chaining to {@code tlsCaPem} (the hospital's CA, PEM; null: the
     * JVM's default CAs) and naming {@code host}.
     */
    public record Destination(String id, String tenant, Protocol protocol, String url, String host, Integer port,
                              String calledAe, String callingAe, boolean enabled, String receivingApplication,
                              String receivingFacility, boolean tls, String tlsCaPem) {
        public Destination(String id, String tenant, Protocol protocol, String url, String host, Integer port,
                           String calledAe, String callingAe, boolean enabled, String receivingApplication,
                           String receivingFacility) {
            this(id, tenant, protocol, url, host, port, calledAe, callingAe, enabled, receivingApplication,
                    receivingFacility, false, null);
        }

        public Destination(String id, String tenant, Protocol protocol, String url, String host, Integer port,
                           String calledAe, String callingAe, boolean enabled) {
            this(id, tenant, protocol, url, host, port, calledAe, callingAe, enabled, null, null);
        }
    }

    @Inject
    EntityManager em;
    @ConfigProperty(name = "alveolus.delivery.bootstrap")
    Optional<List<String>> bootstrap;

    // after TenantBootstrap (default priority): a destination belongs to a tenant that must exist
    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 600) StartupEvent e) {
        bootstrap.ifPresent(entries -> QuarkusTransaction.requiringNew().run(() -> {
            for (String entry : entries) {
                Destination d = parse(entry);
                int n = em.createNativeQuery("""
                        insert into result_destination (id, tenant, protocol, url, host, port, called_ae, calling_ae,
                                                        receiving_application, receiving_facility)
                        select :id, :tenant, :protocol, :url, :host, :port, :called, :calling, :app, :facility
                        where exists (select 1 from tenant where id = :tenant)
                        on conflict (id) do nothing""")
                        .setParameter("id", d.id()).setParameter("tenant", d.tenant())
                        .setParameter("protocol", d.protocol().name()).setParameter("url", d.url())
                        .setParameter("host", d.host()).setParameter("port", d.port())
                        .setParameter("called", d.calledAe()).setParameter("calling", d.callingAe())
                        .setParameter("app", d.receivingApplication()).setParameter("facility", d.receivingFacility())
                        .executeUpdate();
                if (n == 1) {
                    LOG.infof("PACS destination %s registered for tenant %s (%s)", d.id(), d.tenant(), d.protocol());
                }
            }
        }));
    }

    /** {@code id=tenant;STOW_RS;url} or {@code id=tenant;C_STORE;AE@host:port}. */
    static Destination parse(String entry) {
        String[] kv = entry.trim().split("=", 2);
        String[] f = kv.length == 2 ? kv[1].split(";", 3) : new String[0];
        if (f.length != 3) {
            throw new IllegalArgumentException("alveolus.delivery.bootstrap entry is not id=tenant;PROTOCOL;target: "
                    + entry);
        }
        Protocol p = Protocol.valueOf(f[1].trim());
        if (p == Protocol.STOW_RS) {
            return new Destination(kv[0].trim(), f[0].trim(), p, f[2].trim(), null, null, null, null, true);
        }
        String[] ae = f[2].trim().split("@", 2);
        String[] hp = ae[1].split(":", 2);
        if (p == Protocol.HL7_MLLP) {
            String[] app = ae[0].split("\\^", 2);
            return new Destination(kv[0].trim(), f[0].trim(), p, null, hp[0], Integer.parseInt(hp[1]), null, null, true,
                    app[0], app.length > 1 ? app[1] : null);
        }
        return new Destination(kv[0].trim(), f[0].trim(), p, null, hp[0], Integer.parseInt(hp[1]), ae[0], "ALVEOLUS",
                true);
    }

    /** The tenant's enabled destinations. */
    @Transactional
    public List<Destination> enabledFor(String tenant) {
        return query("where tenant = :v and enabled", tenant);
    }

    /** Every destination of the tenant, enabled or not. */
    @Transactional
    public List<Destination> of(String tenant) {
        return query("where tenant = :v", tenant);
    }

    @Transactional
    public Optional<Destination> byId(String id) {
        return query("where id = :v", id).stream().findFirst();
    }

    /** Creates or replaces a destination (the operator API). */
    @Transactional
    public void put(Destination d) {
        em.createNativeQuery("""
                insert into result_destination (id, tenant, protocol, url, host, port, called_ae, calling_ae, enabled,
                                                receiving_application, receiving_facility, tls, tls_ca_pem)
                values (:id, :tenant, :protocol, :url, :host, :port, :called, :calling, :enabled, :app, :facility,
                        :tls, :ca)
                on conflict (id) do update set protocol = excluded.protocol, url = excluded.url, host = excluded.host,
                    port = excluded.port, called_ae = excluded.called_ae, calling_ae = excluded.calling_ae,
                    enabled = excluded.enabled, receiving_application = excluded.receiving_application,
                    receiving_facility = excluded.receiving_facility, tls = excluded.tls,
                    tls_ca_pem = excluded.tls_ca_pem
                where result_destination.tenant = excluded.tenant""")
                .setParameter("id", d.id()).setParameter("tenant", d.tenant())
                .setParameter("protocol", d.protocol().name()).setParameter("url", d.url())
                .setParameter("host", d.host()).setParameter("port", d.port())
                .setParameter("called", d.calledAe()).setParameter("calling", d.callingAe())
                .setParameter("enabled", d.enabled()).setParameter("app", d.receivingApplication())
                .setParameter("facility", d.receivingFacility()).setParameter("tls", d.tls())
                .setParameter("ca", d.tlsCaPem()).executeUpdate();
    }

    private List<Destination> query(String where, String value) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select id, tenant, protocol, url, host, port, called_ae, calling_ae,"
                + " enabled, receiving_application, receiving_facility, tls, tls_ca_pem from result_destination " + where
                + " order by id")
                .setParameter("v", value).getResultList();
        List<Destination> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new Destination((String) r[0], (String) r[1], Protocol.valueOf((String) r[2]), (String) r[3],
                    (String) r[4], r[5] == null ? null : ((Number) r[5]).intValue(), (String) r[6], (String) r[7],
                    (Boolean) r[8], (String) r[9], (String) r[10], (Boolean) r[11], (String) r[12]));
        }
        return out;
    }
}
