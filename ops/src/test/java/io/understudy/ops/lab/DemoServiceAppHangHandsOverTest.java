package io.understudy.ops.lab;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 20 long-lived clients through the VIP, hot mode, and the demo service on the primary is stopped (SIGSTOP: a hung app; the node lives on): no client sees an EOF, a reset or a lost reply; the
 * backup's replica serves every connection, and the old primary restarts its app and comes back as the backup.
 */
@Tag("lab")
@Timeout(300)
class DemoServiceAppHangHandsOverTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryConnectionAndReplyWhenThePrimarysAppHangs() throws Exception {
        Lab.startDemoService();
        AppFailover.assertHandedOver(Lab.DEMO_SERVICE_PORT, "line", "app-hang", "hung", "app check failed");
    }
}
