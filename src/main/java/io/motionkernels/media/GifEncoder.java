package io.motionkernels.media;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Writes frames of opaque RGB pixels as a looping animated GIF with one shared {@link Palette}. */
final class GifEncoder {
    private GifEncoder() {
    }

    /**
     * The delay of each frame in hundredths of a second. GIF delays are whole hundredths, so each
     * delay is the difference of the rounded frame start times: 30 fps gives 3, 3, 4, 3, 3, 4...
     * and the average rate stays exact instead of drifting to 33.3 fps. Never 0, which players
     * treat as "as fast as you like" and readers as "no delay given".
     */
    static int[] delays(int frames, double fps) {
        int[] out = new int[frames];
        for (int i = 0; i < frames; i++) {
            long start = Math.round(100.0 * i / fps);
            long end = Math.round(100.0 * (i + 1) / fps);
            out[i] = (int) Math.max(1, Math.min(65535, end - start));
        }
        return out;
    }

    static void write(OutputStream out, List<int[]> frames, int width, int height, double fps)
            throws IOException {
        Palette palette = Palette.of(frames);
        IndexColorModel colourModel = colourModel(palette);
        int[] delays = delays(frames.size(), fps);
        ImageWriter writer = gifWriter();
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            // Interlacing only helps slow downloads and makes the file larger.
            param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
            writer.prepareWriteSequence(null);
            for (int i = 0; i < frames.size(); i++) {
                WritableRaster raster = colourModel.createCompatibleWritableRaster(width, height);
                byte[] indices = palette.map(frames.get(i));
                System.arraycopy(indices, 0, ((DataBufferByte) raster.getDataBuffer()).getData(), 0, indices.length);
                BufferedImage image = new BufferedImage(colourModel, raster, false, null);
                IIOMetadata metadata = frameMetadata(writer, image, param, delays[i], i == 0);
                writer.writeToSequence(new IIOImage(image, null, metadata), param);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }

    private static ImageWriter gifWriter() throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("gif");
        if (!writers.hasNext()) {
            throw new IOException("this Java runtime has no GIF writer");
        }
        return writers.next();
    }

    /** GIF colour tables have a power-of-two size (at least 2): pad with black. */
    private static IndexColorModel colourModel(Palette palette) {
        int[] colours = palette.colours();
        int bits = 1;
        while ((1 << bits) < colours.length) {
            bits++;
        }
        int size = 1 << bits;
        byte[] r = new byte[size];
        byte[] g = new byte[size];
        byte[] b = new byte[size];
        for (int i = 0; i < colours.length; i++) {
            r[i] = (byte) (colours[i] >> 16);
            g[i] = (byte) (colours[i] >> 8);
            b[i] = (byte) colours[i];
        }
        // An 8-bit model whatever the palette size, so the raster is one byte per pixel.
        return new IndexColorModel(8, size, r, g, b);
    }

    private static IIOMetadata frameMetadata(ImageWriter writer, BufferedImage image, ImageWriteParam param,
            int delay, boolean first) throws IOException {
        // Not ImageTypeSpecifier.createFromRenderedImage: for a BufferedImage of a standard type it
        // returns that type's default colour model, and the GIF would get a stock 6x6x6 palette.
        IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(GifFrames.IMAGE_FORMAT);
        IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("delayTime", Integer.toString(delay));
        control.setAttribute("transparentColorIndex", "0");
        if (first) {
            // The NETSCAPE2.0 extension with loop count 0: play forever.
            IIOMetadataNode apps = child(root, "ApplicationExtensions");
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[] {1, 0, 0});
            apps.appendChild(app);
        }
        metadata.setFromTree(GifFrames.IMAGE_FORMAT, root);
        return metadata;
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
                return (IIOMetadataNode) root.item(i);
            }
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}
