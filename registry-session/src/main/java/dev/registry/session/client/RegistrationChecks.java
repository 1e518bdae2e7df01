package dev.registry.session.client;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;

/**
 * What both client ports check of a registration before they take it; an
 * IllegalArgumentException names the problem.
 */
public final class RegistrationChecks {
    static final int MAX_REGISTER_ID_LENGTH = 256;
    static final int MAX_VALUES = 1024;
    static final int MAX_VALUE_LENGTH = 16 * 1024;

    private RegistrationChecks() {
    }

    /** Checks a client's publisher. */
    public static Publisher validate(Publisher p) {
        if (p == null || p.dataInfoId() == null) {
            throw new IllegalArgumentException("publisher with a dataInfoId is required");
        }
        p.dataInfoId().validate();
        checkRegisterId(p.registerId());
        if (p.values().size() > MAX_VALUES) {
            throw new IllegalArgumentException("a publisher may carry at most " + MAX_VALUES + " values");
        }
        for (String v : p.values()) {
            if (v == null || v.length() > MAX_VALUE_LENGTH) {
                throw new IllegalArgumentException("publisher values must be non-null and at most "
                        + MAX_VALUE_LENGTH + " characters");
            }
        }
        return p;
    }

    public static void checkRegisterId(String registerId) {
        if (registerId == null || registerId.isBlank() || registerId.length() > MAX_REGISTER_ID_LENGTH) {
            throw new IllegalArgumentException("registerId must be 1.." + MAX_REGISTER_ID_LENGTH + " non-blank characters");
        }
    }

    static DataInfoId requireId(DataInfoId id) {
        if (id == null) {
            throw new IllegalArgumentException("dataInfoId is required");
        }
        return id.validate();
    }
}
