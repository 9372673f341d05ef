package io.motionkernels.model;

import io.motionkernels.MotionKernelsException;

/** A configuration that cannot describe a Monkey-Net model: the message names the key and the fix. */
public class ConfigException extends MotionKernelsException {
    /**
     * A configuration problem with no underlying exception.
     *
     * @param message the key at fault and the fix, for the user
     */
    public ConfigException(String message) {
        super(message);
    }

    /**
     * A configuration problem that a YAML or I/O failure caused.
     *
     * @param message the key at fault and the fix, for the user
     * @param cause   the underlying failure (a YAML or I/O error)
     */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
