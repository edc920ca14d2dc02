//! What the status page asks of the store: each source's last run, the items its feeds hold,
//! items per day, the top sponsors and the latest people moves. Each reads a bounded window
//! through an index.

use chrono::DateTime;
use rusqlite::{OptionalExtension, params};

use super::{LastRun, RunRecord, RunStatus, Store, StoreError};
use crate::model::{Class, Classified, PerClass};

impl Store {
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
}
