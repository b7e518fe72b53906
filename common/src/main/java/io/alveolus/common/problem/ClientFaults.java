package io.alveolus.common.problem;

import java.util.regex.Pattern;

/**
 * The one classification of failures that the framework raises for a client's malformed input (a broken multipart
 * body, too many form fields, a bad header, a body that is not JSON) and the one cleaning of problem details: the
 * client is told what was wrong with its request, never which Java class noticed it.
 */
public final class ClientFaults {
    private ClientFaults() {
    }

    /** Fully qualified class names (io.vertx.Foo, java.lang.StackOverflowError) and bare *Exception / *Error names. */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*\\b:?\\s*|\\b[A-Z][A-Za-z0-9_$]*(?:Exception|Error|Throwable)\\b:?\\s*");

    /** A detail fit for a client: no class names, bounded length; null stays null. */
    public static String clean(String detail) {
        if (detail == null) {
            return null;
        }
        String d = CLASS_NAME.matcher(detail).replaceAll("").replaceAll("(:\\s*){2,}", ": ")
                .replaceAll("\\s{2,}", " ").trim();
        d = d.replaceAll("^[:;,\\s]+|[:;,\\s]+$", "");
        if (d.isEmpty()) {
            d = "the request could not be processed";
        }
        return d.length() > 300 ? d.substring(0, 300) + "..." : d;
    }

    /**
     * The status a failure deserves if it was caused by the client's input (400, 413, 414, 431), else 0. Walks the
     * cause chain; recognises the Netty/Vert.x decoder failures by name so that common needs no Netty dependency.
     */
    public static int clientStatus(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getName();
            String simple = t.getClass().getSimpleName();
            if (simple.equals("TooLongHttpLineException")) {
                return 414;
            }
            if (simple.equals("TooLongHttpHeaderException")) {
                return 431;
            }
            if (simple.equals("TooLongFormFieldException") || simple.equals("TooLongFrameException")
                    || simple.equals("RequestEntityTooLargeException")) {
                return 413;
            }
            if (simple.equals("TooManyFormFieldsException") || simple.equals("ErrorDataDecoderException")
                    || simple.equals("NotEnoughDataDecoderException") || simple.equals("EndOfDataDecoderException")
                    || simple.equals("DecoderException") || simple.equals("CorruptedFrameException")
                    || name.startsWith("com.fasterxml.jackson.core.") || name.startsWith("com.fasterxml.jackson.databind.exc.")
                    || simple.equals("MalformedInputException") || simple.equals("URISyntaxException")
                    || (name.startsWith("io.netty.handler.codec.") && simple.endsWith("Exception"))) {
                return 400;
            }
            if (t instanceof StackOverflowError) {
                return 400; // input nested beyond what a parser follows
            }
            if (raisedDecodingTheBody(t)) {
                return 400;
            }
        }
        return 0;
    }

    /** Packages and classes that only ever run while the framework reads a form or multipart body. */
    private static final String[] BODY_DECODERS = {
            "org.jboss.resteasy.reactive.server.core.multipart.",
            "org.jboss.resteasy.reactive.server.handlers.FormBodyHandler",
            "io.netty.handler.codec.http.multipart.",
            "io.vertx.core.http.impl.HttpServerFileUploadImpl"};

    /**
     * A failure raised while the framework decoded a form or multipart body (before any resource ran: "Param limit
     * of 1000 was exceeded", "Connection terminated parsing multipart request", a wrong or missing boundary) is the
     * client's malformed request. Told by where it was thrown, since those are plain RuntimeException/IOException.
     */
    private static boolean raisedDecodingTheBody(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        for (int i = 0; i < Math.min(stack.length, 8); i++) {
            for (String decoder : BODY_DECODERS) {
                if (stack[i].getClassName().startsWith(decoder)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the failure is the database's (down, unreachable): transient, the client should retry. */
    public static boolean databaseDown(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException) {
                return true;
            }
        }
        return false;
    }

    /** What the client is told for each of those statuses. */
    public static String detail(int status) {
        return switch (status) {
            case 413 -> "the request body, or one of its parts, is larger than this endpoint accepts";
            case 414 -> "the request URI is longer than this service accepts";
            case 431 -> "the request headers are larger than this service accepts";
            case 400 -> "the request is malformed (body, form or multipart encoding)";
            default -> io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
        };
    }
}
