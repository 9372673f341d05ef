package io.motionkernels.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON (RFC 8259) for safetensors headers, on Jackson's streaming parser: invalid UTF-8,
 * duplicate keys, comments, NaN, trailing garbage and deep nesting are refused; a top-level object
 * with more than {@code maxMembers} members is refused as soon as the next member starts.
 *
 * <p>Values: object → LinkedHashMap, array → ArrayList, string → String, integer → Long (or
 * BigInteger beyond long), other number → Double, true/false → Boolean, null → null.
 */
final class StrictJson {
    /** Why a text is not the JSON expected; the message is safe to show (never quotes the input at length). */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    private StrictJson() {
    }

    /** {@code tooMany} is the message when the top-level object has more than {@code maxMembers} members. */
    static Map<String, Object> parseObject(byte[] utf8, long maxMembers, String tooMany) throws Invalid {
        String text;
        try {
            // Java's decoder refuses overlong forms, surrogates and truncated sequences.
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new Invalid("it is not valid UTF-8");
        }
        JsonFactory f = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64).maxNumberLength(64).maxStringLength(Math.max(utf8.length, 1)).build())
                .build();
        try (JsonParser p = f.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Invalid("it is not a JSON object");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            long members = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (++members > maxMembers) {
                    throw new Invalid(tooMany);
                }
                String name = p.currentName();
                p.nextToken();
                out.put(name, value(p));
            }
            if (p.nextToken() != null) {
                throw new Invalid("there is more after the JSON object (at character "
                        + p.currentLocation().getCharOffset() + ")");
            }
            return out;
        } catch (StreamConstraintsException e) {
            throw new Invalid("it exceeds a JSON reading limit (" + firstLine(e.getOriginalMessage()) + ")");
        } catch (JsonParseException e) {
            throw new Invalid("it is not valid JSON: " + firstLine(e.getOriginalMessage()) + " at character "
                    + e.getLocation().getCharOffset());
        } catch (IOException e) {
            throw new Invalid("it cannot be parsed: " + firstLine(e.getMessage()));
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue()
                        : (Object) p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new JsonParseException(p, "unexpected " + t);
        }
    }

    /** The reason only: Jackson's messages can carry a snippet of the input and source references. */
    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        String line = nl >= 0 ? s.substring(0, nl) : s;
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
