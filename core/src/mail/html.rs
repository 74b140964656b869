//! A customer's HTML email made safe to show: no scripts, no event handlers, no styles that
//! could reach out, and no remote images until the owner asks (they tell the sender the email
//! was opened, and from where).

use std::borrow::Cow;

pub fn sanitize(html: &str, remote_images: bool) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto", "tel", "cid"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(move |element, attribute, value| {
            let remote = |v: &str| {
                let v = v.trim_start().to_ascii_lowercase();
                v.starts_with("http:") || v.starts_with("https:") || v.starts_with("//")
            };
            match (element, attribute) {
                ("img", "src" | "srcset") if !remote_images && remote(value) => None,
                _ => Some(Cow::Borrowed(value)),
            }
        });
    builder.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    const HOSTILE: &str = r#"<html><head><script>steal()</script><style>body{background:url(https://t.example/x)}</style></head>
<body onload="steal()"><p>Hello <b>shop</b></p><img src="https://tracker.example/pixel.gif" alt="logo" onerror="steal()">
<a href="javascript:steal()">click</a><a href="https://shop.example/order/1">order</a><iframe src="https://evil.example"></iframe>
<form action="https://evil.example"><input name="pw"></form></body></html>"#;

    #[test]
    fn scripts_handlers_and_remote_images_go() {
        let clean = sanitize(HOSTILE, false);
        for bad in ["<script", "steal()", "onload", "onerror", "javascript:", "<iframe", "<form", "<input", "tracker.example", "<style"] {
            assert!(!clean.contains(bad), "{bad} survived: {clean}");
        }
        assert!(clean.contains("<b>shop</b>"), "{clean}");
        assert!(clean.contains(r#"href="https://shop.example/order/1""#), "{clean}");
        assert!(clean.contains(r#"alt="logo""#), "{clean}");
    }

    #[test]
    fn remote_images_only_when_asked() {
        let clean = sanitize(HOSTILE, true);
        assert!(clean.contains("https://tracker.example/pixel.gif"), "{clean}");
        assert!(!clean.contains("onerror") && !clean.contains("<script"), "{clean}");
    }
}
