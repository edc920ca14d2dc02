//! `index.html` as a status page: per source its last run and outcome, warnings, item counts,
//! the newest items of each feed, a chart of items per day, and the subscribe links; site-wide
//! the top sponsors and the latest people moves. Static HTML5 with inline CSS and SVG, every
//! text escaped.

use chrono::{DateTime, Duration, FixedOffset};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::{Format, Layout, class_title};
use crate::model::{Class, Classified, PerClass};
use crate::store::LastRun;

/// What the store says about the feeds, for the status page.
#[derive(Debug, Clone)]
pub struct Status {
    /// The run's "now".
    pub now: DateTime<FixedOffset>,
    /// Days the charts and the sponsor list cover.
    pub days: u32,
    /// One per layout, in the same order.
    pub sources: Vec<SourceStatus>,
    /// Sponsors with the most sponsored items in the last `days` days, across sources.
    pub top_sponsors: Vec<(String, usize)>,
    /// The newest people notices across sources, with their source.
    pub people: Vec<(String, Classified)>,
}

#[derive(Debug, Clone, Default)]
pub struct SourceStatus {
    pub last_run: Option<LastRun>,
    /// Items each class's feed holds, indexed by `Class`.
    pub counts: PerClass<usize>,
    /// The newest items of each class, indexed by `Class`.
    pub newest: PerClass<Vec<Classified>>,
    /// Items per day (`YYYY-MM-DD`, UTC) and class, oldest first.
    pub per_day: Vec<(String, PerClass<usize>)>,
}

const CLASS_COLOURS: PerClass<&str> = PerClass(["#2f6690", "#c8553d", "#3a7d44"]);

const STYLE: &str = "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;\
padding:1rem;color:#1d1d1f;background:#fafafa}h1{font-size:1.6rem;margin:.2rem 0}\
h2{font-size:1.25rem;margin:0 0 .3rem}h3{font-size:1rem;margin:.8rem 0 .2rem}\
section{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}\
.state{font-size:.8rem;padding:.1rem .5rem;border-radius:1rem;color:#fff;vertical-align:middle}\
.ok{background:#3a7d44}.failed{background:#b3261e}.never{background:#777}\
.error{color:#b3261e}.warning{color:#8a5a00}table{border-collapse:collapse}\
td,th{padding:.1rem .6rem .1rem 0;text-align:left}ol,ul{padding-left:1.3rem;margin:.2rem 0}\
li{margin:.15rem 0}.meta{color:#555;font-size:.85rem}svg{max-width:100%;height:auto}\
.subscribe a{margin-right:.4rem}.feeds{display:grid;gap:.5rem;\
grid-template-columns:repeat(auto-fit,minmax(16rem,1fr))}";

/// The whole page.
pub fn page(
    layouts: &[Layout],
    status: &Status,
    href: impl Fn(&Layout, Class, Format) -> String,
) -> String {
    let mut head = String::new();
    let mut body = String::new();
    let failed = status
        .sources
        .iter()
        .filter(|s| s.last_run.as_ref().is_some_and(|r| !r.ok()))
        .count();
    body.push_str(&format!(
        "<header>\n<h1>feedsplit</h1>\n<p class=\"meta\">{} sources, {} failed at their last \
         run. Page made {}. Subscribe to a feed in your reader, or import \
         <a href=\"index.opml\">index.opml</a>.</p>\n</header>\n<main>\n",
        layouts.len(),
        failed,
        time(&status.now.to_rfc3339()),
    ));
    let empty = SourceStatus::default();
    for (i, layout) in layouts.iter().enumerate() {
        let source = status.sources.get(i).unwrap_or(&empty);
        for class in Class::ALL {
            for &f in &layout.formats {
                head.push_str(&format!(
                    "<link rel=\"alternate\" type=\"{}\" title=\"{}\" href=\"{}\">\n",
                    f.content_type(),
                    attr(&layout.feed_title(class)),
                    attr(&href(layout, class, f))
                ));
            }
        }
        body.push_str(&source_section(layout, source, status, &href));
    }
    body.push_str(&sponsors_section(status));
    body.push_str(&people_section(status));
    body.push_str("</main>\n");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>feedsplit: feeds and sources</title>\n<style>{STYLE}</style>\n{head}</head>\n\
         <body>\n{body}</body>\n</html>\n"
    )
}

fn source_section(
    layout: &Layout,
    source: &SourceStatus,
    status: &Status,
    href: &impl Fn(&Layout, Class, Format) -> String,
) -> String {
    let state = match &source.last_run {
        None => "never",
        Some(r) if r.ok() => "ok",
        Some(_) => "failed",
    };
    let mut out = format!(
        "<section class=\"source\" id=\"source-{id}\" data-source=\"{id}\" data-state=\"{state}\">\n\
         <h2>{name} <span class=\"state {state}\">{state_text}</span></h2>\n",
        id = attr(&layout.name),
        name = text(&layout.name),
        state_text = match state {
            "never" => "not run yet",
            s => s,
        },
    );
    if let Some(run) = &source.last_run {
        let r = &run.record;
        out.push_str(&format!(
            "<p class=\"meta\">Last run {}: {} read, {} not modified, {} failed; {} items seen; \
             new: {} editorial, {} sponsored, {} people.</p>\n",
            time(&run.at),
            r.fetched,
            r.not_modified,
            r.failed,
            r.items_seen,
            r.new[Class::Editorial],
            r.new[Class::Sponsored],
            r.new[Class::Personnel],
        ));
        if let Some(message) = r.message.as_deref().filter(|m| !m.is_empty()) {
            let class = if run.ok() { "warning" } else { "error" };
            out.push_str(&format!("<p class=\"{class}\">{}</p>\n", text(message)));
        }
    }
    out.push_str("<table class=\"counts\"><tr>");
    for class in Class::ALL {
        out.push_str(&format!(
            "<th>{}</th><td data-class=\"{}\">{}</td>",
            text(class_title(class)),
            class.as_str(),
            source.counts[class]
        ));
    }
    out.push_str("</tr></table>\n");
    out.push_str(&chart(&source.per_day, status));
    out.push_str("<div class=\"feeds\">\n");
    for class in Class::ALL {
        out.push_str(&feed_block(layout, class, &source.newest[class], href));
    }
    out.push_str("</div>\n</section>\n");
    out
}

/// One feed of a source: its subscribe links and newest items.
fn feed_block(
    layout: &Layout,
    class: Class,
    newest: &[Classified],
    href: &impl Fn(&Layout, Class, Format) -> String,
) -> String {
    let links: Vec<String> = layout
        .formats
        .iter()
        .map(|&f| {
            format!(
                "<a href=\"{}\">{}</a>",
                attr(&href(layout, class, f)),
                f.extension().to_uppercase()
            )
        })
        .collect();
    let mut out = format!(
        "<div class=\"feed\" data-class=\"{}\">\n<h3>{}</h3>\n<p class=\"subscribe\">{}</p>\n",
        class.as_str(),
        text(&capitalised(class_title(class))),
        links.join(" ")
    );
    if newest.is_empty() {
        out.push_str("<p class=\"meta\">No items yet.</p>\n");
    } else {
        out.push_str("<ol>\n");
        for c in newest {
            out.push_str(&format!("<li>{}</li>\n", item_line(c)));
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</div>\n");
    out
}

/// One item: its title (linked), date, and the sponsor or the person, role and company.
fn item_line(c: &Classified) -> String {
    let item = &c.item;
    let title = match &item.link {
        Some(link) => format!("<a href=\"{}\">{}</a>", attr(link), text(&item.title)),
        None => text(&item.title).into_owned(),
    };
    let mut meta = Vec::new();
    if let Some(date) = item.published {
        meta.push(date.format("%Y-%m-%d").to_string());
    }
    if let Some(sponsor) = &item.sponsor {
        meta.push(format!("paid for by {sponsor}"));
    }
    // (A notice's title already names the person, the role and the company.)
    if let Some(p) = crate::write::people_fields(c) {
        meta.push(p.kind.as_str().replace('_', " "));
    }
    if meta.is_empty() {
        title
    } else {
        format!(
            "{title} <span class=\"meta\">{}</span>",
            text(&meta.join(" · "))
        )
    }
}

fn person_line(p: &crate::model::Personnel) -> String {
    let mut out = p.person.clone().unwrap_or_default();
    if let Some(role) = &p.role {
        out.push_str(&format!(", {role}"));
    }
    if let Some(company) = &p.company {
        out.push_str(&format!(" at {company}"));
    }
    if let Some(date) = p.date {
        out.push_str(&format!(" from {date}"));
    }
    out.trim_start_matches(", ").to_string()
}

/// Stacked bars of items per day and class over the last `days` days.
fn chart(per_day: &[(String, PerClass<usize>)], status: &Status) -> String {
    let days = status.days.max(1) as usize;
    let first = status.now.date_naive() - Duration::days(days as i64 - 1);
    let counts: Vec<PerClass<usize>> = (0..days)
        .map(|d| {
            let day = (first + Duration::days(d as i64))
                .format("%Y-%m-%d")
                .to_string();
            per_day
                .iter()
                .find(|(k, _)| *k == day)
                .map_or(PerClass::default(), |(_, c)| *c)
        })
        .collect();
    let most = counts
        .iter()
        .map(|c| c.0.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (width, height, bar) = (days * 10, 60usize, 8usize);
    let mut bars = String::new();
    for (d, c) in counts.iter().enumerate() {
        let mut y = height;
        for class in Class::ALL {
            let n = c[class];
            if n == 0 {
                continue;
            }
            let h = (n * height).div_ceil(most).max(1);
            y = y.saturating_sub(h);
            bars.push_str(&format!(
                "<rect x=\"{}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"{}\"><title>{} {}: {n}</title></rect>",
                d * 10 + 1,
                CLASS_COLOURS[class],
                (first + Duration::days(d as i64)).format("%Y-%m-%d"),
                class.as_str(),
            ));
        }
    }
    let legend: Vec<String> = Class::ALL
        .iter()
        .map(|&c| {
            format!(
                "<span style=\"color:{}\">■</span> {}",
                CLASS_COLOURS[c],
                text(class_title(c))
            )
        })
        .collect();
    format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Items per day, last {days} \
         days\"><rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#f2f2f2\"/>\
         {bars}</svg><figcaption class=\"meta\">Items per day, last {days} days: {}</figcaption>\
         </figure>\n",
        legend.join(" ")
    )
}

fn sponsors_section(status: &Status) -> String {
    let mut out = format!(
        "<section id=\"sponsors\">\n<h2>Top sponsors, last {} days</h2>\n",
        status.days
    );
    if status.top_sponsors.is_empty() {
        out.push_str("<p class=\"meta\">No sponsored item names its sponsor.</p>\n");
    } else {
        out.push_str("<ol>\n");
        for (sponsor, n) in &status.top_sponsors {
            out.push_str(&format!(
                "<li>{} <span class=\"meta\">{n} item{}</span></li>\n",
                text(sponsor),
                if *n == 1 { "" } else { "s" }
            ));
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");
    out
}

fn people_section(status: &Status) -> String {
    let mut out = String::from("<section id=\"people\">\n<h2>Latest people moves</h2>\n");
    if status.people.is_empty() {
        out.push_str("<p class=\"meta\">No people notices yet.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for (source, c) in &status.people {
            let line = c
                .item
                .personnel
                .as_ref()
                .map(person_line)
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| c.item.title.clone());
            out.push_str(&format!(
                "<li>{} <span class=\"meta\">{}</span></li>\n",
                text(&line),
                text(source)
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

/// A `<time>` element for an RFC 3339 instant, shown as date and minute.
fn time(rfc3339: &str) -> String {
    let shown = DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%Y-%m-%d %H:%M %:z").to_string())
        .unwrap_or_else(|_| rfc3339.to_string());
    format!(
        "<time datetime=\"{}\">{}</time>",
        attr(rfc3339),
        text(&shown)
    )
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
