package dev.winnow.recsys.movies;

import java.text.Normalizer;
import java.util.Locale;

/** Title clean-up for display and the normalised key the IMDB-TMDB merge matches on. */
final class MovieTitles {
    private MovieTitles() {
    }

    /** The title as shown: IMDB 5000 ends every title in U+00A0, which {@link String#strip} alone would keep. */
    static String clean(String title) {
        return title.replace('\u00A0', ' ').strip();
    }

    /**
     * Case, accents' composed forms and punctuation are ignored: "Harry Potter and the Sorcerer's Stone" and
     * "harry potter and the sorcerer s stone" are the same key.
     */
    static String key(String title) {
        String t = Normalizer.normalize(clean(title), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(t.length());
        boolean space = true;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                sb.append(c);
                space = false;
            } else if (!space) {
                sb.append(' ');
                space = true;
            }
        }
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == ' ') {
            sb.setLength(n - 1);
        }
        return sb.toString();
    }
}
