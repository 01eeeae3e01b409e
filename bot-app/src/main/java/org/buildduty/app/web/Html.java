package org.buildduty.app.web;

/** HTML text helpers: every text put in a page goes through {@link #esc}; the layout loads only our own CSS/JS. */
final class Html {
    private Html() {
    }

    /** Escapes {@code & < > " '} so text can go in element content and quoted attributes. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&':
                    sb.append("&amp;");
                    break;
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '"':
                    sb.append("&quot;");
                    break;
                case '\'':
                    sb.append("&#39;");
                    break;
                default:
                    sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A whole page: {@code body} is HTML already escaped; {@code script} is a path under /static/, or null. */
    static String page(String title, String bodyAttrs, String body, String script) {
        StringBuilder sb = new StringBuilder(body.length() + 512);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n")
                .append("<link rel=\"stylesheet\" href=\"/static/style.css\">\n</head>\n<body")
                .append(bodyAttrs == null ? "" : " " + bodyAttrs).append(">\n")
                .append("<header><a href=\"/\">buildduty</a> <nav><a id=\"nav-ops\" href=\"/\">operations</a> ")
                .append("<a id=\"nav-runbooks\" href=\"/runbooks\">runbooks</a></nav></header>\n<main>\n")
                .append(body).append("</main>\n");
        if (script != null) {
            sb.append("<script src=\"").append(esc(script)).append("\"></script>\n");
        }
        return sb.append("</body>\n</html>\n").toString();
    }

    /** A 404 page with one line of explanation. */
    static String notFound(String why) {
        return page("not found", null, "<h1>Not found</h1>\n<p>" + esc(why) + "</p>\n", null);
    }
}
