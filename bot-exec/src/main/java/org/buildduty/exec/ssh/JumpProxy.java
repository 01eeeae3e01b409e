package org.buildduty.exec.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Proxy;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;

/**
 * Carries a connection to a target through a {@code direct-tcpip} channel of a jump host's session (OpenSSH's
 * {@code ProxyJump}): the jump host opens the TCP connection to the target, the SSH session to the target runs end to
 * end over it, so the target's host key is checked as for a direct connection.
 *
 * <p>JSch notices a dead peer by a socket read timeout, and a channel has no socket; so reads from the channel go
 * through a pump thread and time out after {@link #readTimeout(int)} with a {@link SocketTimeoutException}, which
 * makes JSch send its keepalives on proxied sessions too.
 */
final class JumpProxy implements Proxy {
    private static final byte[] EOF = new byte[0];

    private final Session jump;
    private final String jumpName;
    private volatile int timeoutMillis;
    private volatile boolean closed;
    private Channel channel;
    private InputStream in;
    private OutputStream out;

    JumpProxy(Session jump, String jumpName, int connectTimeoutMillis) {
        this.jump = jump;
        this.jumpName = jumpName;
        this.timeoutMillis = connectTimeoutMillis;
    }

    /** How long a read may wait for data before timing out (0: forever). */
    void readTimeout(int millis) {
        timeoutMillis = millis;
    }

    @Override
    public void connect(SocketFactory factory, String host, int port, int timeout) throws Exception {
        try {
            channel = jump.getStreamForwarder(host, port);
            InputStream raw = channel.getInputStream();
            out = channel.getOutputStream();
            channel.connect(timeout);
            in = new Pumped(raw, "ssh-jump-" + jumpName + "-" + host + ":" + port);
        } catch (JSchException e) {
            close();
            throw new JSchException("jump host " + jumpName + " could not open a connection to " + host + ":" + port
                    + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public Socket getSocket() {
        return null;
    }

    @Override
    public void close() {
        closed = true;
        Channel c = channel;
        if (c != null) {
            c.disconnect();
        }
    }

    /** Reads the channel on its own thread so the session's reads can time out. */
    private final class Pumped extends InputStream {
        private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(64);
        private byte[] current;
        private int pos;
        private boolean ended;

        Pumped(InputStream raw, String name) {
            Thread t = new Thread(() -> pump(raw), name);
            t.setDaemon(true);
            t.start();
        }

        private void pump(InputStream raw) {
            byte[] buf = new byte[32 * 1024];
            try {
                int n;
                while ((n = raw.read(buf)) >= 0) {
                    if (n > 0 && !offer(Arrays.copyOf(buf, n))) {
                        return;
                    }
                }
            } catch (IOException e) {
                // The channel closed: end of stream below.
            }
            offer(EOF);
        }

        /** Queues a chunk, waiting while the session is behind; false once the proxy is closed. */
        private boolean offer(byte[] chunk) {
            try {
                while (!chunks.offer(chunk, 200, TimeUnit.MILLISECONDS)) {
                    if (closed) {
                        return false;
                    }
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (ended) {
                return -1;
            }
            if (current == null || pos >= current.length) {
                try {
                    int wait = timeoutMillis;
                    current = wait > 0 ? chunks.poll(wait, TimeUnit.MILLISECONDS) : chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted");
                }
                pos = 0;
                if (current == null) {
                    throw new SocketTimeoutException("no data from " + jumpName + " for " + timeoutMillis + " ms");
                }
                if (current == EOF) {
                    ended = true;
                    return -1;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return current == null || current == EOF ? 0 : current.length - pos;
        }
    }
}
