package io.motionkernels.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NaturalOrderTest {
    @Test
    void numbersCompareByValue() {
        List<String> names = new ArrayList<>(List.of("frame10.png", "frame2.png", "Frame1.png", "frame02.png",
                "frame1b.png", "a.png", "frame100000000000000000000.png", "frame99.png"));
        names.sort(NaturalOrder.INSTANCE);
        assertEquals(List.of("a.png", "Frame1.png", "frame1b.png", "frame02.png", "frame2.png", "frame10.png",
                "frame99.png", "frame100000000000000000000.png"), names);
    }

    @Test
    void isConsistentWithEquals() {
        assertEquals(0, NaturalOrder.INSTANCE.compare("x1", "x1"));
        assertEquals(-Integer.signum(NaturalOrder.INSTANCE.compare("x01", "x1")),
                Integer.signum(NaturalOrder.INSTANCE.compare("x1", "x01")));
    }
}
