package io.motionkernels.media;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Builds small test images and hand-made GIFs. */
final class TestImages {
    private TestImages() {
    }

    static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    static Path write(BufferedImage img, String format, Path file) throws IOException {
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IOException("no writer for " + format);
        }
        return file;
    }

    /** One GIF frame: a sub-image with its placement, disposal and delay. */
    static final class GifFrame {
        final int left;
        final int top;
        final int[][] pixels; // palette indices [y][x]
        final String disposal;
        final int delay;

        GifFrame(int left, int top, int[][] pixels, String disposal, int delay) {
            this.left = left;
            this.top = top;
            this.pixels = pixels;
            this.disposal = disposal;
            this.delay = delay;
        }
    }

    /**
     * Writes a GIF on a {@code screenW} x {@code screenH} logical screen whose frames share a
     * 4-colour palette (0 black, 1 red, 2 blue, 3 green) with index {@code transparent} (or -1)
     * transparent.
     */
    static void writeGif(Path file, int screenW, int screenH, int transparent, List<GifFrame> frames)
            throws IOException {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        r[1] = (byte) 255;
        b[2] = (byte) 255;
        g[3] = (byte) 255;
        IndexColorModel cm = new IndexColorModel(8, 256, r, g, b);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
            IIOMetadata stream = writer.getDefaultStreamMetadata(param);
            IIOMetadataNode sroot = (IIOMetadataNode) stream.getAsTree(GifFrames.STREAM_FORMAT);
            IIOMetadataNode lsd = new IIOMetadataNode("LogicalScreenDescriptor");
            lsd.setAttribute("logicalScreenWidth", Integer.toString(screenW));
            lsd.setAttribute("logicalScreenHeight", Integer.toString(screenH));
            lsd.setAttribute("colorResolution", "8");
            lsd.setAttribute("pixelAspectRatio", "0");
            replace(sroot, lsd);
            stream.setFromTree(GifFrames.STREAM_FORMAT, sroot);
            writer.prepareWriteSequence(stream);
            for (GifFrame f : frames) {
                int h = f.pixels.length;
                int w = f.pixels[0].length;
                BufferedImage img = new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        img.getRaster().setSample(x, y, 0, f.pixels[y][x]);
                    }
                }
                IIOMetadata md = writer.getDefaultImageMetadata(new ImageTypeSpecifier(img), param);
                IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(GifFrames.IMAGE_FORMAT);
                IIOMetadataNode desc = new IIOMetadataNode("ImageDescriptor");
                desc.setAttribute("imageLeftPosition", Integer.toString(f.left));
                desc.setAttribute("imageTopPosition", Integer.toString(f.top));
                desc.setAttribute("imageWidth", Integer.toString(w));
                desc.setAttribute("imageHeight", Integer.toString(h));
                desc.setAttribute("interlaceFlag", "FALSE");
                replace(root, desc);
                IIOMetadataNode gce = new IIOMetadataNode("GraphicControlExtension");
                gce.setAttribute("disposalMethod", f.disposal);
                gce.setAttribute("userInputFlag", "FALSE");
                gce.setAttribute("transparentColorFlag", transparent >= 0 ? "TRUE" : "FALSE");
                gce.setAttribute("delayTime", Integer.toString(f.delay));
                gce.setAttribute("transparentColorIndex", Integer.toString(Math.max(transparent, 0)));
                replace(root, gce);
                md.setFromTree(GifFrames.IMAGE_FORMAT, root);
                writer.writeToSequence(new IIOImage(img, null, md), param);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }

    private static void replace(IIOMetadataNode root, IIOMetadataNode node) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equals(node.getNodeName())) {
                root.replaceChild(node, root.item(i));
                return;
            }
        }
        root.appendChild(node);
    }

    static int[][] fill(int w, int h, int index) {
        int[][] p = new int[h][w];
        for (int[] row : p) {
            java.util.Arrays.fill(row, index);
        }
        return p;
    }

    /** Pixel (x, y) of frame d as 8-bit RGB, rounded from the tensor's [0, 1] values. */
    static int rgbAt(Video v, int d, int x, int y) {
        float[] data = v.frames().data();
        int frames = v.frameCount();
        int plane = v.height() * v.width();
        int i = y * v.width() + x;
        int r = Math.round(data[d * plane + i] * 255);
        int g = Math.round(data[(frames + d) * plane + i] * 255);
        int b = Math.round(data[(2 * frames + d) * plane + i] * 255);
        return r << 16 | g << 8 | b;
    }
}
