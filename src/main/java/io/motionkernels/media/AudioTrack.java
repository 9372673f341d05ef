package io.motionkernels.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_query_codec;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AC3;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_EAC3;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MP3;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_OPUS;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_free;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_read;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_size;
import static org.bytedeco.ffmpeg.global.avutil.av_audio_fifo_write;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_out_samples;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVAudioFifo;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The audio of one input file written into an output container beside its video: the packets
 * copied unchanged when the container can hold the codec (AAC or Opus into mp4), else decoded and
 * re-encoded with the container's audio codec (for example WAV's PCM or Vorbis into mp4 as AAC).
 * Packets are written in step with the video ({@link #writeUntil}) and stop at its end.
 */
final class AudioTrack implements AutoCloseable {
    private final AVFormatContext in;
    private final AVStream inStream;
    private final AVStream outStream;
    private final AVPacket packet = av_packet_alloc();
    private final double startSeconds;
    /** Re-encoding only: decoder, resampler, FIFO of samples, encoder. */
    private final AVCodecContext decoder;
    private final AVCodecContext encoder;
    private final SwrContext resampler;
    private final AVAudioFifo fifo;
    private final AVFrame decoded;
    private long samplesOut;
    private boolean inputDone;
    private boolean closed;

    private AudioTrack(AVFormatContext in, AVStream inStream, AVStream outStream, AVCodecContext decoder,
            AVCodecContext encoder, SwrContext resampler, AVAudioFifo fifo) {
        this.in = in;
        this.inStream = inStream;
        this.outStream = outStream;
        this.decoder = decoder;
        this.encoder = encoder;
        this.resampler = resampler;
        this.fifo = fifo;
        this.decoded = decoder == null ? null : av_frame_alloc();
        long start = in.start_time();
        this.startSeconds = start == AV_NOPTS_VALUE ? 0 : start / 1e6;
    }

    /** The audio of {@code file} as a new stream of {@code out}, or null when it has none. */
    static AudioTrack open(Path file, AVFormatContext out, Consumer<String> notes) {
        AVFormatContext in = new AVFormatContext(null);
        if (avformat_open_input(in, file.toString(), null, null) < 0) {
            return null;
        }
        if (avformat_find_stream_info(in, (PointerPointer<?>) null) < 0) {
            avformat_close_input(in);
            return null;
        }
        int index = av_find_best_stream(in, AVMEDIA_TYPE_AUDIO, -1, -1, (PointerPointer<?>) null, 0);
        if (index < 0) {
            avformat_close_input(in);
            return null;
        }
        AVStream inStream = in.streams(index);
        int codecId = inStream.codecpar().codec_id();
        if (copyable(out, codecId)) {
            AVStream outStream = avformat_new_stream(out, null);
            avcodec_parameters_copy(outStream.codecpar(), inStream.codecpar());
            outStream.codecpar().codec_tag(0);
            outStream.time_base(inStream.time_base());
            return new AudioTrack(in, inStream, outStream, null, null, null, null);
        }
        AVCodec decodeWith = avcodec_find_decoder(codecId);
        AVCodec encodeWith = avcodec_find_encoder(out.oformat().audio_codec());
        if (decodeWith == null || decodeWith.isNull() || encodeWith == null || encodeWith.isNull()) {
            avformat_close_input(in);
            if (notes != null) {
                notes.accept("the audio of " + file + " (" + avcodec_get_name(codecId).getString() + ") cannot be"
                        + " decoded or re-encoded by this FFmpeg build, so the output has no sound");
            }
            return null;
        }
        AVCodecContext decoder = avcodec_alloc_context3(decodeWith);
        avcodec_parameters_to_context(decoder, inStream.codecpar());
        if (avcodec_open2(decoder, decodeWith, (AVDictionary) null) < 0) {
            avcodec_free_context(decoder);
            avformat_close_input(in);
            return null;
        }
        AVCodecContext encoder = avcodec_alloc_context3(encodeWith);
        int rate = supportedRate(encodeWith, decoder.sample_rate());
        encoder.sample_rate(rate);
        encoder.time_base(av_make_q(1, rate));
        // WAV and raw PCM often leave the channel order unspecified; encoders want a real layout.
        av_channel_layout_default(encoder.ch_layout(), Math.max(1, Math.min(2, decoder.ch_layout().nb_channels())));
        encoder.sample_fmt(sampleFormat(encodeWith));
        encoder.bit_rate(128_000L * Math.max(1, Math.min(2, decoder.ch_layout().nb_channels())));
        if ((out.oformat().flags() & AVFMT_GLOBALHEADER) != 0) {
            encoder.flags(encoder.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        if (avcodec_open2(encoder, encodeWith, (AVDictionary) null) < 0) {
            avcodec_free_context(encoder);
            avcodec_free_context(decoder);
            avformat_close_input(in);
            if (notes != null) {
                notes.accept("the audio of " + file + " (" + avcodec_get_name(codecId).getString() + ") could not be"
                        + " re-encoded for " + out.oformat().name().getString() + ", so the output has no sound");
            }
            return null;
        }
        AVStream outStream = avformat_new_stream(out, null);
        avcodec_parameters_from_context(outStream.codecpar(), encoder);
        outStream.time_base(encoder.time_base());
        SwrContext swr = new SwrContext(null);
        org.bytedeco.ffmpeg.avutil.AVChannelLayout inLayout = new org.bytedeco.ffmpeg.avutil.AVChannelLayout();
        av_channel_layout_default(inLayout, decoder.ch_layout().nb_channels());
        swr_alloc_set_opts2(swr, encoder.ch_layout(), encoder.sample_fmt(), rate, inLayout,
                decoder.sample_fmt(), decoder.sample_rate(), 0, null);
        swr_init(swr);
        AVAudioFifo fifo = av_audio_fifo_alloc(encoder.sample_fmt(), encoder.ch_layout().nb_channels(), 1 << 14);
        return new AudioTrack(in, inStream, outStream, decoder, encoder, swr, fifo);
    }

    /**
     * Whether packets of {@code codecId} go into {@code out} unchanged. FFmpeg's mp4 muxer also
     * takes PCM and Vorbis, which common players do not play from mp4: those are re-encoded.
     */
    private static boolean copyable(AVFormatContext out, int codecId) {
        if ("mp4".equals(out.oformat().name().getString())) {
            return codecId == AV_CODEC_ID_AAC || codecId == AV_CODEC_ID_MP3 || codecId == AV_CODEC_ID_OPUS
                    || codecId == AV_CODEC_ID_AC3 || codecId == AV_CODEC_ID_EAC3;
        }
        return avformat_query_codec(out.oformat(), codecId, 0) == 1;
    }

    private static int supportedRate(AVCodec codec, int wanted) {
        var rates = codec.supported_samplerates();
        if (rates == null || rates.isNull()) {
            return wanted;
        }
        int best = 0;
        for (int i = 0; rates.get(i) != 0; i++) {
            if (rates.get(i) == wanted) {
                return wanted;
            }
            best = Math.max(best, rates.get(i));
        }
        return best == 0 ? wanted : best;
    }

    private static int sampleFormat(AVCodec codec) {
        var formats = codec.sample_fmts();
        return formats == null || formats.isNull() ? AV_SAMPLE_FMT_FLTP : formats.get(0);
    }

    /** Writes the audio that starts before {@code seconds} of the video. */
    void writeUntil(AVFormatContext out, double seconds) {
        while (!inputDone) {
            if (encoder != null && samplesOut / (double) encoder.sample_rate() >= seconds) {
                return;
            }
            int r = av_read_frame(in, packet);
            if (r < 0) {
                inputDone = true;
                break;
            }
            try {
                if (packet.stream_index() != inStream.index()) {
                    continue;
                }
                double t = packet.pts() == AV_NOPTS_VALUE ? 0 : packet.pts() * av_q2d(inStream.time_base()) - startSeconds;
                if (encoder == null) {
                    long offset = Math.round(startSeconds / av_q2d(inStream.time_base()));
                    if (packet.pts() != AV_NOPTS_VALUE) {
                        packet.pts(packet.pts() - offset);
                    }
                    if (packet.dts() != AV_NOPTS_VALUE) {
                        packet.dts(packet.dts() - offset);
                    }
                    av_packet_rescale_ts(packet, inStream.time_base(), outStream.time_base());
                    packet.stream_index(outStream.index());
                    packet.pos(-1);
                    av_interleaved_write_frame(out, packet);
                    if (t >= seconds) {
                        return;
                    }
                } else {
                    decode(out, Double.POSITIVE_INFINITY);
                }
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    private void decode(AVFormatContext out, double end) {
        if (avcodec_send_packet(decoder, packet) < 0) {
            return;
        }
        while (avcodec_receive_frame(decoder, decoded) == 0) {
            int room = swr_get_out_samples(resampler, decoded.nb_samples());
            AVFrame converted = samples(room);
            int n = swr_convert(resampler, converted.data(), room, decoded.data(), decoded.nb_samples());
            if (n > 0) {
                av_audio_fifo_write(fifo, converted.data(), n);
            }
            av_frame_free(converted);
            av_frame_unref(decoded);
            encodeFifo(out, false, end);
        }
    }

    private AVFrame samples(int n) {
        AVFrame f = av_frame_alloc();
        f.nb_samples(Math.max(1, n));
        f.format(encoder.sample_fmt());
        av_channel_layout_copy(f.ch_layout(), encoder.ch_layout());
        f.sample_rate(encoder.sample_rate());
        av_frame_get_buffer(f, 0);
        return f;
    }

    /** Encodes whole encoder frames from the FIFO (and the last partial one when {@code flush}). */
    private void encodeFifo(AVFormatContext out, boolean flush, double end) {
        int size = encoder.frame_size() > 0 ? encoder.frame_size() : 1024;
        while (av_audio_fifo_size(fifo) >= size || (flush && av_audio_fifo_size(fifo) > 0)) {
            if (samplesOut / (double) encoder.sample_rate() >= end) {
                return;
            }
            int n = Math.min(size, av_audio_fifo_size(fifo));
            AVFrame f = samples(n);
            av_audio_fifo_read(fifo, f.data(), n);
            f.nb_samples(n);
            f.pts(samplesOut);
            samplesOut += n;
            avcodec_send_frame(encoder, f);
            av_frame_free(f);
            writeEncoded(out);
        }
    }

    private void writeEncoded(AVFormatContext out) {
        AVPacket p = av_packet_alloc();
        while (avcodec_receive_packet(encoder, p) == 0) {
            av_packet_rescale_ts(p, encoder.time_base(), outStream.time_base());
            p.stream_index(outStream.index());
            av_interleaved_write_frame(out, p);
            av_packet_unref(p);
        }
        av_packet_free(p);
    }

    /** Writes the audio up to {@code seconds}, the video's end, and flushes a re-encoder. */
    void finish(AVFormatContext out, double seconds) {
        if (encoder == null) {
            writeUntil(out, seconds);
            return;
        }
        while (!inputDone && samplesOut / (double) encoder.sample_rate() < seconds) {
            int r = av_read_frame(in, packet);
            if (r < 0) {
                inputDone = true;
                break;
            }
            if (packet.stream_index() == inStream.index()) {
                decode(out, seconds);
            }
            av_packet_unref(packet);
        }
        encodeFifo(out, true, seconds);
        avcodec_send_frame(encoder, null);
        writeEncoded(out);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        av_packet_free(packet);
        if (encoder != null) {
            av_frame_free(decoded);
            av_audio_fifo_free(fifo);
            swr_free(resampler);
            avcodec_free_context(encoder);
            avcodec_free_context(decoder);
        }
        avformat_close_input(in);
    }

}
