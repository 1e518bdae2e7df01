package dev.registry.common.serialize;

import com.alipay.hessian.ClassNameFilter;
import com.alipay.hessian.ClassNameResolver;
import com.caucho.hessian.io.Hessian2Input;
import com.caucho.hessian.io.Hessian2Output;
import com.caucho.hessian.io.SerializerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Hessian 2 (sofa-hessian) with an allow-list enforced in the class-name resolver, i.e.
 * before any class is loaded or instantiated. Thread-safe: the factory is shared, streams are
 * per call.
 *
 * <p>Bad input fails with {@link SerializationException}, never with an Error: sizes declared in
 * the payload are checked before Hessian allocates for them ({@link BoundedInput}), and input
 * nested too deeply for the stack is malformed. Any other Error (an {@code OutOfMemoryError} of a
 * full heap ...) is the JVM's trouble, not the peer's, and propagates.
 */
public final class HessianSerializer implements Serializer {

    private final SerializerFactory factory;

    public HessianSerializer(ClassAllowList allowList) {
        ClassNameResolver resolver = new ClassNameResolver();
        resolver.addFilter(new AllowListFilter(allowList));
        this.factory = new SerializerFactory();
        this.factory.setClassNameResolver(resolver);
    }

    @Override
    public byte[] serialize(Object value) throws SerializationException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        Hessian2Output out = new Hessian2Output(bytes);
        out.setSerializerFactory(factory);
        try {
            out.writeObject(value);
            out.close();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + value.getClass().getName() + ": " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object deserialize(byte[] bytes, int offset, int length) throws SerializationException {
        Hessian2Input in = new BoundedInput(bytes, offset, length);
        in.setSerializerFactory(factory);
        try {
            return in.readObject();
        } catch (RejectedClassException e) {
            throw new SerializationException(e.getMessage(), e, e.className);
        } catch (IOException | RuntimeException e) {
            RejectedClassException rejected = findRejection(e);
            if (rejected != null) {
                throw new SerializationException(rejected.getMessage(), e, rejected.className);
            }
            throw new SerializationException("malformed Hessian payload: " + e, e);
        } catch (StackOverflowError e) {
            // Hessian decodes nested values recursively, so a payload nested deeper than any real
            // message (three bytes per level) overflows the decoding thread's stack. That is the
            // input's fault and the stack has unwound: malformed. The only Error treated so.
            throw new SerializationException("malformed Hessian payload: nested too deeply", e);
        } finally {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing an in-memory stream cannot fail meaningfully
            }
        }
    }

    private static RejectedClassException findRejection(Throwable t) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof RejectedClassException r) {
                return r;
            }
        }
        return null;
    }

    /**
     * Refuses a size declared in the payload that exceeds the bytes left, before Hessian allocates
     * for it: an object definition's field count ({@code 'O'}: {@code new String[count]} before any
     * name is read) and a fixed-length list's length ({@code 'V'}, {@code 'v'}: arrays are created
     * at that size). Every field name and element takes at least one byte, so no valid payload
     * declares more, while a few bytes could otherwise ask for gigabytes.
     *
     * <p>Hessian reads the field count with a final method and allocates in a private one, so the
     * check peeks at the next tag before each value: the position comes from Hessian's private
     * buffer indices (the sofa-hessian version is pinned; a change of those fields fails this
     * class's initialisation, i.e. every test of the serializer).
     */
    private static final class BoundedInput extends Hessian2Input {
        private static final VarHandle BUFFER_OFFSET;
        private static final VarHandle BUFFER_LENGTH;

        static {
            try {
                MethodHandles.Lookup hessian = MethodHandles.privateLookupIn(Hessian2Input.class, MethodHandles.lookup());
                BUFFER_OFFSET = hessian.findVarHandle(Hessian2Input.class, "_offset", int.class);
                BUFFER_LENGTH = hessian.findVarHandle(Hessian2Input.class, "_length", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private static final long NOT_COMPACT = Long.MIN_VALUE;

        private final byte[] bytes;
        private final int end;
        private final Source source;
        /** Where {@link #checkDeclaredSize} decodes next. */
        private int ahead;

        BoundedInput(byte[] bytes, int offset, int length) {
            this(bytes, offset + length, new Source(bytes, offset, length));
        }

        private BoundedInput(byte[] bytes, int end, Source source) {
            super(source);
            this.bytes = bytes;
            this.end = end;
            this.source = source;
        }

        @Override
        public Object readObject() throws IOException {
            checkDeclaredSize();
            return super.readObject();
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Object readObject(Class expected) throws IOException {
            checkDeclaredSize();
            return super.readObject(expected);
        }

        /** The length of a {@code 'V'} list (after its type). */
        @Override
        public int readLength() throws IOException {
            int length = super.readLength();
            requireFits(length, position());
            return length;
        }

        /** The index in {@code bytes} of the next byte Hessian decodes. */
        private int position() {
            return source.position() - ((int) BUFFER_LENGTH.get(this) - (int) BUFFER_OFFSET.get(this));
        }

        private void checkDeclaredSize() throws IOException {
            int at = position();
            int tag = at < end ? bytes[at] & 0xff : -1;
            if (tag != 'O' && tag != 'v') {
                return;
            }
            // 'O': the class name's length and characters, then the field count; 'v': a type
            // reference, then the length. The ints in the forms Hessian writes are decoded here;
            // any other form (or the end of the input) by Hessian's own readInt, on a copy.
            ahead = at + 1;
            long first = compactIntAhead();
            long declared;
            if (first == NOT_COMPACT) {
                declared = declaredBySlowPath(tag, at);
            } else if (tag == 'O' && !skipCharsAhead(first)) {
                return; // bad UTF-8 in the class name: Hessian refuses it before the field count
            } else {
                declared = compactIntAhead();
                if (declared == NOT_COMPACT) {
                    declared = declaredBySlowPath(tag, at);
                }
            }
            requireFits(declared, at);
        }

        /**
         * Hessian's readInt of the int at {@code ahead}, for the forms Hessian writes (one to three
         * bytes, or {@code 'I'} and four); {@link #NOT_COMPACT} for any other form or too few bytes.
         */
        private long compactIntAhead() {
            int tag = ahead < end ? bytes[ahead] & 0xff : -1;
            int left = end - ahead - 1;
            long value;
            if (tag >= 0x80 && tag <= 0xbf) {
                value = tag - 0x90;
                ahead += 1;
            } else if (tag >= 0xc0 && tag <= 0xcf && left >= 1) {
                value = ((tag - 0xc8) << 8) + (bytes[ahead + 1] & 0xff);
                ahead += 2;
            } else if (tag >= 0xd0 && tag <= 0xd7 && left >= 2) {
                value = ((tag - 0xd4) << 16) + ((bytes[ahead + 1] & 0xff) << 8) + (bytes[ahead + 2] & 0xff);
                ahead += 3;
            } else if (tag == 'I' && left >= 4) {
                value = ((bytes[ahead + 1] & 0xff) << 24) + ((bytes[ahead + 2] & 0xff) << 16)
                        + ((bytes[ahead + 3] & 0xff) << 8) + (bytes[ahead + 4] & 0xff);
                ahead += 5;
            } else {
                return NOT_COMPACT;
            }
            return value;
        }

        /** Skips {@code count} characters at {@code ahead} as Hessian reads them (UTF-8); false on an encoding it refuses. */
        private boolean skipCharsAhead(long count) {
            for (long i = 0; i < count && ahead < end; i++) {
                int c = bytes[ahead] & 0xff;
                if (c < 0x80) {
                    ahead += 1;
                } else if ((c & 0xe0) == 0xc0) {
                    ahead += 2;
                } else if ((c & 0xf0) == 0xe0) {
                    ahead += 3;
                } else {
                    return false;
                }
            }
            return true;
        }

        /** The declared count of the 'O' or 'v' at {@code at}, read by Hessian itself from a copy of the input. */
        private long declaredBySlowPath(int tag, int at) throws IOException {
            Hessian2Input copy = new Hessian2Input(new ByteArrayInputStream(bytes, at + 1, end - at - 1));
            if (tag == 'O') {
                int nameLength = copy.readInt();
                for (int i = 0; i < nameLength; i++) {
                    int c = copy.read();
                    if (c < 0) {
                        break; // the end: the count's readInt below fails as Hessian's will
                    } else if ((c & 0xe0) == 0xc0) {
                        copy.read();
                    } else if ((c & 0xf0) == 0xe0) {
                        copy.read();
                        copy.read();
                    } else if (c >= 0x80) {
                        return 0; // bad UTF-8: Hessian refuses it before the field count
                    }
                }
            } else {
                copy.readInt(); // the type reference
            }
            return copy.readInt();
        }

        private void requireFits(long declared, int at) throws IOException {
            if (declared > end - at) {
                throw new IOException("declared size " + declared + " exceeds the " + (end - at)
                        + " bytes left at offset " + at);
            }
        }
    }

    /** The payload's bytes, with how far Hessian has read (it buffers ahead). */
    private static final class Source extends ByteArrayInputStream {
        Source(byte[] bytes, int offset, int length) {
            super(bytes, offset, length);
        }

        int position() {
            return pos; // unsynchronized: one decoding thread
        }
    }

    /** Thrown from inside Hessian; carries the refused name out through its wrapping. */
    static final class RejectedClassException extends IOException {
        private static final long serialVersionUID = 1L;
        final String className;

        RejectedClassException(String className) {
            super("class not allowed for deserialization: " + className);
            this.className = className;
        }
    }

    private static final class AllowListFilter implements ClassNameFilter {
        private final ClassAllowList allowList;

        AllowListFilter(ClassAllowList allowList) {
            this.allowList = allowList;
        }

        @Override
        public int order() {
            return 0;
        }

        @Override
        public String resolve(String className) throws IOException {
            if (!allowList.allows(className)) {
                throw new RejectedClassException(className);
            }
            return className;
        }
    }
}
