package io.motionkernels.model;

import io.motionkernels.MotionKernelsException;

/** A configuration that cannot describe a Monkey-Net model: the message names the key and the fix. */
public class ConfigException extends MotionKernelsException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
