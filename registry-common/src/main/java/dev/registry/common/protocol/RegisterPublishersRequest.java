package dev.registry.common.protocol;

import dev.registry.common.model.Publisher;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Client -> session: several publisher registrations in one frame, each handled as its own
 * {@link RegisterPublisherRequest} would be; answered by one {@link RegisterPublishersResponse}
 * with an outcome per registration, in the same order. A client sends it only to a session whose
 * answer to its {@link ClientHello} had {@link ClientHello#SESSION_REGISTER_BATCHES}: one frame,
 * one dispatch and one answer for what a starting service registers at once, instead of one each.
 * Wire DTO.
 */
public final class RegisterPublishersRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Most registrations a session accepts in one request. */
    public static final int MAX_PUBLISHERS = 1024;

    /** ArrayList, not List.of: Hessian builds it from allow-listed JDK classes. */
    private ArrayList<Publisher> publishers;

    @SuppressWarnings("unused")
    private RegisterPublishersRequest() {
    }

    public RegisterPublishersRequest(List<Publisher> publishers) {
        this.publishers = new ArrayList<>(publishers);
    }

    public List<Publisher> publishers() {
        return publishers == null ? List.of() : publishers;
    }

    /** Checks what a session relies on; throws IllegalArgumentException naming the problem. */
    public RegisterPublishersRequest validate() {
        if (publishers == null || publishers.isEmpty()) {
            throw new IllegalArgumentException("a batch of registrations must hold at least one publisher");
        }
        if (publishers.size() > MAX_PUBLISHERS) {
            throw new IllegalArgumentException("at most " + MAX_PUBLISHERS + " registrations per batch, got "
                    + publishers.size());
        }
        for (Publisher p : publishers) {
            if (p == null) {
                throw new IllegalArgumentException("a batch of registrations holds a null publisher");
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return "RegisterPublishersRequest{" + publishers().size() + " publishers}";
    }
}
