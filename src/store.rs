//! Step 4: the embedded item store. Items outlive the page they were seen on; an id, once issued,
//! keeps its row; HTTP validators and a run log live beside them. One transaction per source.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::classify::classify;
use crate::input::Validators;
use crate::model::{Class, Classified, Item, PerClass};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: cannot create the item store's directory: {source}")]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: item store: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("{path}: item store holds an unreadable item {id}: {message}")]
    Corrupt {
        path: String,
        id: String,
        message: String,
    },
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    source      TEXT NOT NULL,
    id          TEXT NOT NULL,
    class       TEXT NOT NULL,
    title       TEXT NOT NULL,
    link        TEXT,
    summary     TEXT,
    content     TEXT,
    sponsor     TEXT,
    reasons     TEXT NOT NULL,
    personnel   TEXT,
    published   TEXT,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    sort_ts     INTEGER NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (source, id)
);
CREATE INDEX IF NOT EXISTS items_by_feed ON items (source, class, sort_ts DESC, id);
DROP INDEX IF EXISTS items_by_age;
CREATE INDEX IF NOT EXISTS items_by_time ON items (source, sort_ts, class);
CREATE INDEX IF NOT EXISTS items_by_class ON items (class, sort_ts);
CREATE TABLE IF NOT EXISTS validators (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    checked_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    at            TEXT NOT NULL,
    status        TEXT NOT NULL,
    fetched       INTEGER NOT NULL,
    not_modified  INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    items_seen    INTEGER NOT NULL,
    new_editorial INTEGER NOT NULL,
    new_sponsored INTEGER NOT NULL,
    new_personnel INTEGER NOT NULL,
    message       TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_source ON runs (source, at);
CREATE TABLE IF NOT EXISTS moves (
    id         INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    from_class TEXT NOT NULL,
    to_class   TEXT NOT NULL,
    at         TEXT NOT NULL
);
";

pub struct Store {
    conn: Connection,
    path: String,
}

/// A read-only connection to the store (see `Store::reader`).
pub struct Reader {
    conn: Connection,
    path: String,
}

impl Reader {
    pub fn validators(&self, url: &str) -> Result<Option<Validators>, StoreError> {
        self.conn
            .query_row(
                "SELECT etag, last_modified FROM validators WHERE url = ?1",
                [url],
                |r| {
                    Ok(Validators {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(sqlite_err(&self.path))
    }

    pub fn contains(&self, source: &str, id: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT 1 FROM items WHERE source = ?1 AND id = ?2",
                params![source, id],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(sqlite_err(&self.path))
    }
}

/// Names the store in a SQLite error.
fn sqlite_err(path: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_string(),
        source,
    }
}

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new item, with why it looks promotional if it stays editorial without a label.
    New {
        class: Class,
        suspect: Option<String>,
    },
    Updated,
    Unchanged,
    Moved {
        from: Class,
        to: Class,
    },
}

/// A source's last run as the log has it.
#[derive(Debug, Clone)]
pub struct LastRun {
    /// RFC 3339.
    pub at: String,
    pub record: RunRecord,
}

impl LastRun {
    pub fn ok(&self) -> bool {
        self.record.status == RunStatus::Ok
    }
}

/// How a source's run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RunStatus {
    #[default]
    Ok,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Failed => "failed",
        }
    }
}

/// One run of one source, for the log.
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    pub status: RunStatus,
    pub fetched: usize,
    pub not_modified: usize,
    pub failed: usize,
    pub items_seen: usize,
    pub new: PerClass<usize>,
    pub message: Option<String>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let name = path.display().to_string();
        let err = |source| StoreError::Sqlite {
            path: name.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
                path: name.clone(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(err)?;
        // WAL keeps readers unblocked and a killed run leaves the last commit intact.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let mut store = Store { conn, path: name };
        store.migrate()?;
        Ok(store)
    }

    /// Brings a store written by an older version up to date. Version 1: item content is
    /// sanitised (older versions stored feed entries' HTML as the upstream feed had it).
    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        if version >= 1 {
            return Ok(());
        }
        let tx = self.conn.transaction().map_err(err)?;
        let rows: Vec<(String, String, String)> = {
            let mut stmt = tx
                .prepare("SELECT source, id, data FROM items WHERE content IS NOT NULL")
                .map_err(err)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)?
        };
        for (source, id, data) in rows {
            let Ok(mut c) = serde_json::from_str::<Classified>(&data) else {
                continue;
            };
            let base = c.item.link.as_deref().and_then(|l| url::Url::parse(l).ok());
            c.item.content_html = c
                .item
                .content_html
                .as_deref()
                .map(|h| crate::extract::sanitize(h, base.as_ref()));
            tx.execute(
                "UPDATE items SET content = ?3, data = ?4 WHERE source = ?1 AND id = ?2",
                params![source, id, c.item.content_html, to_json(&c)],
            )
            .map_err(err)?;
        }
        tx.pragma_update(None, "user_version", 1).map_err(err)?;
        tx.commit().map_err(err)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        sqlite_err(&self.path)
    }

    /// A read-only connection to the same store, for a worker thread of a run (WAL lets it
    /// read while the run writes).
    pub fn reader(&self) -> Result<Reader, StoreError> {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
            | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(self.err())?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(self.err())?;
        Ok(Reader {
            conn,
            path: self.path.clone(),
        })
    }

    /// Starts the one transaction a source's run makes.
    pub fn begin(
        &mut self,
        source: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<SourceTx<'_>, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(|source| StoreError::Sqlite {
                path: path.clone(),
                source,
            })?;
        Ok(SourceTx {
            tx,
            path,
            source: source.to_string(),
            now,
        })
    }

    /// The source's last run, if it has run.
    pub fn last_run(&self, source: &str) -> Result<Option<LastRun>, StoreError> {
        self.conn
            .query_row(
                "SELECT at, status, fetched, not_modified, failed, items_seen, new_editorial, \
                 new_sponsored, new_personnel, message FROM runs WHERE source = ?1 \
                 ORDER BY at DESC, id DESC LIMIT 1",
                [source],
                |r| {
                    let count = |i: usize| r.get::<_, i64>(i).map(|n| n.max(0) as usize);
                    Ok(LastRun {
                        at: r.get(0)?,
                        record: RunRecord {
                            status: if r.get::<_, String>(1)? == RunStatus::Ok.as_str() {
                                RunStatus::Ok
                            } else {
                                RunStatus::Failed
                            },
                            fetched: count(2)?,
                            not_modified: count(3)?,
                            failed: count(4)?,
                            items_seen: count(5)?,
                            new: PerClass([count(6)?, count(7)?, count(8)?]),
                            message: r.get(9)?,
                        },
                    })
                },
            )
            .optional()
            .map_err(self.err())
    }

    /// Items each class's feed holds: those dated since `since` (Unix seconds), at most
    /// `limit`, indexed by `Class` (counted through the feed index, so at most `limit` rows).
    pub fn class_counts(
        &self,
        source: &str,
        since: i64,
        limit: usize,
    ) -> Result<PerClass<usize>, StoreError> {
        let mut out = PerClass::default();
        for class in Class::ALL {
            let n: i64 = self
                .conn
                .query_row(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM items WHERE source = ?1 AND class = ?2 \
                     AND sort_ts >= ?3 LIMIT ?4)",
                    params![source, class.as_str(), since, limit as i64],
                    |r| r.get(0),
                )
                .map_err(self.err())?;
            out[class] = n.max(0) as usize;
        }
        Ok(out)
    }

    /// Items per day (UTC) and class since `since`, oldest day first.
    pub fn items_per_day(
        &self,
        source: &str,
        since: i64,
    ) -> Result<Vec<(String, PerClass<usize>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT sort_ts / 86400, class, COUNT(*) FROM items \
                 WHERE source = ?1 AND sort_ts >= ?2 GROUP BY 1, 2 ORDER BY 1",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![source, since], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(self.err())?;
        let mut out: Vec<(String, PerClass<usize>)> = Vec::new();
        for row in rows {
            let (day, class, n) = row.map_err(self.err())?;
            let day = DateTime::from_timestamp(day * 86_400, 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            let Some(class) = Class::ALL.into_iter().find(|c| c.as_str() == class) else {
                continue;
            };
            if out.last().is_none_or(|(d, _)| *d != day) {
                out.push((day, PerClass::default()));
            }
            if let Some((_, counts)) = out.last_mut() {
                counts[class] = n.max(0) as usize;
            }
        }
        Ok(out)
    }

    /// The sponsors with the most sponsored items dated since `since`, across sources.
    pub fn top_sponsors(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<(String, usize)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT sponsor, COUNT(*) FROM items WHERE class = 'sponsored' AND sort_ts >= ?1 \
                 AND sponsor IS NOT NULL AND sponsor <> '' GROUP BY sponsor \
                 ORDER BY 2 DESC, 1 LIMIT ?2",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![since, limit as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(self.err())?;
        rows.map(|r| r.map(|(s, n)| (s, n.max(0) as usize)))
            .collect::<Result<_, _>>()
            .map_err(self.err())
    }

    /// The newest people notices across sources, with their source.
    pub fn latest_people(&self, limit: usize) -> Result<Vec<(String, Classified)>, StoreError> {
        let rows = self.three_columns(
            "SELECT source, id, data FROM items WHERE class = 'personnel' \
             ORDER BY sort_ts DESC, id LIMIT ?1",
            params![limit as i64],
        )?;
        rows.into_iter()
            .map(|(source, id, data)| Ok((source, self.parse_item(id, &data)?)))
            .collect()
    }

    /// Rows of three text columns.
    fn three_columns(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(self.err())?;
        let rows = stmt
            .query_map(params, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// A stored item back from its JSON.
    fn parse_item(&self, id: String, data: &str) -> Result<Classified, StoreError> {
        serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            id,
            message: e.to_string(),
        })
    }

    /// The newest `limit` items of a feed dated at or after `since` (seconds), each dated by
    /// its publication or, failing that, by when it was first seen, so its date never moves.
    pub fn feed_items(
        &self,
        source: &str,
        class: Class,
        limit: usize,
        since: i64,
    ) -> Result<Vec<Classified>, StoreError> {
        let rows = self.three_columns(
            "SELECT id, data, first_seen FROM items WHERE source = ?1 AND class = ?2 \
             AND sort_ts >= ?4 ORDER BY sort_ts DESC, id LIMIT ?3",
            params![source, class.as_str(), limit as i64, since],
        )?;
        let mut out = Vec::new();
        for (id, data, first_seen) in rows {
            let mut c = self.parse_item(id, &data)?;
            if c.item.published.is_none() {
                c.item.published = DateTime::parse_from_rfc3339(&first_seen).ok();
            }
            out.push(c);
        }
        Ok(out)
    }

    /// When the source first ran: the stable date of a feed that has no items yet.
    pub fn first_run(&self, source: &str) -> Result<Option<DateTime<FixedOffset>>, StoreError> {
        let at: Option<String> = self
            .conn
            .query_row(
                "SELECT MIN(at) FROM runs WHERE source = ?1",
                [source],
                |r| r.get(0),
            )
            .map_err(self.err())?;
        Ok(at.and_then(|a| DateTime::parse_from_rfc3339(&a).ok()))
    }

    /// Items seen by the source's last `n` runs that fetched something.
    pub fn recent_items_seen(&self, source: &str, n: usize) -> Result<Vec<usize>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT items_seen FROM runs WHERE source = ?1 AND fetched > 0 AND status = 'ok' \
                 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![source, n as i64], |r| r.get::<_, i64>(0))
            .map_err(self.err())?;
        rows.map(|r| r.map(|v| v.max(0) as usize).map_err(self.err()))
            .collect()
    }

    /// Logs a run that changed nothing else (a failed source), outside any item transaction.
    pub fn log_run(
        &self,
        source: &str,
        at: DateTime<FixedOffset>,
        record: &RunRecord,
    ) -> Result<(), StoreError> {
        insert_run(&self.conn, source, at, record).map_err(self.err())
    }
}

/// The oldest timestamp (seconds) an item may carry and still be kept.
pub fn retention_cutoff(now: DateTime<FixedOffset>, retention_days: u32) -> i64 {
    now.timestamp() - i64::from(retention_days) * 86_400
}

fn insert_run(
    conn: &Connection,
    source: &str,
    at: DateTime<FixedOffset>,
    r: &RunRecord,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO runs (source, at, status, fetched, not_modified, failed, items_seen, \
         new_editorial, new_sponsored, new_personnel, message) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            source,
            at.to_rfc3339(),
            r.status.as_str(),
            r.fetched as i64,
            r.not_modified as i64,
            r.failed as i64,
            r.items_seen as i64,
            r.new[Class::Editorial] as i64,
            r.new[Class::Sponsored] as i64,
            r.new[Class::Personnel] as i64,
            r.message,
        ],
    )
    .map(|_| ())
}

/// One source's changes, committed together or not at all.
pub struct SourceTx<'a> {
    tx: Transaction<'a>,
    path: String,
    source: String,
    now: DateTime<FixedOffset>,
}

impl SourceTx<'_> {
    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        sqlite_err(&self.path)
    }

    /// Adds an item or merges it into the stored one with the same id. What a later sighting
    /// lacks (content from a followed article page, a date, a label seen elsewhere) is kept, and
    /// the class is decided again from the pooled evidence.
    pub fn upsert(&self, seen: &Item) -> Result<Change, StoreError> {
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
            let c = classify(seen.clone());
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
        let mut merged = seen.clone();
        merged.absorb(old.item.clone());
        let merged = classify(merged);
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

/// JSON text of a value the store keeps; our types always serialise.
fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, Signal};
    use chrono::{TimeZone, Utc};

    fn from_timestamp(secs: i64) -> Option<DateTime<FixedOffset>> {
        Utc.timestamp_opt(secs, 0)
            .single()
            .map(|d| d.fixed_offset())
    }

    fn item(id: &str, evidence: Vec<Evidence>) -> Item {
        Item::teaser(id, evidence)
    }

    fn label() -> Evidence {
        Evidence {
            signal: Signal::SponsoredLabel,
            matched: "Annonce".into(),
            location: "line 1".into(),
        }
    }

    #[test]
    fn upserts_merge_and_log_moves() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&dir.path().join("s.sqlite")).expect("open");
        let t1 = from_timestamp(1_760_000_000).expect("date");
        let tx = store.begin("cw", t1).expect("tx");
        assert_eq!(
            tx.upsert(&item("https://x/1", vec![])).expect("upsert"),
            Change::New {
                class: Class::Editorial,
                suspect: None
            }
        );
        tx.commit().expect("commit");
        let tx = store.begin("cw", t1).expect("tx");
        assert_eq!(
            tx.upsert(&item("https://x/1", vec![])).expect("upsert"),
            Change::Unchanged
        );
        assert_eq!(
            tx.upsert(&item("https://x/1", vec![label()]))
                .expect("upsert"),
            Change::Moved {
                from: Class::Editorial,
                to: Class::Sponsored
            }
        );
        // A later sighting without the label does not move it back.
        assert_eq!(
            tx.upsert(&item("https://x/1", vec![])).expect("upsert"),
            Change::Unchanged
        );
        tx.commit().expect("commit");
        let items = store
            .feed_items("cw", Class::Sponsored, 10, i64::MIN)
            .expect("items");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].item.published, Some(t1));
        assert!(
            store
                .feed_items("cw", Class::Editorial, 10, i64::MIN)
                .expect("items")
                .is_empty()
        );
    }

    #[test]
    fn uncommitted_changes_vanish() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&dir.path().join("s.sqlite")).expect("open");
        let t1 = from_timestamp(1_760_000_000).expect("date");
        {
            let tx = store.begin("cw", t1).expect("tx");
            tx.upsert(&item("https://x/2", vec![])).expect("upsert");
            // dropped without commit, as a crash would
        }
        let reader = store.reader().expect("reader");
        assert!(!reader.contains("cw", "https://x/2").expect("query"));
    }
}
