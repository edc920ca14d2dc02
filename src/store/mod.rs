//! Step 4: the embedded item store. Items outlive the page they were seen on; an id, once issued,
//! keeps its row; HTTP validators and a run log live beside them. One transaction per source.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};

use crate::input::Validators;
use crate::model::{Class, Classified, PerClass};

mod status;
mod tx;

pub use tx::SourceTx;

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
CREATE TABLE IF NOT EXISTS page_links (
    source     TEXT NOT NULL,
    link       TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    fetches    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (source, link)
);
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

/// JSON text of a value the store keeps; our types always serialise.
fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests;
