//! What a server's error answer becomes in a message: the body as it is, except an HTML page.
//!
//! A proxy, a CDN or PyPI itself answers some failures (403 on upload, 502 from a gateway) with a
//! whole HTML page; dumped into an error it buries the one line that matters. Every client passes
//! error bodies through [`summarise`] (the status is already in each error's message), so the
//! page is reduced to its `<title>`.

use std::borrow::Cow;

/// How much of a title is kept.
const TITLE_LIMIT: usize = 200;

/// `body`, or, when it is (or ends in) an HTML page, the text before the page followed by
/// `an HTML page titled "…"` (`an HTML page with no title` when it has none).
pub(crate) fn summarise(body: &str) -> Cow<'_, str> {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `body`.
    let lower = body.to_ascii_lowercase();
    let Some(start) = ["<!doctype html", "<html"]
        .iter()
        .filter_map(|marker| lower.find(marker))
        .min()
    else {
        return Cow::Borrowed(body);
    };
    let title = lower[start..].find("<title").and_then(|open| {
        let open = start + open;
        let content = open + lower[open..].find('>')? + 1;
        let close = content + lower[content..].find("</title")?;
        Some(&body[content..close])
    });
    let summary = match title.map(clean_title) {
        Some(title) if !title.is_empty() => format!("an HTML page titled {title:?}"),
        _ => "an HTML page with no title".to_owned(),
    };
    let before = body[..start].trim();
    Cow::Owned(if before.is_empty() {
        summary
    } else {
        format!("{before} ({summary})")
    })
}

/// A title's text on one line, with the common entities decoded, shortened.
fn clean_title(title: &str) -> String {
    let text = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    if text.chars().count() > TITLE_LIMIT {
        let mut short: String = text.chars().take(TITLE_LIMIT).collect();
        short.push('…');
        short
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What PyPI answered to an upload with a bad token (issue 17), byte for byte apart from
    /// the indentation of the page.
    const PYPI_403: &str = "<html>\n <head>\n  <title>403 Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.</title>\n </head>\n <body>\n  <h1>403 Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.</h1>\n  Access was denied to this resource.<br/><br/>\nInvalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.\n\n\n </body>\n</html>";

    const NGINX_502: &str = "<!DOCTYPE html>\r\n<HTML><HEAD><TITLE>502 Bad Gateway</TITLE></HEAD>\r\n<BODY><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></BODY></HTML>";

    #[test]
    fn html_pages_are_reduced_to_their_title() {
        let cases = [
            (
                PYPI_403,
                "an HTML page titled \"403 Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.\"",
            ),
            (NGINX_502, "an HTML page titled \"502 Bad Gateway\""),
            (
                &format!("Forbidden {PYPI_403}"),
                "Forbidden (an HTML page titled \"403 Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.\")",
            ),
            (
                "<html><body>oops</body></html>",
                "an HTML page with no title",
            ),
            (
                "<html><title>a &amp; b\n  &lt;c&gt;</title>",
                "an HTML page titled \"a & b <c>\"",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(summarise(body), expected);
        }
        assert!(!summarise(PYPI_403).contains("<h1>"));
    }

    #[test]
    fn other_bodies_are_kept() {
        for body in [
            "",
            "400 File already exists",
            "{\"errors\":[{\"code\":\"DENIED\"}]}",
            "use <b>bold</b> here",
            "an unterminated <title",
        ] {
            assert!(matches!(summarise(body), Cow::Borrowed(_)), "{body}");
        }
    }
}
