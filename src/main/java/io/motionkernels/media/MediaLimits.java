package io.motionkernels.media;

/**
 * Bounds on the work a media file may ask for, checked before that work: a few hundred bytes can
 * declare an 8000x8000 GIF screen or a strip of 200,000 frames, and giving Java more memory only
 * makes such a file cost more. Each limit is large enough for genuine media and can be raised
 * for a file that really is that big.
 *
 * @param maxPixels     the most pixels of one decoded picture: a frame, a GIF's logical screen,
 *                      a still image (default 8K UHD, 7680 x 4320)
 * @param maxGifPixels  the most pixels composited over a whole GIF, unless the file is big
 *                      enough to hold that much (see {@link #gifBudget}): GIF frames are
 *                      composited on the full screen however small each frame is
 * @param maxHeldBytes  the most bytes of frames an output that must be written all at once
 *                      (GIF, PNG strip, safetensors) may hold in memory
 */
public record MediaLimits(long maxPixels, long maxGifPixels, long maxHeldBytes) {
    /** The defaults: 8K UHD pictures, 2 billion composited GIF pixels, 1 GiB of held output. */
    public static final MediaLimits DEFAULT = new MediaLimits(7680L * 4320, 2_000_000_000L, 1L << 30);

    /** Composited pixels per byte of GIF file allowed beyond {@link #maxGifPixels}. */
    static final long GIF_PIXELS_PER_BYTE = 2_000;

    public MediaLimits {
        if (maxPixels < 1 || maxGifPixels < 1 || maxHeldBytes < 1) {
            throw new IllegalArgumentException("media limits must be positive");
        }
    }

    /** A copy with another {@link #maxPixels}. */
    public MediaLimits withMaxPixels(long pixels) {
        return new MediaLimits(pixels, maxGifPixels, maxHeldBytes);
    }

    long gifBudget(long fileBytes) {
        return Math.max(maxGifPixels, GIF_PIXELS_PER_BYTE * fileBytes);
    }

    void checkPicture(String file, String what, long width, long height) {
        if (width * height > maxPixels) {
            throw new MediaException(file + " declares " + what + " of " + width + "x" + height + " = "
                    + width * height + " pixels, more than the limit of " + maxPixels + " pixels per picture:"
                    + " the file is damaged or hostile; if it is genuine, raise the limit with --max-pixels.");
        }
    }
}
