package dev.registry.session.admin;

import dev.registry.common.metrics.JvmMetrics;
import dev.registry.common.metrics.PrometheusText;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcMetrics;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.session.balance.ClientMigration;
import dev.registry.session.bolt.SofaClientPort;
import dev.registry.session.catalog.SessionCatalog;
import dev.registry.session.damping.ClientLinkDamping;
import dev.registry.session.publish.PublisherSyncer;
import dev.registry.session.publish.SlotReconciler;
import dev.registry.session.push.PushEngine;
import dev.registry.session.push.SubscriberRegistry;
import dev.registry.session.store.SessionPublisherStore;

/** The Prometheus text of a session, as /metrics serves it: what each of its parts counts. */
public final class SessionMetrics {
    private final RpcServer clientServer;
    private final RpcClient dataClient;
    private final SessionPublisherStore publishers;
    private final SubscriberRegistry<?> subscribers;
    private final PublisherSyncer syncer;
    private final SlotTableHolder tables;
    private final ClientMigration migration;
    private final SlotReconciler reconciler;
    private final PushEngine push;
    private final ClientLinkDamping damping;
    private final SessionCatalog catalog;
    private final SofaClientPort sofa;

    /** @param sofa the SOFARegistry client port, or null when off */
    public SessionMetrics(RpcServer clientServer, RpcClient dataClient, SessionPublisherStore publishers,
                          SubscriberRegistry<?> subscribers, PublisherSyncer syncer, SlotTableHolder tables,
                          ClientMigration migration, SlotReconciler reconciler, PushEngine push,
                          ClientLinkDamping damping, SessionCatalog catalog, SofaClientPort sofa) {
        this.clientServer = clientServer;
        this.dataClient = dataClient;
        this.publishers = publishers;
        this.subscribers = subscribers;
        this.syncer = syncer;
        this.tables = tables;
        this.migration = migration;
        this.reconciler = reconciler;
        this.push = push;
        this.damping = damping;
        this.catalog = catalog;
        this.sofa = sofa;
    }

    public String text() {
        StringBuilder out = new StringBuilder();
        RpcMetrics.appendPrometheus(out, clientServer.metrics(), dataClient.metrics());
        JvmMetrics.appendPrometheus(out);
        PrometheusText.gauge(out, "registry_session_publishers", publishers.size());
        PrometheusText.gauge(out, "registry_session_subscribers", subscribers.size());
        PrometheusText.gauge(out, "registry_session_sync_pending_keys", syncer.pendingKeys());
        PrometheusText.gauge(out, "registry_session_slot_table_epoch", tables.epoch());
        PrometheusText.gauge(out, "registry_session_client_connections", clientServer.connections().size());
        PrometheusText.counter(out, "registry_session_clients_asked_to_move_total", migration.clientsAskedToMove());
        PrometheusText.counter(out, "registry_session_slot_syncs_total", reconciler.syncs());
        PrometheusText.counter(out, "registry_session_slot_sync_repairs_total", reconciler.repaired());
        PrometheusText.counter(out, "registry_session_slot_sync_summary_mismatches_total", reconciler.summaryMismatches());
        PrometheusText.counter(out, "registry_session_sync_unexpected_failures_total", syncer.unexpectedFailures());
        push.appendPrometheus(out);
        damping.appendPrometheus(out);
        catalog.appendMetrics(out);
        if (sofa != null) {
            sofa.appendPrometheus(out);
        }
        return out.toString();
    }
}
