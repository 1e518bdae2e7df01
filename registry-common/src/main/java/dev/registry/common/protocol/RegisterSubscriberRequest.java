package dev.registry.common.protocol;

import dev.registry.common.model.Subscriber;
import java.io.Serializable;

/** Client -> session: register a subscriber; the session answers with an ack and pushes the current list. Wire DTO. */
public final class RegisterSubscriberRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private Subscriber subscriber;
    /** The datum version the client already holds for this subscriber (after a reconnect); 0 = none. */
    private long knownVersion;

    @SuppressWarnings("unused")
    private RegisterSubscriberRequest() {
    }

    public RegisterSubscriberRequest(Subscriber subscriber) {
        this(subscriber, 0);
    }

    public RegisterSubscriberRequest(Subscriber subscriber, long knownVersion) {
        this.subscriber = subscriber;
        this.knownVersion = knownVersion;
    }

    public long knownVersion() {
        return knownVersion;
    }

    public Subscriber subscriber() {
        return subscriber;
    }

    @Override
    public String toString() {
        return "RegisterSubscriberRequest{" + "subscriber=" + subscriber + "}";
    }
}
