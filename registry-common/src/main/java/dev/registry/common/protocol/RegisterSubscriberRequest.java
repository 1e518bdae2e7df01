package dev.registry.common.protocol;

import dev.registry.common.model.Subscriber;
import java.io.Serializable;

/** Client -> session: register a subscriber; the session answers with an ack and pushes the current list. Wire DTO. */
public final class RegisterSubscriberRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private Subscriber subscriber;

    @SuppressWarnings("unused")
    private RegisterSubscriberRequest() {
    }

    public RegisterSubscriberRequest(Subscriber subscriber) {
        this.subscriber = subscriber;
    }

    public Subscriber subscriber() {
        return subscriber;
    }

    @Override
    public String toString() {
        return "RegisterSubscriberRequest{" + "subscriber=" + subscriber + "}";
    }
}
