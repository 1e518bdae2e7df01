package dev.registry.session.bolt;

/**
 * Constants of Bolt RPC protocol v1 (protocol code 1), the transport of SOFARegistry's Java
 * client. A request or one-way command has a 22-byte header, a response a 20-byte one; every
 * integer is big-endian:
 *
 * <pre>
 * request:  proto:1 type:1 cmdcode:2 ver2:1 requestId:4 codec:1 timeout:4 classLen:2 headerLen:2 contentLen:4
 * response: proto:1 type:1 cmdcode:2 ver2:1 requestId:4 codec:1 status:2  classLen:2 headerLen:2 contentLen:4
 * then:     class name (UTF-8), header, content (Hessian 2 for codec 1)
 * </pre>
 */
public final class BoltProtocol {
    private BoltProtocol() {
    }

    public static final byte PROTOCOL_CODE = 1;
    public static final byte VERSION = 1;

    public static final byte TYPE_RESPONSE = 0;
    public static final byte TYPE_REQUEST = 1;
    public static final byte TYPE_ONEWAY = 2;

    public static final short CMD_HEARTBEAT = 0;
    public static final short CMD_REQUEST = 1;
    public static final short CMD_RESPONSE = 2;

    /** The only codec served: Hessian 2 (bolt's default; protobuf is codec 11). */
    public static final byte CODEC_HESSIAN2 = 1;

    public static final int REQUEST_HEADER_BYTES = 22;
    public static final int RESPONSE_HEADER_BYTES = 20;

    /** Class names of the served classes are under 100 bytes; anything far longer is garbage. */
    public static final int MAX_CLASS_NAME_BYTES = 1024;

    /** Bolt's {@code ResponseStatus} codes (the subset this server sends or reads). */
    public enum Status {
        SUCCESS(0x0000),
        ERROR(0x0001),
        SERVER_EXCEPTION(0x0002),
        UNKNOWN(0x0003),
        SERVER_THREADPOOL_BUSY(0x0004),
        NO_PROCESSOR(0x0006),
        TIMEOUT(0x0007),
        CODEC_EXCEPTION(0x0009),
        SERVER_DESERIAL_EXCEPTION(0x0012);

        public final short code;

        Status(int code) {
            this.code = (short) code;
        }

        public static String describe(short code) {
            for (Status s : values()) {
                if (s.code == code) {
                    return s.name();
                }
            }
            return String.format("0x%04x", code);
        }
    }
}
