package org.buildduty.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The physical limit of a round trip: a raw-socket IRC client that does no work at all. It registers, joins one
 * channel (so that the bench sees it is ready), and answers every private {@code !echo TEXT} from {@code NICK} with
 * {@code PRIVMSG NICK :TEXT} straight from the bytes it read (one blocking reader thread, TCP_NODELAY, one write per
 * reply). It answers PINGs and nothing else.
 */
final class RawEchoPeer implements AutoCloseable {
    private static final byte[] BANG = {'!'};

    private final Socket socket;
    private final OutputStream out;
    private final byte[] trigger;
    private final byte[] replyPrefix;
    private final Thread reader;
    /** The JOIN to send once the server has welcomed us (001); then null. Only the reader thread touches it. */
    private byte[] pendingJoin;

    private RawEchoPeer(Socket socket, String nick) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.trigger = (" PRIVMSG " + nick + " :!echo ").getBytes(StandardCharsets.US_ASCII);
        this.replyPrefix = "PRIVMSG ".getBytes(StandardCharsets.US_ASCII);
        this.reader = new Thread(this::read, "raw-echo");
        reader.setDaemon(true);
    }

    /** Connects to 127.0.0.1:{@code port} as {@code nick} and joins {@code channel} once registered. */
    static RawEchoPeer start(int port, String nick, String channel) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        RawEchoPeer p = new RawEchoPeer(s, nick);
        p.out.write(("NICK " + nick + "\r\nUSER " + nick + " 0 * :raw echo\r\n").getBytes(StandardCharsets.UTF_8));
        p.pendingJoin = ("JOIN " + channel + "\r\n").getBytes(StandardCharsets.UTF_8);
        p.reader.start();
        return p;
    }

    private void read() {
        try {
            IrcLines.read(socket.getInputStream(), (l, len, stamp) -> line(l, len));
        } catch (IOException e) {
            // Closed.
        }
    }

    private void line(byte[] l, int len) throws IOException {
        int at = indexOf(l, len, trigger);
        int bang = len > 0 && l[0] == ':' ? indexOf(l, at, BANG) : -1;
        if (at >= 0 && bang > 1) {
            // ":NICK!user@host PRIVMSG me :!echo TEXT" -> "PRIVMSG NICK :TEXT"
            int start = at + trigger.length;
            int n = replyPrefix.length;
            byte[] reply = Arrays.copyOf(replyPrefix, n + bang - 1 + 2 + len - start + 2);
            System.arraycopy(l, 1, reply, n, bang - 1);
            n += bang - 1;
            reply[n++] = ' ';
            reply[n++] = ':';
            System.arraycopy(l, start, reply, n, len - start);
            reply[reply.length - 2] = '\r';
            reply[reply.length - 1] = '\n';
            out.write(reply);
        } else if (len >= 5 && l[0] == 'P' && l[1] == 'I' && l[2] == 'N' && l[3] == 'G' && l[4] == ' ') {
            out.write(("PONG " + new String(l, 5, len - 5, StandardCharsets.UTF_8) + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        } else if (pendingJoin != null && TimingClient.numeric(new String(l, 0, len, StandardCharsets.UTF_8), "001")) {
            out.write(pendingJoin);
            pendingJoin = null;
        }
    }

    private static int indexOf(byte[] hay, int len, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= len; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        try {
            out.write("QUIT :bench done\r\n".getBytes(StandardCharsets.UTF_8));
            socket.close();
        } catch (IOException e) {
            // Already gone.
        }
    }
}
