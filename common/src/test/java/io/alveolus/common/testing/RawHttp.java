package io.alveolus.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One HTTP/1.1 request over a plain socket, for heads RestAssured will not send (a declared 200 MB body). */
public final class RawHttp {
    private RawHttp() {
    }

    /** Sends the request as written and returns what came back (head and body) until a JSON body ends or 10 s. */
    public static String send(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0 && answer.size() < 65536; ) {
                    answer.write(buf, 0, n);
                    if (answer.toString(StandardCharsets.ISO_8859_1).matches("(?s).*\r\n\r\n.*\\}\\s*$")) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                // what arrived is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
