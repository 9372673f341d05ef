package io.motionkernels.cuda;

import java.lang.reflect.Method;
import jcuda.NativePointerObject;

/**
 * Raw addresses of JCuda handles and device pointers, to hand them to cuDNN through JavaCPP.
 *
 * <p>JCuda (kernels, memory, streams) and JavaCPP's cuDNN preset are two bindings of the same C
 * APIs; a CUstream, a cudaStream_t and a device pointer are plain pointers in both. JCuda keeps the
 * value in {@code NativePointerObject.nativePointer} (plus {@code Pointer.byteOffset} for a
 * pointer made by {@code withByteOffset}) behind protected accessors, so it is read here by
 * reflection (allowed on the class path); JavaCPP takes it as a {@link org.bytedeco.javacpp.Pointer}
 * whose protected {@code address} field a subclass sets ({@link #pointer}). Both sides stay
 * owned by JCuda: the JavaCPP objects made here never free anything.
 */
final class NativeAddress {
    private static final Method NATIVE_POINTER;
    private static final Method BYTE_OFFSET;

    static {
        try {
            NATIVE_POINTER = NativePointerObject.class.getDeclaredMethod("getNativePointer");
            NATIVE_POINTER.setAccessible(true);
            BYTE_OFFSET = jcuda.Pointer.class.getDeclaredMethod("getByteOffset");
            BYTE_OFFSET.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("cannot read JCuda pointer values: " + e);
        }
    }

    private NativeAddress() {
    }

    /** The C value of a JCuda handle or pointer (device pointers: base + byte offset). */
    static long of(NativePointerObject p) {
        try {
            long v = (long) NATIVE_POINTER.invoke(p);
            if (p instanceof jcuda.Pointer ptr) {
                v += (long) BYTE_OFFSET.invoke(ptr);
            }
            return v;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read a JCuda pointer value", e);
        }
    }

    /** A non-owning JavaCPP pointer to {@code address}. */
    static org.bytedeco.javacpp.Pointer pointer(long address) {
        return new Raw(address);
    }

    private static final class Raw extends org.bytedeco.javacpp.Pointer {
        Raw(long a) {
            address = a;
        }
    }
}
