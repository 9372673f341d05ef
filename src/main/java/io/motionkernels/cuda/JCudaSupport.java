package io.motionkernels.cuda;

import jcuda.driver.JCudaDriver;

/** Process-wide JCuda setup, done once. */
final class JCudaSupport {
    private static boolean enabled;
    private static LinkageError loadFailure;

    private JCudaSupport() {
    }

    /**
     * Makes every failing driver call throw a CudaException instead of returning an error code
     * that callers could forget to check. Loads JCuda's native library on first use, so it throws
     * UnsatisfiedLinkError where that library or libcuda.so.1 is missing. The JVM reports later
     * attempts only as "Could not initialize class", so the first failure is kept and thrown again.
     */
    static synchronized void enableExceptions() {
        if (enabled) {
            return;
        }
        if (loadFailure != null) {
            throw loadFailure;
        }
        try {
            JCudaDriver.setExceptionsEnabled(true);
            enabled = true;
        } catch (LinkageError e) {
            loadFailure = e;
            throw e;
        }
    }
}
