package org.buildduty.app;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP, through {@code sun.misc.Signal} (module {@code jdk.unsupported}) found by reflection: Java has no public
 * signal API, and naming the class in code is a compiler warning the build refuses.
 */
final class Hangup {
    private static final Logger LOG = LoggerFactory.getLogger(Hangup.class);

    private Hangup() {
    }

    /**
     * Runs {@code action} on the JVM's signal thread at each SIGHUP (it must return quickly). Returns false, having
     * logged why, where signals cannot be handled (SIGHUP then keeps what it did: the JVM stops, or under
     * {@code nohup} nothing happens).
     */
    static boolean handle(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object hup = signal.getConstructor(String.class).newInstance("HUP");
            InvocationHandler calls = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    action.run();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "buildduty SIGHUP handler";
                default -> null;
            };
            Object proxy = Proxy.newProxyInstance(Hangup.class.getClassLoader(), new Class<?>[] {handler}, calls);
            Object before = signal.getMethod("handle", signal, handler).invoke(null, hup, proxy);
            if (before != null && before.equals(handler.getField("SIG_IGN").get(null))) {
                // the JVM keeps a signal that was ignored when it started (nohup) ignored
                LOG.warn("SIGHUP was ignored when the bot started (nohup?), so it cannot reload; use the reload "
                        + "command");
                return false;
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn("SIGHUP cannot reload here ({}); use the reload command", e.toString());
            return false;
        }
    }
}
