package dev.registry.session.push;

/** A push target for push-engine tests: always active, writable and drained; named by its id. */
abstract class StubPushTarget implements PushTarget {
    private final String id;

    StubPushTarget(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean isActive() {
        return true;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public long pendingOutboundBytes() {
        return 0;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return id;
    }
}
