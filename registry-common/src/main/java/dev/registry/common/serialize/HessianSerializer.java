package dev.registry.common.serialize;

import com.alipay.hessian.ClassNameFilter;
import com.alipay.hessian.ClassNameResolver;
import com.caucho.hessian.io.Hessian2Input;
import com.caucho.hessian.io.Hessian2Output;
import com.caucho.hessian.io.SerializerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Hessian 2 (sofa-hessian) with an allow-list enforced in the class-name resolver, i.e.
 * before any class is loaded or instantiated. Thread-safe: the factory is shared, streams are
 * per call.
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
        Hessian2Input in = new Hessian2Input(new ByteArrayInputStream(bytes, offset, length));
        in.setSerializerFactory(factory);
        try {
            return in.readObject();
        } catch (RejectedClassException e) {
            throw new SerializationException(e.getMessage(), e, e.className);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            RejectedClassException rejected = findRejection(e);
            if (rejected != null) {
                throw new SerializationException(rejected.getMessage(), e, rejected.className);
            }
            throw new SerializationException("malformed Hessian payload: " + e, e);
        } catch (OutOfMemoryError e) {
            // Hessian sizes some arrays from a length in the payload before reading their content
            // (an object definition's field count: new String[readInt()]), so a few bytes can ask
            // for gigabytes. The array is never filled, so the input is malformed, not the heap full.
            throw new SerializationException("malformed Hessian payload: declared size too large (" + e.getMessage() + ")", e);
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
