//! Depth 1: the page behind an item, read once for full text, dates and a label only the
//! article page shows.

use super::{Fetch, Options, per_host};
use crate::extract;
use crate::input;
use crate::model::{Block, Item};

/// Follows each chosen `(position in items, link)`: pages fetched at once across hosts on up to
/// `width` threads, each article folded into its item in order. One report line per link.
pub fn follow(
    items: &mut [Item],
    chosen: &[(usize, String)],
    fetch: &dyn Fetch,
    options: &Options,
    width: usize,
) -> Vec<String> {
    let articles = per_host(
        chosen,
        width,
        |(_, link)| link.as_str(),
        |(_, link)| followed_article(link, fetch, options),
    );
    let mut lines = Vec::new();
    for ((at, link), article) in chosen.iter().zip(articles) {
        match article {
            Err(e) => lines.push(format!("{link}: not followed: {e}")),
            Ok(None) => {}
            Ok(Some(article)) => {
                if let Some(item) = items.get_mut(*at) {
                    enrich(item, article);
                    lines.push(format!("{link}: followed"));
                }
            }
        }
    }
    lines
}

/// The article of a followed page, if it has one.
fn followed_article(
    link: &str,
    fetch: &dyn Fetch,
    options: &Options,
) -> Result<Option<Item>, input::InputError> {
    let Some(doc) = fetch.follow(link)? else {
        return Ok(None);
    };
    let Ok(extraction) = extract::extract(&doc, &options.context()) else {
        return Ok(None);
    };
    Ok(extraction
        .items
        .into_iter()
        .find(|i| i.block == Block::Article))
}

/// Fills a teaser from its article page; the teaser keeps its id and block.
fn enrich(item: &mut Item, mut article: Item) {
    for e in &mut article.evidence {
        e.location = format!("article page: {}", e.location);
    }
    item.absorb(article);
}
