//! The one transaction a source's run makes: items merged (an id keeps its row, a class change
//! is logged as a move), validators kept, old items pruned, the run logged.

use chrono::{DateTime, FixedOffset};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Change, RunRecord, StoreError, insert_run, retention_cutoff, sqlite_err, to_json};
use crate::classify::{Model, classify, merged};
use crate::input::Validators;
use crate::model::{Class, Classified, Item};

/// One source's changes, committed together or not at all.
pub struct SourceTx<'a> {
    pub(super) tx: Transaction<'a>,
    pub(super) path: String,
    pub(super) source: String,
    pub(super) now: DateTime<FixedOffset>,
}

impl SourceTx<'_> {
    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        sqlite_err(&self.path)
    }

    /// Adds an item or merges it into the stored one with the same id. What a later sighting
    /// lacks (content from a followed article page, a date, a label seen elsewhere) is kept, and
    /// the class is decided again from the pooled evidence.
    pub fn upsert(&self, seen: &Item, model: &Model) -> Result<Change, StoreError> {
        let stored: Option<(String, String, String)> = self
            .tx
            .query_row(
                "SELECT data, class, first_seen FROM items WHERE source = ?1 AND id = ?2",
                params![self.source, seen.id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(self.err())?;
        let now = self.now.to_rfc3339();
        let Some((data, old_class, first_seen)) = stored else {
            let c = classify(seen.clone(), model);
            self.write(&c, &now)?;
            return Ok(Change::New {
                class: c.class,
                suspect: c.suspect,
            });
        };
        let old: Classified = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            id: seen.id.clone(),
            message: e.to_string(),
        })?;
        let merged = merged(seen.clone(), old.item.clone(), model);
        self.tx
            .execute(
                "UPDATE items SET last_seen = ?3 WHERE source = ?1 AND id = ?2",
                params![self.source, seen.id, now],
            )
            .map_err(self.err())?;
        if merged == old {
            return Ok(Change::Unchanged);
        }
        self.write(&merged, &first_seen)?;
        let from = Class::parse(&old_class).unwrap_or(old.class);
        if from != merged.class {
            self.tx
                .execute(
                    "INSERT INTO moves (source, item_id, from_class, to_class, at) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        self.source,
                        seen.id,
                        from.as_str(),
                        merged.class.as_str(),
                        now
                    ],
                )
                .map_err(self.err())?;
            return Ok(Change::Moved {
                from,
                to: merged.class,
            });
        }
        Ok(Change::Updated)
    }

    fn write(&self, c: &Classified, first_seen: &str) -> Result<(), StoreError> {
        let item = &c.item;
        let data = to_json(c);
        let reasons = to_json(&c.decided_by);
        let personnel = item.personnel.as_ref().map(to_json);
        let published = item.published.map(|d| d.to_rfc3339());
        let sort_ts = item
            .published
            .map(|d| d.timestamp())
            .or_else(|| {
                DateTime::parse_from_rfc3339(first_seen)
                    .ok()
                    .map(|d| d.timestamp())
            })
            .unwrap_or_default();
        self.tx
            .execute(
                "INSERT INTO items (source, id, class, title, link, summary, content, sponsor, \
                 reasons, personnel, published, first_seen, last_seen, sort_ts, data) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14) \
                 ON CONFLICT (source, id) DO UPDATE SET class = ?3, title = ?4, link = ?5, \
                 summary = ?6, content = ?7, sponsor = ?8, reasons = ?9, personnel = ?10, \
                 published = ?11, sort_ts = ?13, data = ?14",
                params![
                    self.source,
                    item.id,
                    c.class.as_str(),
                    item.title,
                    item.link,
                    item.summary,
                    item.content_html,
                    item.sponsor,
                    reasons,
                    personnel,
                    published,
                    first_seen,
                    sort_ts,
                    data,
                ],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// The teaser links of this fetch that the source has shown on every full fetch for at
    /// least `days` and `fetches` fetches (the template's links: menus, utilities, a section's
    /// own page), and remembers this fetch's links: a link missing once starts over.
    pub fn template_links(
        &self,
        links: &[String],
        days: i64,
        fetches: i64,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let err = self.err();
        let before = (self.now - chrono::Duration::days(days)).timestamp();
        let mut known: std::collections::HashMap<String, (String, i64)> = Default::default();
        {
            let mut stmt = self
                .tx
                .prepare_cached(
                    "SELECT link, first_seen, fetches FROM page_links WHERE source = ?1",
                )
                .map_err(&err)?;
            let rows = stmt
                .query_map(params![self.source], |r| {
                    Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
                })
                .map_err(&err)?;
            for row in rows {
                let (link, seen): (String, (String, i64)) = row.map_err(&err)?;
                known.insert(link, seen);
            }
        }
        let here: std::collections::HashSet<&str> = links.iter().map(String::as_str).collect();
        let mut template = std::collections::HashSet::new();
        for (link, (first_seen, count)) in &known {
            if !here.contains(link.as_str()) {
                self.tx
                    .execute(
                        "DELETE FROM page_links WHERE source = ?1 AND link = ?2",
                        params![self.source, link],
                    )
                    .map_err(&err)?;
                continue;
            }
            self.tx
                .execute(
                    "UPDATE page_links SET fetches = fetches + 1 WHERE source = ?1 AND link = ?2",
                    params![self.source, link],
                )
                .map_err(&err)?;
            if count + 1 >= fetches
                && DateTime::parse_from_rfc3339(first_seen).is_ok_and(|t| t.timestamp() <= before)
            {
                template.insert(link.clone());
            }
        }
        for link in here.iter().filter(|l| !known.contains_key(**l)) {
            self.tx
                .execute(
                    "INSERT INTO page_links (source, link, first_seen) VALUES (?1, ?2, ?3)",
                    params![self.source, link, self.now.to_rfc3339()],
                )
                .map_err(&err)?;
        }
        Ok(template)
    }

    /// Takes an editorial item out of the store (a template link admitted before it was known
    /// as one); a stored paid or people item stays where it is.
    pub fn remove_editorial(&self, id: &str) -> Result<bool, StoreError> {
        self.tx
            .execute(
                "DELETE FROM items WHERE source = ?1 AND id = ?2 AND class = ?3",
                params![self.source, id, Class::Editorial.as_str()],
            )
            .map_err(self.err())
            .map(|n| n > 0)
    }

    pub fn is_stored(&self, id: &str) -> Result<bool, StoreError> {
        self.tx
            .query_row(
                "SELECT 1 FROM items WHERE source = ?1 AND id = ?2",
                params![self.source, id],
                |_| Ok(()),
            )
            .optional()
            .map_err(self.err())
            .map(|r| r.is_some())
    }

    pub fn set_validators(&self, url: &str, v: &Validators) -> Result<(), StoreError> {
        self.tx
            .execute(
                "INSERT INTO validators (url, etag, last_modified, checked_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (url) DO UPDATE SET etag = ?2, last_modified = ?3, checked_at = ?4",
                params![url, v.etag, v.last_modified, self.now.to_rfc3339()],
            )
            .map_err(self.err())
            .map(|_| ())
    }

    /// Drops items older than the retention age (by publication, else first sighting) that
    /// this run did not see: one still on the page stays, so it is not taken for new next time.
    pub fn prune(&self, retention_days: u32) -> Result<usize, StoreError> {
        let cutoff = retention_cutoff(self.now, retention_days);
        self.tx
            .execute(
                "DELETE FROM items WHERE source = ?1 AND sort_ts < ?2 AND last_seen <> ?3",
                params![self.source, cutoff, self.now.to_rfc3339()],
            )
            .map_err(self.err())
    }

    pub fn log_run(&self, record: &RunRecord) -> Result<(), StoreError> {
        insert_run(&self.tx, &self.source, self.now, record).map_err(self.err())
    }

    pub fn commit(self) -> Result<(), StoreError> {
        let path = self.path;
        self.tx
            .commit()
            .map_err(|source| StoreError::Sqlite { path, source })
    }
}
