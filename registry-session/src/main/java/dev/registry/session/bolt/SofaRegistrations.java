package dev.registry.session.bolt;

import com.alipay.sofa.registry.core.model.BaseRegister;
import com.alipay.sofa.registry.core.model.ConfiguratorRegister;
import com.alipay.sofa.registry.core.model.PublisherRegister;
import com.alipay.sofa.registry.core.model.RegisterResponse;
import com.alipay.sofa.registry.core.model.SubscriberRegister;
import com.alipay.sofa.registry.core.model.SyncConfigRequest;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.model.Subscriber;
import dev.registry.session.client.RegistrationChecks;
import dev.registry.session.push.PushTarget;
import dev.registry.session.store.PublisherKey;
import dev.registry.session.store.SessionPublisherStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What SOFARegistry's requests do to the session: the same stores, syncer and push engine as
 * our own client port, so both client families share publishers, subscribers, versions and
 * liveness rules.
 *
 * <ul>
 *   <li>Publisher REGISTER is a full-replace upsert keyed by (DataInfoId, registId); an older
 *       version than the one held is ignored but answered, as SOFARegistry does. The answer
 *       comes when the slot leader holds it, or after 3/4 of the request's timeout (the
 *       client's is 1 s) if the leader is slower: the session holds it and keeps syncing.
 *   <li>Every answer echoes the request's version: the client re-sends until it sees it.
 *   <li>A sync that failed unexpectedly (SERVER_ERROR) is answered {@code failed}, so the client
 *       re-sends it and the re-send syncs it again.
 *   <li>An invalid request is answered {@code refused}, which stops the client's retries.
 *   <li>Configurators are accepted and acknowledged; nothing is ever pushed to them.
 * </ul>
 */
final class SofaRegistrations {
    private static final Logger log = LoggerFactory.getLogger(SofaRegistrations.class);
    /** Wait for the leader when a request carries no timeout. */
    private static final long DEFAULT_ACK_WAIT_MILLIS = 3000;

    private final SofaClientPort.Session session;

    SofaRegistrations(SofaClientPort.Session session) {
        this.session = session;
    }

    Map<String, SofaRequestDispatcher.Handler> handlers() {
        return Map.of(
                PublisherRegister.class.getName(), (c, cmd, r) -> {
                    PublisherRegister p = (PublisherRegister) r;
                    return refusingInvalid(c, p, () -> onPublisher(c, cmd, p));
                },
                SubscriberRegister.class.getName(), (c, cmd, r) -> {
                    SubscriberRegister s = (SubscriberRegister) r;
                    return refusingInvalid(c, s, () -> onSubscriber(c, s));
                },
                ConfiguratorRegister.class.getName(), (c, cmd, r) -> onConfigurator((ConfiguratorRegister) r),
                SyncConfigRequest.class.getName(), (c, cmd, r) -> SofaModel.syncConfig());
    }

    /** An invalid registration (IllegalArgumentException) is answered {@code refused}, with the reason. */
    private static Object refusingInvalid(BoltConnection connection, BaseRegister r, Supplier<Object> handler) {
        try {
            return handler.get();
        } catch (IllegalArgumentException e) {
            log.warn("refused {} {} from {}: {}", r.getClass().getSimpleName(), r.getRegistId(),
                    connection.remoteAddress(), e.getMessage());
            return SofaModel.refused(r, "refused: " + e.getMessage());
        }
    }

    /** The registration's key; IllegalArgumentException if the id or registId is invalid. */
    private static DataInfoId keyOf(BaseRegister r) {
        DataInfoId id = SofaModel.dataInfoId(r);
        RegistrationChecks.checkRegisterId(r.getRegistId());
        return id;
    }

    private Object onPublisher(BoltConnection connection, BoltCommand command, PublisherRegister r) {
        DataInfoId id = keyOf(r);
        SessionPublisherStore publishers = session.publishers();
        PublisherKey key = new PublisherKey(id, r.getRegistId());
        String holder = publishers.holderOf(key);
        String app;
        try {
            session.limits().checkRate(connection.id());
            // With authentication on, every request is signed, and its publisher belongs to the signing app.
            session.authentication().authenticateSigned(connection.id(), r.getAttributes(), SofaModel.signedContent(r));
            app = SofaModel.EVENT_REGISTER.equals(r.getEventType())
                    ? session.authentication().appToPublish(connection.id(), id, r.getAppName()) : r.getAppName();
            if (SofaModel.EVENT_REGISTER.equals(r.getEventType()) && !connection.id().equals(holder)) {
                session.limits().checkPublishers(publishers.countOn(connection.id()));
            }
        } catch (dev.registry.common.rpc.RpcException e) {
            return refusedBy(connection, r, e);
        }
        if (!session.ownership().mayChange(holder, connection.id())) {
            log.info("refused {} of publisher {} from {}: another client's", r.getEventType(), r.getRegistId(),
                    connection.remoteAddress());
            return SofaModel.refused(r, dev.registry.session.store.RegistrationOwnership.refusal("publisher",
                    r.getRegistId()));
        }
        if (SofaModel.EVENT_UNREGISTER.equals(r.getEventType())) {
            Publisher removed = publishers.remove(key, null);
            if (removed == null) {
                return SofaModel.accepted(r, "publisher was not registered");
            }
            return answerWhenSynced(session.syncer().syncRemoval(removed), r, command, "publisher unregistered");
        }
        if (!SofaModel.EVENT_REGISTER.equals(r.getEventType())) {
            return SofaModel.accepted(r, "event type " + r.getEventType() + " ignored"); // as SOFARegistry does
        }
        Publisher publisher = RegistrationChecks.validate(SofaModel.publisher(r, id, app,
                connection.remoteAddress().getAddress().getHostAddress(), session.clock().millis(),
                session.sessionId(), connection.id()));
        if (publishers.put(publisher) == SessionPublisherStore.PutOutcome.STALE) {
            return SofaModel.accepted(r, "older than the registered version; ignored");
        }
        if (!connection.isActive()) {
            // The client left while this request waited in its queue: what it registered leaves with it.
            Publisher orphan = publishers.remove(new PublisherKey(id, r.getRegistId()), connection.id());
            if (orphan != null) {
                session.syncer().syncRemoval(orphan);
            }
            return SofaModel.failed(r, "client connection closed");
        }
        return answerWhenSynced(session.syncer().sync(new PublisherKey(id, r.getRegistId())), r, command,
                "publisher registered");
    }

    private static CompletableFuture<RegisterResponse> answerWhenSynced(CompletableFuture<Long> sync,
                                                                        PublisherRegister r, BoltCommand command,
                                                                        String message) {
        long wait = command.timeoutMillis() > 0 ? Math.max(50, command.timeoutMillis() * 3L / 4)
                : DEFAULT_ACK_WAIT_MILLIS;
        return sync.handle((version, error) -> {
            if (error == null) {
                return SofaModel.accepted(r, message);
            }
            dev.registry.common.rpc.RpcException rpc = dev.registry.common.rpc.RpcException.unwrap(error);
            if (rpc != null && rpc.code() == dev.registry.common.rpc.ErrorCode.SERVER_ERROR) {
                // A bug, logged where it happened; the syncer no longer runs the key, so the client's
                // re-send (idempotent) is what syncs it again: "accepted" would leave it unsynced.
                return SofaModel.failed(r, rpc.getMessage());
            }
            log.warn("publisher {} of {} not yet on its slot leader (kept and retried): {}", r.getRegistId(),
                    r.getDataId(), error.getMessage());
            return SofaModel.accepted(r, message);
        }).completeOnTimeout(SofaModel.accepted(r, message + "; syncing to the slot leader"), wait,
                TimeUnit.MILLISECONDS);
    }

    private Object onSubscriber(BoltConnection connection, SubscriberRegister r) {
        DataInfoId id = keyOf(r);
        PushTarget holder = session.subscribers().holderOf(id, r.getRegistId());
        String app;
        try {
            session.limits().checkRate(connection.id());
            session.authentication().authenticateSigned(connection.id(), r.getAttributes(), SofaModel.signedContent(r));
            app = SofaModel.EVENT_REGISTER.equals(r.getEventType())
                    ? session.authentication().appToSubscribe(connection.id(), id, r.getAppName()) : r.getAppName();
            if (SofaModel.EVENT_REGISTER.equals(r.getEventType()) && (holder == null || !holder.id().equals(connection.id()))) {
                session.limits().checkSubscribers(session.subscribers().countOn(connection));
            }
        } catch (dev.registry.common.rpc.RpcException e) {
            return refusedBy(connection, r, e);
        }
        if (!session.ownership().mayChange(holder == null ? null : holder.id(), connection.id())) {
            log.info("refused {} of subscriber {} from {}: another client's", r.getEventType(), r.getRegistId(),
                    connection.remoteAddress());
            return SofaModel.refused(r, dev.registry.session.store.RegistrationOwnership.refusal("subscriber",
                    r.getRegistId()));
        }
        if (SofaModel.EVENT_UNREGISTER.equals(r.getEventType())) {
            session.subscribers().remove(id, r.getRegistId());
            return SofaModel.accepted(r, "subscriber unregistered");
        }
        if (!SofaModel.EVENT_REGISTER.equals(r.getEventType())) {
            return SofaModel.accepted(r, "event type " + r.getEventType() + " ignored");
        }
        session.subscribers().add(new Subscriber(id, r.getRegistId(), app,
                connection.remoteAddress().getAddress().getHostAddress(), r.getZone(), session.clock().millis()),
                connection);
        if (!connection.isActive()) {
            session.subscribers().removeConnection(connection); // it left while this request waited
            return SofaModel.failed(r, "client connection closed");
        }
        // A new subscriber is pushed the current list at once, even an empty one (its first callback).
        session.push().trigger(id);
        return SofaModel.accepted(r, "subscriber registered");
    }

    /**
     * A limit, authentication or ACL refusal: answered {@code refused} with the reason (which
     * stops the client's retries of it); authentication and ACL refusals are logged once per
     * request at INFO (never with a secret), the busy ones not at all (the metric counts them).
     */
    private static Object refusedBy(BoltConnection connection, BaseRegister r, dev.registry.common.rpc.RpcException e) {
        if (e.code() == dev.registry.common.rpc.ErrorCode.UNAUTHENTICATED
                || e.code() == dev.registry.common.rpc.ErrorCode.FORBIDDEN) {
            log.info("refused {} {} of {} from {}: {}", r.getEventType(), r.getClass().getSimpleName(), r.getDataId(),
                    connection.remoteAddress(), e.getMessage());
        }
        return SofaModel.refused(r, e.getMessage());
    }

    private static Object onConfigurator(ConfiguratorRegister r) {
        return SofaModel.accepted(r, "configurator accepted; this registry pushes no configuration data");
    }

    /**
     * A client connection closed: its subscribers go; its publishers leave the data servers at
     * once, or after a hold when its link flaps or it was asked to move (then it re-registered
     * elsewhere meanwhile and the removal matches nothing). Nothing is removed while the session
     * itself stops.
     */
    void onDisconnected(BoltConnection connection, Duration migrationGrace) {
        session.limits().forget(connection.id());
        if (!session.removesOnDisconnect().getAsBoolean()) {
            return;
        }
        List<Publisher> removed = session.publishers().removeConnection(connection.id());
        int subs = session.subscribers().removeConnection(connection);
        var outcome = session.damping().onConnectionLost(connection.id(), removed, connection.isMigrating(),
                migrationGrace);
        if (!removed.isEmpty() || subs > 0) {
            log.info("SOFARegistry client {} gone{}: {}", connection, connection.isMigrating() ? " (asked to move)" : "",
                    outcome.summary(removed.size(), subs));
        }
    }
}
