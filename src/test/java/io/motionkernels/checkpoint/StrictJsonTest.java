package io.motionkernels.checkpoint;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Cases in the style of Nicolas Seriot's JSONTestSuite (y_: must parse, n_: must be refused),
 * restricted to top-level objects, plus the choices RFC 8259 leaves open (duplicate keys: refused).
 */
class StrictJsonTest {
    private static Map<String, Object> parse(String s) throws StrictJson.Invalid {
        return StrictJson.parseObject(s.getBytes(StandardCharsets.UTF_8), 1000, "too many");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}", " {} ", "{\"a\":[]}", "{\"\":0}", "{\"a\":\"\\/\\\\\\\"\\b\\f\\n\\r\\t\\u00e9\\ud834\\udd1e\"}",
            "{\"a\":-0}", "{\"a\":1E400}", "{\"a\":-1.5e-3}", "{\"a\":[null,true,false]}", "{\t\"a\"\n:\r1 }",
            "{\"a\":{\"a\":{}}}", "{\"é\":\"ü\"}", "{\"a\":123456789012345678901234567890}", "{\"a\":\"\u2028\"}"})
    void accepts(String json) throws StrictJson.Invalid {
        parse(json);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "[]", "\"a\"", "1", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{,}", "{\"a\":1,}",
            "{\"a\":1 \"b\":2}", "{a:1}", "{'a':1}", "{\"a\":'b'}", "{1:1}", "{null:1}", "{[]:1}", "{{}:1}",
            "{\"a\":01}", "{\"a\":1.}", "{\"a\":.1}", "{\"a\":+1}", "{\"a\":0x1}", "{\"a\":NaN}", "{\"a\":Infinity}",
            "{\"a\":-}", "{\"a\":1e}", "{\"a\":tru}", "{\"a\":True}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
            "{\"a\":\"\t\"}", "{\"a\":\"\n\"}", "{\"a\":\"abc}", "{}x", "{}{}", "{} 1", "{}/**/", "{/**/}",
            "{\"a\":1}//", "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[1 2]}", "{\"a\":1,\"a\":2}",
            "{\"a\":{\"b\":1,\"b\":1}}", "\ufeff{}"})
    void refuses(String json) {
        assertThrows(StrictJson.Invalid.class, () -> parse(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff", "c0af", "eda080", "e282", "f4908080", "80", "fe"})
    void refusesInvalidUtf8(String hex) {
        byte[] bad = java.util.HexFormat.of().parseHex(hex);
        byte[] json = new byte[bad.length + 9];
        System.arraycopy("{\"a\":\"".getBytes(StandardCharsets.US_ASCII), 0, json, 0, 6);
        System.arraycopy(bad, 0, json, 6, bad.length);
        System.arraycopy("\"}".getBytes(StandardCharsets.US_ASCII), 0, json, 6 + bad.length, 2);
        byte[] cut = java.util.Arrays.copyOf(json, 8 + bad.length);
        StrictJson.Invalid e = assertThrows(StrictJson.Invalid.class,
                () -> StrictJson.parseObject(cut, 10, "too many"));
        assertEquals("it is not valid UTF-8", e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void valuesAndLimits() throws StrictJson.Invalid {
        Map<String, Object> m = parse("{\"s\":\"a\\/b\",\"i\":-7,\"f\":0.5,\"l\":[1,{}],\"n\":null,\"t\":true}");
        assertEquals("a/b", m.get("s"));
        assertEquals(-7L, m.get("i"));
        assertEquals(0.5, m.get("f"));
        assertEquals(List.of(1L, Map.of()), m.get("l"));
        assertEquals(true, m.containsKey("n"));
        assertEquals(Boolean.TRUE, m.get("t"));
        StrictJson.Invalid e = assertThrows(StrictJson.Invalid.class,
                () -> StrictJson.parseObject("{\"a\":1,\"b\":2,\"c\":3}".getBytes(StandardCharsets.UTF_8), 2, "many"));
        assertEquals("many", e.getMessage());
        assertThrows(StrictJson.Invalid.class, () -> parse("{\"a\":" + "[".repeat(65) + "]".repeat(65) + "}"));
    }
}
