package dev.relaygate.controlplane.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import reactor.test.StepVerifier;

/** The SMTP sender speaks SMTP to a server on loopback: what it sends is what that server receives. */
class SmtpEmailSenderTest {

    @Test
    void sendsTheMessageToEveryRecipientThroughTheConfiguredServer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> transcript = CompletableFuture.supplyAsync(() -> converse(server));
            SmtpEmailSender sender = new SmtpEmailSender(new NotificationProperties.Email(true, "127.0.0.1",
                    server.getLocalPort(), null, null, "quota@relaygate.test", false, Duration.ofSeconds(5), 1));
            try {
                StepVerifier.create(sender.send(new EmailSender.Message(List.of("alice@example.com",
                        "bob@example.com"), "Relaygate: quota 80 % used", "850 of 1000 compute units")))
                    .expectComplete()
                    .verify(Duration.ofSeconds(20));
            }
            finally {
                sender.destroy();
            }

            String received = transcript.get(20, TimeUnit.SECONDS);
            assertThat(received).contains("MAIL FROM:<quota@relaygate.test>")
                .contains("RCPT TO:<alice@example.com>")
                .contains("RCPT TO:<bob@example.com>")
                .contains("850 of 1000 compute units");
        }
    }

    /** The smallest SMTP server that accepts one message; answers everything the client said. */
    private static String converse(ServerSocket server) {
        StringBuilder transcript = new StringBuilder();
        try (Socket client = server.accept()) {
            client.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.US_ASCII);
            reply(out, "220 test ESMTP");
            boolean data = false;
            String line;
            while ((line = in.readLine()) != null) {
                transcript.append(line).append('\n');
                if (data) {
                    if (line.equals(".")) {
                        data = false;
                        reply(out, "250 queued");
                    }
                    continue;
                }
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO", "HELO" -> reply(out, "250 test");
                    case "DATA" -> {
                        data = true;
                        reply(out, "354 go ahead");
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return transcript.toString();
                    }
                    default -> reply(out, "250 ok");
                }
            }
        }
        catch (IOException e) {
            transcript.append("failed: ").append(e);
        }
        return transcript.toString();
    }

    private static void reply(Writer out, String line) throws IOException {
        out.write(line + "\r\n");
        out.flush();
    }
}
