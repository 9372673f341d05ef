package io.motionkernels.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_PRI_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_TRC_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGRA;
import static org.bytedeco.ffmpeg.global.avutil.av_d2q;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_inv_q;
import static org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INP;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INT;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_DEFAULT;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Encodes RGB frames into a video file with FFmpeg, frame by frame, with an optional audio track
 * taken from another file ({@link AudioTrack}: copied as it is when the container can hold its
 * codec, re-encoded otherwise) and cut to the video's length. {@link MediaWriter} uses it for
 * H.264 mp4; tests use it to make their own webm and mp4 inputs.
 */
final class VideoEncoder implements AutoCloseable {
    /**
     * Colour conversion at full chroma resolution with exact rounding: the default fast path
     * costs about a level of 255 on every pixel of a round trip, more than the codec itself.
     */
    private static final int SWS_FLAGS = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP;

    /**
     * A container and its video codec.
     *
     * @param container FFmpeg's muxer name (mp4, webm)
     * @param codec     the encoder's name, or null for the best encoder of {@code codecId}
     * @param codecId   the codec (used when {@code codec} is null)
     * @param pixFmt    the encoder's pixel format
     * @param options   encoder options (FFmpeg's names)
     */
    record Spec(String container, String codec, int codecId, int pixFmt, Map<String, String> options) {
        Spec(String container, String codec, int pixFmt, Map<String, String> options) {
            this(container, codec, -1, pixFmt, options);
        }
    }

    /**
     * H.264 in mp4, yuv420p (what every player plays), BT.601 limited range. Asked for by codec:
     * the mp4 muxer's own default is MPEG-4 part 2 when FFmpeg is built without x264.
     */
    static final Spec MP4 = new Spec("mp4", null, org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264,
            org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P, Map.of());

    private final Path file;
    private final int width;
    private final int height;
    private final AVFormatContext out;
    private final AVCodecContext encoder;
    private final AVStream stream;
    private final AVFrame yuv;
    private final AVPacket packet = av_packet_alloc();
    private final SwsContext sws;
    private final BytePointer bgra;
    private final AudioTrack audio;
    private final double fps;
    private long frames;
    private boolean finished;
    private boolean closed;

    /**
     * Starts {@code file} ({@code width} x {@code height}, both even for yuv420p) at {@code fps}
     * frames per second, with the audio of {@code audioFrom} (null: none) up to the video's end.
     */
    VideoEncoder(Path file, Spec spec, int width, int height, double fps, Path audioFrom, Consumer<String> notes) {
        this(file, spec, width, height, fps, audioFrom, notes, 0);
    }

    /**
     * Like the other constructor, with a display matrix telling players to turn the picture
     * {@code clockwiseDegrees} (as phones store portrait video; 0 writes none).
     */
    VideoEncoder(Path file, Spec spec, int width, int height, double fps, Path audioFrom, Consumer<String> notes,
            double clockwiseDegrees) {
        this.file = file;
        this.width = width;
        this.height = height;
        this.fps = fps;
        out = new AVFormatContext(null);
        check(avformat_alloc_output_context2(out, null, spec.container(), file.toString()), "set up the "
                + spec.container() + " container");
        AVCodec codec = spec.codec() != null ? avcodec_find_encoder_by_name(spec.codec())
                : avcodec_find_encoder(spec.codecId() >= 0 ? spec.codecId() : out.oformat().video_codec());
        if (codec == null || codec.isNull()) {
            avformat_free_context(out);
            throw new MediaException("Cannot write " + file + ": this FFmpeg build has no "
                    + (spec.codec() != null ? spec.codec() : "default") + " video encoder for " + spec.container() + ".");
        }
        encoder = avcodec_alloc_context3(codec);
        AVRational rate = av_d2q(fps, 100_000);
        encoder.width(width);
        encoder.height(height);
        encoder.pix_fmt(spec.pixFmt());
        encoder.framerate(rate);
        encoder.time_base(av_inv_q(rate));
        encoder.gop_size((int) Math.max(1, Math.min(250, Math.round(fps * 2))));
        encoder.max_b_frames(0);
        // Motion-transfer results are small; a generous rate keeps them close to what the model made.
        encoder.bit_rate(Math.max(2_000_000L, Math.round(width * (double) height * fps * 0.5)));
        encoder.colorspace(AVCOL_SPC_SMPTE170M);
        encoder.color_range(AVCOL_RANGE_MPEG);
        encoder.color_primaries(AVCOL_PRI_SMPTE170M);
        encoder.color_trc(AVCOL_TRC_SMPTE170M);
        if ((out.oformat().flags() & AVFMT_GLOBALHEADER) != 0) {
            encoder.flags(encoder.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        AVDictionary opts = new AVDictionary(null);
        for (Map.Entry<String, String> e : spec.options().entrySet()) {
            av_dict_set(opts, e.getKey(), e.getValue(), 0);
        }
        int r = avcodec_open2(encoder, codec, opts);
        av_dict_free(opts);
        if (r < 0) {
            avcodec_free_context(encoder);
            avformat_free_context(out);
            throw new MediaException("Cannot write " + file + ": the " + codec.name().getString() + " encoder refuses "
                    + width + "x" + height + " at " + fps + " fps (" + FfmpegLog.error(r) + ").");
        }
        stream = avformat_new_stream(out, null);
        avcodec_parameters_from_context(stream.codecpar(), encoder);
        stream.time_base(encoder.time_base());
        stream.avg_frame_rate(rate);
        if (clockwiseDegrees != 0) {
            displayMatrix(stream, clockwiseDegrees);
        }
        AudioTrack track = null;
        try {
            track = audioFrom == null ? null : AudioTrack.open(audioFrom, out, notes);
            AVIOContext pb = new AVIOContext(null);
            check(avio_open(pb, file.toString(), AVIO_FLAG_WRITE), "open");
            out.pb(pb);
            check(avformat_write_header(out, (AVDictionary) null), "start");
        } catch (RuntimeException e) {
            if (track != null) {
                track.close();
            }
            avcodec_free_context(encoder);
            if (out.pb() != null && !out.pb().isNull()) {
                avio_closep(out.pb());
            }
            avformat_free_context(out);
            throw e;
        }
        audio = track;
        yuv = av_frame_alloc();
        yuv.format(spec.pixFmt());
        yuv.width(width);
        yuv.height(height);
        av_frame_get_buffer(yuv, 0);
        sws = sws_getContext(width, height, AV_PIX_FMT_BGRA, width, height, spec.pixFmt(), SWS_FLAGS, null, null,
                (DoublePointer) null);
        sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_DEFAULT), 1, sws_getCoefficients(SWS_CS_DEFAULT), 0,
                0, 1 << 16, 1 << 16);
        bgra = new BytePointer((long) width * height * 4);
    }

    /** FFmpeg's setter takes the turn clockwise; its getter reports the same matrix counter-clockwise. */
    private static void displayMatrix(AVStream stream, double clockwiseDegrees) {
        var par = stream.codecpar();
        try (PointerPointer<org.bytedeco.ffmpeg.avcodec.AVPacketSideData> list = new PointerPointer<>(1);
             IntPointer count = new IntPointer(1)) {
            list.put(0, par.coded_side_data());
            count.put(0, par.nb_coded_side_data());
            var sd = org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_new(list, count,
                    org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX, 36, 0);
            par.coded_side_data(new org.bytedeco.ffmpeg.avcodec.AVPacketSideData(list.get(0)));
            par.nb_coded_side_data(count.get(0));
            org.bytedeco.ffmpeg.global.avutil.av_display_rotation_set(new IntPointer(sd.data()), clockwiseDegrees);
        }
    }

    /** Encodes one frame of opaque RGB ints (0xRRGGBB, row-major, width x height). */
    void write(int[] rgb) {
        if (rgb.length != width * height) {
            throw new IllegalArgumentException("frame of " + rgb.length + " pixels is not " + width + "x" + height);
        }
        bgra.position(0).limit((long) width * height * 4);
        bgra.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(rgb);
        av_frame_make_writable(yuv);
        try (PointerPointer<BytePointer> src = new PointerPointer<>(4);
             IntPointer lines = new IntPointer(4)) {
            src.put(0, bgra);
            lines.put(0, width * 4);
            sws_scale(sws, src, lines, 0, height, yuv.data(), yuv.linesize());
        }
        yuv.pts(frames++);
        check(avcodec_send_frame(encoder, yuv), "encode a frame of");
        drain();
    }

    private void drain() {
        while (true) {
            int r = avcodec_receive_packet(encoder, packet);
            if (r == AVERROR_EOF() || r == org.bytedeco.ffmpeg.presets.avutil.AVERROR_EAGAIN()) {
                return;
            }
            check(r, "encode");
            double time = packet.dts() * (double) encoder.time_base().num() / encoder.time_base().den();
            if (audio != null) {
                audio.writeUntil(out, time);
            }
            av_packet_rescale_ts(packet, encoder.time_base(), stream.time_base());
            packet.stream_index(stream.index());
            int w = av_interleaved_write_frame(out, packet);
            av_packet_unref(packet);
            check(w, "write");
        }
    }

    /** Flushes the encoder, adds the rest of the audio up to the video's end, completes the file. */
    void finish() {
        if (finished) {
            return;
        }
        avcodec_send_frame(encoder, null);
        drain();
        if (audio != null) {
            audio.finish(out, frames / fps);
        }
        check(av_write_trailer(out), "finish");
        finished = true;
    }

    long frames() {
        return frames;
    }

    private void check(int r, String what) {
        if (r < 0) {
            throw new MediaException("Cannot " + what + " " + file + ": " + FfmpegLog.error(r)
                    + "; check the disk space and the path.");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (audio != null) {
            audio.close();
        }
        sws_freeContext(sws);
        bgra.close();
        av_frame_free(yuv);
        av_packet_free(packet);
        avcodec_free_context(encoder);
        if (out.pb() != null && !out.pb().isNull()) {
            avio_closep(out.pb());
        }
        avformat_free_context(out);
    }
}
