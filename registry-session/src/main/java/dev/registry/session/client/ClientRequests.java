package dev.registry.session.client;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.model.Subscriber;
import dev.registry.common.protocol.AuthRequest;
import dev.registry.common.protocol.CatalogChanged;
import dev.registry.common.protocol.CatalogQuery;
import dev.registry.common.protocol.CatalogWatchRequest;
import dev.registry.common.protocol.ClientHello;
import dev.registry.common.protocol.RegisterAck;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.RegisterSubscriberRequest;
import dev.registry.common.protocol.UnregisterPublisherRequest;
import dev.registry.common.protocol.UnregisterSubscriberRequest;
import dev.registry.common.protocol.WireInterner;
import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcConnection;
import dev.registry.common.rpc.RpcException;
import dev.registry.session.auth.AppCredentials;
import dev.registry.session.auth.ClientAuthentication;
import dev.registry.session.balance.ClientMigration;
import dev.registry.session.catalog.SessionCatalog;
import dev.registry.session.damping.ClientLinkDamping;
import dev.registry.session.limits.ClientLimits;
import dev.registry.session.publish.PublisherSyncer;
import dev.registry.session.push.PushEngine;
import dev.registry.session.push.PushTarget;
import dev.registry.session.push.RpcPushTarget;
import dev.registry.session.push.SubscriberRegistry;
import dev.registry.session.store.PublisherKey;
import dev.registry.session.store.RegistrationOwnership;
import dev.registry.session.store.SessionPublisherStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The requests of our own clients on the session's client port, and what their connection's
 * end does: registrations go to the stores, the syncer and the push engine; catalog queries
 * and watches to the catalog. Exists once the session is wired: until then SessionServer
 * refuses requests.
 *
 * <p>Threading: any thread (a connection's requests arrive in order); no state of its own, the
 * stores it calls guard theirs.
 */
public final class ClientRequests {
    private static final Logger log = LoggerFactory.getLogger(ClientRequests.class);

    private final String sessionId;
    private final Clock clock;
    private final SessionPublisherStore publishers;
    private final SubscriberRegistry<PushTarget> subscribers;
    private final PublisherSyncer syncer;
    private final PushEngine push;
    private final SessionCatalog catalog;
    private final ClientLinkDamping damping;
    private final RegistrationOwnership ownership;
    private final ClientLimits clientLimits;
    private final ClientAuthentication authentication;
    private final ClientMigration migration;
    private final BooleanSupplier closing;

    /** @param closing the session is stopping: a client that leaves then re-registers elsewhere */
    public ClientRequests(String sessionId, Clock clock, SessionPublisherStore publishers,
                          SubscriberRegistry<PushTarget> subscribers, PublisherSyncer syncer, PushEngine push,
                          SessionCatalog catalog, ClientLinkDamping damping, RegistrationOwnership ownership,
                          ClientLimits clientLimits, ClientAuthentication authentication, ClientMigration migration,
                          BooleanSupplier closing) {
        this.sessionId = sessionId;
        this.clock = clock;
        this.publishers = publishers;
        this.subscribers = subscribers;
        this.syncer = syncer;
        this.push = push;
        this.catalog = catalog;
        this.damping = damping;
        this.ownership = ownership;
        this.clientLimits = clientLimits;
        this.authentication = authentication;
        this.migration = migration;
        this.closing = closing;
    }

    public Object onRegisterPublisher(RpcConnection connection, RegisterPublisherRequest request) {
        Publisher publisher = RegistrationChecks.validate(request.publisher());
        String ip = publisher.ip() != null ? publisher.ip()
                : WireInterner.string(connection.remoteAddress().getAddress().getHostAddress());
        clientLimits.checkRate(connection.id());
        // With authentication on, a registration belongs to the authenticated app, not the one the client names.
        String app = authentication.appToPublish(connection.id(), publisher.dataInfoId(), publisher.appName());
        Publisher stamped = new Publisher(publisher.dataInfoId(), publisher.registerId(), publisher.version(),
                publisher.values(), app, ip, publisher.zone(),
                publisher.registeredAtMillis() > 0 ? publisher.registeredAtMillis() : clock.millis(),
                sessionId, connection.id());
        PublisherKey key = new PublisherKey(stamped.dataInfoId(), stamped.registerId());
        String holder = publishers.holderOf(key);
        checkOwner("publisher", key.registerId(), holder, connection);
        if (!connection.id().equals(holder)) {
            clientLimits.checkPublishers(publishers.countOn(connection.id()));
        }
        SessionPublisherStore.PutOutcome outcome = publishers.put(stamped);
        if (outcome == SessionPublisherStore.PutOutcome.STALE) {
            throw new IllegalArgumentException("publisher " + key.registerId() + " version " + publisher.version()
                    + " is older than the registered one");
        }
        if (!connection.isActive()) {
            // The client left while this request waited in its queue: what it registered leaves with it.
            Publisher orphan = publishers.remove(key, connection.id());
            if (orphan != null) {
                syncer.syncRemoval(orphan);
            }
            throw new RpcException(ErrorCode.CONNECTION_CLOSED, "client connection closed");
        }
        return syncer.sync(key).thenApply(version -> new RegisterAck(key.registerId(), version));
    }

    public Object onUnregisterPublisher(RpcConnection connection, UnregisterPublisherRequest request) {
        DataInfoId id = RegistrationChecks.requireId(request.dataInfoId());
        RegistrationChecks.checkRegisterId(request.registerId());
        PublisherKey key = new PublisherKey(id, request.registerId());
        clientLimits.checkRate(connection.id());
        var app = authentication.requireApp(connection.id());
        checkOwner("publisher", key.registerId(), publishers.holderOf(key), connection);
        Publisher removed = publishers.remove(key, null);
        if (removed == null) {
            // Not held here: the client moved from a session that died before it re-registered (or it
            // repeats itself). The slot leader removes what a gone session left behind, nothing else.
            return syncer.syncLeftBehindRemoval(key, app == null ? null : app.name())
                    .thenApply(v -> new RegisterAck(request.registerId(), v));
        }
        return syncer.syncRemoval(removed).thenApply(v -> new RegisterAck(request.registerId(), v));
    }

    public Object onRegisterSubscriber(RpcConnection connection, RegisterSubscriberRequest request) {
        Subscriber s = request.subscriber();
        if (s == null) {
            throw new IllegalArgumentException("subscriber is required");
        }
        RegistrationChecks.requireId(s.dataInfoId());
        RegistrationChecks.checkRegisterId(s.registerId());
        if (s.ip() == null) { // as for publishers: the address it connects from
            s = new Subscriber(s.dataInfoId(), s.registerId(), s.appName(),
                    WireInterner.string(connection.remoteAddress().getAddress().getHostAddress()), s.zone(),
                    s.registeredAtMillis());
        }
        clientLimits.checkRate(connection.id());
        String app = authentication.appToSubscribe(connection.id(), s.dataInfoId(), s.appName());
        if (!Objects.equals(app, s.appName())) {
            s = new Subscriber(s.dataInfoId(), s.registerId(), app, s.ip(), s.zone(), s.registeredAtMillis());
        }
        PushTarget holder = subscribers.holderOf(s.dataInfoId(), s.registerId());
        checkOwner("subscriber", s.registerId(), holder == null ? null : holder.id(), connection);
        if (holder == null || !holder.id().equals(connection.id())) {
            clientLimits.checkSubscribers(subscribers.countOn(pushTarget(connection)));
        }
        // A client moving from another session says what it holds: nothing older is pushed to it.
        subscribers.add(s, pushTarget(connection), request.knownVersion() > 0 ? request.knownVersion() : -1);
        if (!connection.isActive()) {
            subscribers.removeConnection(new RpcPushTarget(connection)); // closed while this waited
            throw new RpcException(ErrorCode.CONNECTION_CLOSED, "client connection closed");
        }
        push.trigger(s.dataInfoId());
        return new RegisterAck(s.registerId(), 0);
    }

    /** One push target per client connection, kept on it: every subscriber of the connection shares it. */
    private static RpcPushTarget pushTarget(RpcConnection connection) {
        RpcPushTarget target = connection.attachment(RpcPushTarget.class);
        if (target == null) {
            target = new RpcPushTarget(connection); // a racing twin is equal: targets compare by connection
            connection.setAttachment(target);
        }
        return target;
    }

    public Object onUnregisterSubscriber(RpcConnection connection, UnregisterSubscriberRequest request) {
        DataInfoId id = RegistrationChecks.requireId(request.dataInfoId());
        RegistrationChecks.checkRegisterId(request.registerId());
        clientLimits.checkRate(connection.id());
        authentication.requireApp(connection.id());
        PushTarget holder = subscribers.holderOf(id, request.registerId());
        checkOwner("subscriber", request.registerId(), holder == null ? null : holder.id(), connection);
        subscribers.remove(id, request.registerId());
        return new RegisterAck(request.registerId(), 0);
    }

    /** Refuses (FORBIDDEN) a change of a registration that another client's open connection holds. */
    private void checkOwner(String what, String registerId, String holderConnectionId, RpcConnection requester) {
        if (!ownership.mayChange(holderConnectionId, requester.id())) {
            throw new RpcException(ErrorCode.FORBIDDEN, RegistrationOwnership.refusal(what, registerId));
        }
    }

    /**
     * A client connection closed: its subscribers go; its publishers leave the data servers now,
     * or after a hold if its link flaps or the session asked it to move ({@link ClientLinkDamping}).
     */
    public void onClientGone(RpcConnection connection) {
        catalog.forget(connection);
        clientLimits.forget(connection.id());
        authentication.forget(connection.id());
        if (closing.getAsBoolean()) {
            // Shutting down: clients re-register elsewhere; data servers expire this session after its grace.
            return;
        }
        List<Publisher> removed = publishers.removeConnection(connection.id());
        int subs = subscribers.removeConnection(new RpcPushTarget(connection));
        boolean moved = migration.forget(connection.id());
        var outcome = damping.onConnectionLost(connection.id(), removed, moved, ClientMigration.GRACE);
        if (!removed.isEmpty() || subs > 0) {
            log.info("client {} gone{}: {}", connection,
                    moved ? " (asked to move; publishers withdrawn after " + ClientMigration.GRACE.toSeconds() + " s)"
                            : "",
                    outcome.summary(removed.size(), subs));
        }
    }

    /** A page of the catalog; with authentication on, only ids the client's app may subscribe to. */
    public Object onCatalogQuery(RpcConnection connection, CatalogQuery query) {
        clientLimits.checkRate(connection.id());
        catalog.checkQueryRate(connection.id(), clock.millis());
        Predicate<DataInfoId> visible = catalogVisibility(connection);
        return catalog.query(query).thenApply(page -> page.filter(visible));
    }

    /** Starts or stops a client's watch of a catalog group; a start is answered with the group's ids now. */
    public Object onCatalogWatch(RpcConnection connection, CatalogWatchRequest request) {
        clientLimits.checkRate(connection.id());
        if (!request.watch()) {
            catalog.unwatch(connection, request.group());
            return new CatalogChanged(request.group(), 0, List.of(), false);
        }
        return catalog.watch(connection, request.group(), catalogVisibility(connection));
    }

    private Predicate<DataInfoId> catalogVisibility(RpcConnection connection) {
        AppCredentials.App app = authentication.requireApp(connection.id());
        return app == null ? id -> true : id -> app.maySubscribe(id.dataId());
    }

    /** A client proves its app credentials; with authentication off it is told so (no app). */
    public Object onAuth(RpcConnection connection, AuthRequest request) {
        return authentication.authenticate(connection.id(), request);
    }

    public Object onClientHello(RpcConnection connection, ClientHello hello) {
        damping.onHello(connection.id(), hello);
        return acceptFeatures(connection, hello);
    }

    /** What a hello turns on for its connection; also before the session serves (the hello comes first). */
    public static Object acceptFeatures(RpcConnection connection, ClientHello hello) {
        if (hello.has(ClientHello.FEATURE_PUSH_DELTAS)) {
            pushTarget(connection).enableDeltas(); // before its first subscriber: the hello comes first
        }
        // What this session takes; a client of an older build ignores the answer, as it did Boolean.TRUE.
        return ClientHello.SESSION_REGISTER_BATCHES;
    }
}
