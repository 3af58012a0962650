package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo service closes connections on purpose while it lives (QUIT: BYE, then its FIN): 20 clients quit at once,
 * each gets its BYE and its end of stream, nothing is handed over. Prints what the close grace costs a close (as
 * {@link AppClosesOnPurposeTest} does for redis).
 */
@Tag("lab")
@Timeout(300)
class DemoServiceClosesOnPurposeTest {
    private static final int CONNECTIONS = 20;

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldPassEveryCloseAndHandNothingOverWhenTheDemoServiceClosesOnPurpose() throws Exception {
        Lab.startDemoService();
        AppFailover.awaitAppPid(Lab.PRIMARY);

        final Lab.Result quit = CompletableFuture.supplyAsync(() -> Lab.probe(
                        Lab.CLIENT,
                        "quit-all",
                        Lab.VIP,
                        String.valueOf(Lab.DEMO_SERVICE_PORT),
                        String.valueOf(CONNECTIONS),
                        "20"))
                .get(60, TimeUnit.SECONDS);

        System.out.println("closes on purpose (demo service QUIT): " + quit);
        assertThat(quit.stdout())
                .contains("READY " + CONNECTIONS, "END eof=" + CONNECTIONS + " reset=0 timeout=0 other=0");
        AppClosesOnPurposeTest.assertNothingHandedOver(CONNECTIONS);

        final Lab.Result viaVip = Lab.expectOk(
                Lab.probe(Lab.CLIENT, "close-delay", Lab.VIP, String.valueOf(Lab.DEMO_SERVICE_PORT), "QUIT\\n", "50"));
        final Lab.Result direct = Lab.expectOk(
                Lab.probe(Lab.PRIMARY, "close-delay", "127.0.0.1", String.valueOf(Lab.DEMO_APP_PORT), "QUIT\\n", "50"));
        System.out.println("close delay after QUIT's BYE: through the VIP " + last(viaVip) + "; straight to the demo "
                + "service " + last(direct));
        assertThat(last(viaVip)).as("every QUIT's FIN reaches the client").endsWith("eof=50");
        assertThat(last(direct)).endsWith("eof=50");
    }

    private static String last(final Lab.Result result) {
        return AppClosesOnPurposeTest.last(result);
    }
}
