package org.buildduty.connectors.irc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.buildduty.connectors.testing.Await;

/**
 * A minimal IRC server for what the real test network cannot be made to lack: it registers one client at a time
 * (offering the caps given, or knowing no {@code CAP} command at all), advertises the ISUPPORT tokens given, lets
 * the client join any channel, answers {@code WHO} with an empty list, and passes on lines the test writes as if
 * from other users. What the client sent is kept for the test to read.
 */
final class ScriptedIrcd implements AutoCloseable {
    private final ServerSocket server;
    private final String capLs;
    private final String isupport;
    private final List<String> received = new ArrayList<>();
    private final Thread thread;
    private OutputStream client;
    private String nick = "*";

    /**
     * @param capLs the caps offered in reply to {@code CAP LS}, or null for a server that knows no {@code CAP}
     * @param isupport the tokens of the {@code 005} line, e.g. {@code "CHANTYPES=# WHOX"}
     */
    ScriptedIrcd(String capLs, String isupport) throws IOException {
        this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        this.capLs = capLs;
        this.isupport = isupport;
        this.thread = new Thread(this::serve, "scripted-ircd");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                synchronized (this) {
                    client = s.getOutputStream();
                }
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.UTF_8));
                boolean negotiating = false;
                boolean user = false;
                boolean welcomed = false;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    synchronized (this) {
                        received.add(line);
                        notifyAll();
                    }
                    String[] w = line.split(" ", 3);
                    switch (w[0]) {
                        case "CAP" -> {
                            if (capLs == null) {
                                send(":irc.test 421 " + nick + " CAP :Unknown command");
                            } else if (w.length > 1 && w[1].equals("LS")) {
                                negotiating = true;
                                send(":irc.test CAP * LS :" + capLs);
                            } else if (w.length > 2 && w[1].equals("REQ")) {
                                send(":irc.test CAP " + nick + " NAK " + w[2]);
                            } else if (w.length > 1 && w[1].equals("END")) {
                                negotiating = false;
                            }
                        }
                        case "NICK" -> nick = w[1];
                        case "USER" -> user = true;
                        case "PING" -> send(":irc.test PONG irc.test " + (w.length > 1 ? w[1] : ""));
                        case "JOIN" -> {
                            send(":" + nick + "!bot@127.0.0.1 JOIN " + w[1]);
                            send(":irc.test 366 " + nick + " " + w[1] + " :End of /NAMES list.");
                        }
                        case "WHO" -> send(":irc.test 315 " + nick + " " + w[1] + " :End of /WHO list.");
                        default -> {
                            // nothing to say
                        }
                    }
                    if (!welcomed && user && !nick.equals("*") && !negotiating) {
                        welcomed = true;
                        send(":irc.test 001 " + nick + " :Welcome");
                        send(":irc.test 005 " + nick + " " + isupport + " :are supported by this server");
                        send(":irc.test 422 " + nick + " :MOTD File is missing");
                    }
                }
            } catch (IOException e) {
                // the client or the test closed the connection
            }
        }
    }

    /** Writes a line to the connected client (as the server, or as another user with a source prefix). */
    synchronized void send(String line) {
        try {
            client.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            client.flush();
        } catch (IOException e) {
            throw new IllegalStateException("send failed: " + e.getMessage(), e);
        }
    }

    /** Waits for a line from the client matching {@code p}. */
    synchronized String await(Predicate<String> p, Duration timeout) throws InterruptedException {
        return Await.first(this, received, p, timeout, () -> "no such line from the client; got " + received);
    }

    synchronized List<String> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (this) {
            if (client != null) {
                client.close();
            }
        }
    }
}
