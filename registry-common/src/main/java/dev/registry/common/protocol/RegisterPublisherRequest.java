package dev.registry.common.protocol;

import dev.registry.common.model.Publisher;
import java.io.Serializable;

/** Client -> session: register or update a publisher (same registerId, higher version = update). Wire DTO. */
public final class RegisterPublisherRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private Publisher publisher;

    @SuppressWarnings("unused")
    private RegisterPublisherRequest() {
    }

    public RegisterPublisherRequest(Publisher publisher) {
        this.publisher = publisher;
    }

    public Publisher publisher() {
        return publisher;
    }

    @Override
    public String toString() {
        return "RegisterPublisherRequest{" + "publisher=" + publisher + "}";
    }
}
