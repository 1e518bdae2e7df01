package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.serialize.SerializationException;

import dev.registry.common.rpc.ErrorCode;
import dev.registry.common.rpc.RpcError;

import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written binary form for the messages on the hot path (registration, write to the
 * slot leader, change notice, datum fetch, push, replication). Hessian stays for everything
 * else; {@link WireSerializer} picks per message.
 *
 * <p>Why: a flight recording of the all-in-one server under load spent more than half of its
 * samples in Hessian — strings read one char at a time into a synchronized StringBuffer,
 * objects built by reflection, an 8 KiB buffer and a reference map per call. Here a string is
 * a length and its UTF-8 bytes, decoded by one {@code new String(bytes, UTF_8)}; objects are
 * built with their constructors, so nothing outside this list can ever be instantiated.
 *
 * <p>Layout: {@link #MARKER} (a byte Hessian 2 reserves and never writes first), a type code,
 * then the fields in a fixed order. Longs are zig-zag varints, strings are
 * {@code varint(byteLength + 1)} then the bytes (0 = null), lists {@code varint(size + 1)} then
 * the elements. Every length is checked against the bytes left before anything is allocated,
 * so a malformed or hostile payload costs at most its own size and ends in a
 * {@link SerializationException}.
 *
 * <p>Decoded ids and the strings many registrations share (app, ip, zone, session,
 * connection) go through {@link WireInterner}, so a server holding a million registrations
 * keeps one copy of each.
 */
public final class CompactCodec {
    /** First byte of a compact payload: reserved in Hessian 2 ("expansion"), never a valid start. */
    public static final byte MARKER = 0x40;

    private static final int REGISTER_PUBLISHER = 1;
    private static final int REGISTER_ACK = 2;
    private static final int PUSH = 3;
    private static final int PUSH_ACK = 4;
    private static final int REGISTER_SUBSCRIBER = 5;
    private static final int UNREGISTER_PUBLISHER = 6;
    private static final int UNREGISTER_SUBSCRIBER = 7;
    private static final int WRITE_PUBLISHER = 8;
    private static final int REMOVE_PUBLISHER = 9;
    private static final int WRITE_RESULT = 10;
    private static final int DATA_CHANGE_NOTICE = 11;
    private static final int FETCH_DATUM = 12;
    private static final int DATUM = 13;
    private static final int REPLICATE = 14;
    private static final int REPLICATE_RESPONSE = 15;
    private static final int DATUM_VALUES = 16;
    /** Sent only to clients that announced {@link ClientHello#FEATURE_PUSH_DELTAS}. */
    private static final int PUSH_DELTA = 17;
    /** Sent only in answer to a PUSH_DELTA: older sessions never see it. */
    private static final int PUSH_ACK_RESYNC = 18;
    /** Sent only to sessions that answered a hello with {@link ClientHello#SESSION_REGISTER_BATCHES}. */
    private static final int REGISTER_PUBLISHERS = 19;
    private static final int REGISTER_PUBLISHERS_RESPONSE = 20;
    /** Session to data only; a data server of an older build answers it as malformed (the session retries). */
    private static final int REMOVE_LEFT_BEHIND = 21;
    /** Session to data only; a data server of an older build answers it as malformed (the session then sends each alone). */
    private static final int LEADER_WRITES = 22;
    private static final int LEADER_WRITES_RESPONSE = 23;
    private static final int OUTCOME_WRITE = 2;
    private static final int OUTCOME_ACK = 0;
    private static final int OUTCOME_ERROR = 1;

    private static final ThreadLocal<CompactWriter> WRITERS = ThreadLocal.withInitial(CompactWriter::new);

    private CompactCodec() {
    }

    /** True for the message classes this codec writes. */
    public static boolean supports(Object message) {
        return message instanceof RegisterPublisherRequest || message instanceof RegisterAck
                || message instanceof PushRequest || message instanceof PushAck
                || message instanceof RegisterSubscriberRequest || message instanceof UnregisterPublisherRequest
                || message instanceof UnregisterSubscriberRequest || message instanceof WritePublisherRequest
                || message instanceof RemovePublisherRequest || message instanceof WriteResult
                || message instanceof DataChangeNotice || message instanceof FetchDatumRequest
                || message instanceof Datum || message instanceof ReplicateRequest
                || message instanceof ReplicateResponse || message instanceof DatumValues
                || message instanceof RegisterPublishersRequest || message instanceof RegisterPublishersResponse
                || message instanceof LeaderWritesRequest || message instanceof LeaderWritesResponse;
    }

    /** Encodes a supported message; the caller checked {@link #supports}. */
    public static byte[] encode(Object message) {
        CompactWriter w = WRITERS.get();
        w.reset();
        w.raw(MARKER);
        if (message instanceof RegisterPublisherRequest m) {
            w.raw(REGISTER_PUBLISHER);
            w.publisher(m.publisher());
        } else if (message instanceof RegisterPublishersRequest m) {
            w.raw(REGISTER_PUBLISHERS);
            w.count(m.publishers());
            for (Publisher p : m.publishers()) {
                w.publisher(p);
            }
        } else if (message instanceof RegisterPublishersResponse m) {
            w.raw(REGISTER_PUBLISHERS_RESPONSE);
            w.count(m.outcomes());
            for (Object outcome : m.outcomes()) {
                if (outcome instanceof RegisterAck ack) {
                    w.raw(OUTCOME_ACK);
                    w.string(ack.registerId());
                    w.varLong(ack.datumVersion());
                } else {
                    error(w, (RpcError) outcome);
                }
            }
        } else if (message instanceof RegisterAck m) {
            w.raw(REGISTER_ACK);
            w.string(m.registerId());
            w.varLong(m.datumVersion());
        } else if (message instanceof PushRequest m && m.isDelta()) {
            w.raw(PUSH_DELTA);
            w.id(m.dataInfoId());
            w.varLong(m.version());
            w.strings(m.subscriberIds());
            w.varLong(m.baseVersion());
            w.varLong(m.fingerprint());
            w.count(m.splices());
            for (ZoneSplice s : m.splices()) {
                w.string(s.zone());
                w.varLong(s.start());
                w.varLong(s.removeCount());
                w.strings(s.inserted());
            }
        } else if (message instanceof PushRequest m) {
            w.raw(PUSH);
            w.id(m.dataInfoId());
            w.varLong(m.version());
            w.strings(m.subscriberIds());
            w.byZoneOncePerRound(m.valuesByZone());
        } else if (message instanceof DatumValues m) {
            w.raw(DATUM_VALUES);
            w.id(m.dataInfoId());
            w.varLong(m.version());
            w.varLong(m.changedAtMillis());
            w.byZone(m.valuesByZone());
        } else if (message instanceof PushAck m && m.resync()) {
            w.raw(PUSH_ACK_RESYNC);
            w.varLong(m.version());
        } else if (message instanceof PushAck m) {
            w.raw(PUSH_ACK);
            w.varLong(m.version());
        } else if (message instanceof RegisterSubscriberRequest m) {
            w.raw(REGISTER_SUBSCRIBER);
            w.subscriber(m.subscriber());
            w.varLong(m.knownVersion());
        } else if (message instanceof UnregisterPublisherRequest m) {
            w.raw(UNREGISTER_PUBLISHER);
            w.id(m.dataInfoId());
            w.string(m.registerId());
        } else if (message instanceof UnregisterSubscriberRequest m) {
            w.raw(UNREGISTER_SUBSCRIBER);
            w.id(m.dataInfoId());
            w.string(m.registerId());
        } else if (LeaderWritesRequest.isWrite(message)) {
            leaderWrite(w, message);
        } else if (message instanceof LeaderWritesRequest m) {
            w.raw(LEADER_WRITES);
            w.count(m.writes());
            for (Object write : m.writes()) {
                leaderWrite(w, write);
            }
        } else if (message instanceof LeaderWritesResponse m) {
            w.raw(LEADER_WRITES_RESPONSE);
            w.count(m.outcomes());
            for (Object outcome : m.outcomes()) {
                if (outcome instanceof WriteResult result) {
                    w.raw(OUTCOME_WRITE);
                    w.varLong(result.datumVersion());
                    w.bool(result.changed());
                } else {
                    error(w, (RpcError) outcome);
                }
            }
        } else if (message instanceof WriteResult m) {
            w.raw(WRITE_RESULT);
            w.varLong(m.datumVersion());
            w.bool(m.changed());
        } else if (message instanceof DataChangeNotice m) {
            w.raw(DATA_CHANGE_NOTICE);
            w.id(m.dataInfoId());
            w.varLong(m.version());
            w.varLong(m.publisherCount() + 1L); // -1 (not told) as 0
        } else if (message instanceof FetchDatumRequest m) {
            w.raw(FETCH_DATUM);
            w.varLong(m.epoch());
            w.id(m.dataInfoId());
            w.raw((m.isLocalCopy() ? 1 : 0) | (m.isValuesOnly() ? 2 : 0));
        } else if (message instanceof Datum m) {
            w.raw(DATUM);
            w.id(m.dataInfoId());
            w.varLong(m.version());
            w.varLong(m.changedAtMillis());
            List<Publisher> ps = m.publishers();
            w.count(ps);
            for (Publisher p : ps) {
                w.publisher(p);
            }
        } else if (message instanceof ReplicateRequest m) {
            w.raw(REPLICATE);
            w.varLong(m.epoch());
            w.varLong(m.slotId());
            w.string(m.logId());
            w.varLong(m.fromSeq());
            List<OpLogEntry> entries = m.entries();
            w.count(entries);
            if (entries != null) {
                for (OpLogEntry e : entries) {
                    w.varLong(e.seq());
                    w.varLong(e.kind());
                    w.bool(e.publisher() != null);
                    if (e.publisher() != null) {
                        w.publisher(e.publisher());
                    }
                    w.nullableId(e.dataInfoId());
                    w.string(e.registerId());
                    w.varLong(e.version());
                    w.varLong(e.changedAtMillis());
                }
            }
        } else if (message instanceof ReplicateResponse m) {
            w.raw(REPLICATE_RESPONSE);
            w.bool(m.accepted());
            w.string(m.logId());
            w.varLong(m.appliedSeq());
        } else {
            throw new IllegalArgumentException("no compact form for " + message.getClass().getName());
        }
        return w.toByteArray();
    }

    /** A write to a slot leader, alone or as one of a {@link LeaderWritesRequest}: its type code, then its fields. */
    private static void leaderWrite(CompactWriter w, Object message) {
        if (message instanceof WritePublisherRequest m) {
            w.raw(WRITE_PUBLISHER);
            w.varLong(m.epoch());
            w.varLong(m.slotId());
            w.publisher(m.publisher());
        } else if (message instanceof RemovePublisherRequest m && m.leftBehind()) {
            w.raw(REMOVE_LEFT_BEHIND);
            w.varLong(m.epoch());
            w.varLong(m.slotId());
            w.id(m.dataInfoId());
            w.string(m.registerId());
            w.string(m.appName());
        } else {
            RemovePublisherRequest m = (RemovePublisherRequest) message;
            w.raw(REMOVE_PUBLISHER);
            w.varLong(m.epoch());
            w.varLong(m.slotId());
            w.id(m.dataInfoId());
            w.string(m.registerId());
            w.string(m.connectionId());
        }
    }

    /** The write {@link #leaderWrite} wrote, its type code already read. */
    private static Object leaderWrite(CompactReader r, int type) throws SerializationException {
        return switch (type) {
            case WRITE_PUBLISHER -> new WritePublisherRequest(r.varLong(), r.intValue(),
                    WireInterner.registration(r.publisher()));
            case REMOVE_PUBLISHER -> new RemovePublisherRequest(r.varLong(), r.intValue(), r.id(), r.string(),
                    r.internedString());
            case REMOVE_LEFT_BEHIND -> RemovePublisherRequest.leftBehind(r.varLong(), r.intValue(), r.id(),
                    r.string(), r.internedString());
            default -> throw r.malformed("not a leader write: type " + type);
        };
    }

    private static void error(CompactWriter w, RpcError error) {
        w.raw(OUTCOME_ERROR);
        w.string(error.code().name());
        w.string(error.message());
        w.varLong(error.epoch());
    }

    private static RpcError error(CompactReader r) throws SerializationException {
        return new RpcError(errorCode(r.string()), r.string(), r.varLong());
    }

    /** An error code a newer peer may know and this one not: still an error, of the generic kind. */
    private static ErrorCode errorCode(String name) {
        try {
            return ErrorCode.valueOf(name);
        } catch (RuntimeException e) {
            return ErrorCode.SERVER_ERROR;
        }
    }

    /** Decodes a payload that starts with {@link #MARKER}. */
    public static Object decode(byte[] bytes, int offset, int length) throws SerializationException {
        CompactReader r = new CompactReader(bytes, offset, length);
        try {
            if (r.raw() != MARKER) {
                throw r.malformed("not a compact payload");
            }
            int type = r.raw();
            Object message = switch (type) {
                case REGISTER_PUBLISHER -> new RegisterPublisherRequest(r.publisher());
                case REGISTER_ACK -> new RegisterAck(r.string(), r.varLong());
                case REGISTER_PUBLISHERS -> {
                    int n = r.count();
                    List<Publisher> ps = new ArrayList<>(Math.max(0, n));
                    for (int i = 0; i < n; i++) {
                        ps.add(r.publisher());
                    }
                    yield new RegisterPublishersRequest(ps);
                }
                case REGISTER_PUBLISHERS_RESPONSE -> {
                    int n = r.count();
                    List<Object> outcomes = new ArrayList<>(Math.max(0, n));
                    for (int i = 0; i < n; i++) {
                        int kind = r.raw();
                        if (kind == OUTCOME_ACK) {
                            outcomes.add(new RegisterAck(r.string(), r.varLong()));
                        } else if (kind == OUTCOME_ERROR) {
                            outcomes.add(error(r));
                        } else {
                            throw r.malformed("unknown registration outcome " + kind);
                        }
                    }
                    yield new RegisterPublishersResponse(outcomes);
                }
                case PUSH -> {
                    DataInfoId id = r.id();
                    long version = r.varLong();
                    ArrayList<String> subscriberIds = r.strings(false);
                    yield new PushRequest(id, version, subscriberIds, r.byZone());
                }
                case DATUM_VALUES -> new DatumValues(r.id(), r.varLong(), r.varLong(), r.byZone());
                case PUSH_ACK -> new PushAck(r.varLong());
                case PUSH_ACK_RESYNC -> PushAck.resync(r.varLong());
                case PUSH_DELTA -> {
                    DataInfoId id = r.id();
                    long version = r.varLong();
                    ArrayList<String> subscriberIds = r.strings(false);
                    long base = r.varLong();
                    long fingerprint = r.varLong();
                    int n = r.count();
                    List<ZoneSplice> splices = new ArrayList<>(Math.max(0, n));
                    for (int i = 0; i < n; i++) {
                        String zone = r.internedString();
                        int start = r.intValue();
                        int removeCount = r.intValue();
                        ArrayList<String> inserted = r.strings(false);
                        splices.add(new ZoneSplice(zone, start, removeCount, inserted == null ? List.of() : inserted));
                    }
                    yield PushRequest.delta(id, version, subscriberIds, base, fingerprint, splices);
                }
                case REGISTER_SUBSCRIBER -> new RegisterSubscriberRequest(r.subscriber(), r.varLong());
                case UNREGISTER_PUBLISHER -> new UnregisterPublisherRequest(r.id(), r.string());
                case UNREGISTER_SUBSCRIBER -> new UnregisterSubscriberRequest(r.id(), r.string());
                case WRITE_PUBLISHER, REMOVE_PUBLISHER, REMOVE_LEFT_BEHIND -> leaderWrite(r, type);
                case LEADER_WRITES -> {
                    int n = r.count();
                    List<Object> writes = new ArrayList<>(Math.max(0, n));
                    for (int i = 0; i < n; i++) {
                        writes.add(leaderWrite(r, r.raw()));
                    }
                    yield new LeaderWritesRequest(writes);
                }
                case LEADER_WRITES_RESPONSE -> {
                    int n = r.count();
                    List<Object> outcomes = new ArrayList<>(Math.max(0, n));
                    for (int i = 0; i < n; i++) {
                        int kind = r.raw();
                        if (kind == OUTCOME_WRITE) {
                            outcomes.add(new WriteResult(r.varLong(), r.bool()));
                        } else if (kind == OUTCOME_ERROR) {
                            outcomes.add(error(r));
                        } else {
                            throw r.malformed("unknown write outcome " + kind);
                        }
                    }
                    yield new LeaderWritesResponse(outcomes);
                }
                case WRITE_RESULT -> new WriteResult(r.varLong(), r.bool());
                case DATA_CHANGE_NOTICE -> new DataChangeNotice(r.id(), r.varLong(), (int) (r.varLong() - 1));
                case FETCH_DATUM -> {
                    long epoch = r.varLong();
                    DataInfoId id = r.id();
                    int flags = r.raw();
                    if ((flags & ~3) != 0 || flags == 3) {
                        throw r.malformed("bad fetch flags " + flags);
                    }
                    yield flags == 1 ? FetchDatumRequest.localCopy(id)
                            : flags == 2 ? FetchDatumRequest.forPush(epoch, id) : new FetchDatumRequest(epoch, id);
                }
                case DATUM -> {
                    DataInfoId id = r.id();
                    long version = r.varLong();
                    long changedAt = r.varLong();
                    int n = r.count();
                    List<Publisher> ps = new ArrayList<>(Math.max(0, n));
                    for (int i = 0; i < n; i++) {
                        ps.add(r.publisher());
                    }
                    yield new Datum(id, version, ps, changedAt);
                }
                case REPLICATE -> {
                    long epoch = r.varLong();
                    int slot = r.intValue();
                    String logId = r.string();
                    long fromSeq = r.varLong();
                    int n = r.count();
                    ArrayList<OpLogEntry> entries = n < 0 ? null : new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        long seq = r.varLong();
                        int kind = r.intValue();
                        Publisher p = r.bool() ? r.publisher() : null;
                        entries.add(new OpLogEntry(seq, kind, p, r.nullableId(), r.string(), r.varLong(), r.varLong()));
                    }
                    yield new ReplicateRequest(epoch, slot, logId, fromSeq, entries);
                }
                case REPLICATE_RESPONSE -> new ReplicateResponse(r.bool(), r.string(), r.varLong());
                default -> throw r.malformed("unknown message type " + type);
            };
            if (r.remaining() != 0) {
                throw r.malformed(r.remaining() + " bytes left after the message");
            }
            return message;
        } catch (IllegalArgumentException | NullPointerException e) {
            // A constructor refused a decoded field (e.g. a missing id): malformed input, not a bug here.
            throw new SerializationException("malformed compact payload: " + e.getMessage(), e);
        }
    }
}
