//! Dates as pages write them: ISO 8601, RFC 2822 (with zone names like `CEST`), and written dates
//! in the page's language ("1. september 2025", "27. jan. 2026", "September 1, 2025").

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Month names and abbreviations of the languages feedsplit reads, folded to lower case.
const MONTHS: [&[&str]; 12] = [
    &[
        "januar", "january", "janvier", "januari", "tammikuu", "jan", "janv",
    ],
    &["februar", "february", "februari", "helmikuu", "feb", "febr"],
    &[
        "marts",
        "march",
        "märz",
        "mars",
        "maart",
        "maaliskuu",
        "mar",
        "mär",
        "mrt",
    ],
    &["april", "huhtikuu", "apr"],
    &["maj", "may", "mai", "mei", "toukokuu"],
    &["juni", "june", "juin", "kesäkuu", "jun"],
    &["juli", "july", "juillet", "heinäkuu", "jul"],
    &["august", "augusti", "augustus", "elokuu", "aug"],
    &["september", "syyskuu", "sep", "sept"],
    &["oktober", "october", "octobre", "lokakuu", "okt", "oct"],
    &["november", "marraskuu", "nov"],
    &[
        "december", "dezember", "desember", "joulukuu", "dec", "dez", "des",
    ],
];

/// Month number (1–12) of a month name or abbreviation.
pub fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    MONTHS
        .iter()
        .position(|names| names.contains(&w.as_str()))
        .map(|i| i as u32 + 1)
}

/// A written date: `1. september 2025`, `1 September 2025`, `27. jan. 2026`, `September 1, 2025`.
pub fn parse_written_date(text: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let number = |w: &str| w.trim_end_matches('.').parse::<u32>().ok();
    for win in words.windows(3) {
        let (day, month, year) = match (number(win[0]), month_number(win[1]), number(win[2])) {
            (Some(d), Some(m), Some(y)) => (d, m, y),
            _ => match (month_number(win[0]), number(win[1]), number(win[2])) {
                (Some(m), Some(d), Some(y)) => (d, m, y),
                _ => continue,
            },
        };
        if (1000..3000).contains(&year)
            && let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, day)
        {
            return Some(date);
        }
    }
    None
}

/// Midnight of a date in a zone. Midnight does not fall in a DST gap in the zones feedsplit
/// meets, but a zone may still say so: then the first valid instant after it is used, and for an
/// ambiguous time the earlier one.
pub fn local_midnight(date: NaiveDate, tz: Tz) -> DateTime<FixedOffset> {
    local_datetime(date.and_time(NaiveTime::MIN), tz)
}

/// A wall-clock time in a zone, handling the autumn overlap (earlier instant) and the spring gap
/// (shifted forward by an hour).
pub fn local_datetime(naive: NaiveDateTime, tz: Tz) -> DateTime<FixedOffset> {
    let resolved = tz.from_local_datetime(&naive).earliest().or_else(|| {
        tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .earliest()
    });
    match resolved {
        Some(dt) => dt.fixed_offset(),
        None => Utc.from_utc_datetime(&naive).fixed_offset(),
    }
}

/// Any machine-written timestamp: RFC 3339, RFC 2822 (also with `CEST`/`CET`-style zone names),
/// `YYYY-MM-DD[ T]HH:MM[:SS]` (read in `tz`), or a bare date.
pub fn parse_timestamp(text: &str, tz: Tz) -> Option<DateTime<FixedOffset>> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(t) {
        return Some(dt);
    }
    if let Some(dt) = rfc2822_with_zone_name(t) {
        return Some(dt);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
            return Some(dt);
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(local_datetime(naive, tz));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(local_midnight(date, tz));
    }
    parse_written_date(t).map(|d| local_midnight(d, tz))
}

/// RFC 2822 dates whose zone is a name chrono does not know ("CEST", "CET", "BST"…).
fn rfc2822_with_zone_name(t: &str) -> Option<DateTime<FixedOffset>> {
    const ZONES: [(&str, &str); 8] = [
        ("CEST", "+0200"),
        ("CET", "+0100"),
        ("EEST", "+0300"),
        ("EET", "+0200"),
        ("BST", "+0100"),
        ("WEST", "+0100"),
        ("WET", "+0000"),
        ("UTC", "+0000"),
    ];
    let (head, zone) = t.rsplit_once(' ')?;
    let offset = ZONES.iter().find(|(n, _)| n.eq_ignore_ascii_case(zone))?.1;
    DateTime::parse_from_rfc2822(&format!("{head} {offset}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CPH: Tz = chrono_tz::Europe::Copenhagen;

    #[test]
    fn parses_written_dates() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(
            parse_written_date("pr. 1. september 2025 ansat"),
            d(2025, 9, 1)
        );
        assert_eq!(parse_written_date("27. jan. 2026"), d(2026, 1, 27));
        assert_eq!(parse_written_date("September 1, 2025"), d(2025, 9, 1));
        assert_eq!(parse_written_date("1. Oktober 2025"), d(2025, 10, 1));
        assert_eq!(parse_written_date("31. februar 2025"), None);
        assert_eq!(parse_written_date("i går 14:32"), None);
    }

    #[test]
    fn handles_dst_edges() {
        // 02:30 happens twice in autumn (the first, summer time, is taken) and never in spring.
        for (day, local) in [
            ((2025, 10, 26), "2025-10-26T02:30:00+02:00"),
            ((2025, 3, 30), "2025-03-30T03:30:00+02:00"),
        ] {
            let naive = NaiveDate::from_ymd_opt(day.0, day.1, day.2)
                .and_then(|d| d.and_hms_opt(2, 30, 0))
                .expect("valid");
            assert_eq!(local_datetime(naive, CPH).to_rfc3339(), local);
        }
    }

    #[test]
    fn parses_timestamps() {
        let cases = [
            ("2025-09-01T08:00:00Z", "2025-09-01T08:00:00+00:00"),
            (
                "Mon, 01 Sep 2025 10:00:00 CEST",
                "2025-09-01T10:00:00+02:00",
            ),
            ("2025-09-01 10:00", "2025-09-01T10:00:00+02:00"),
            ("2025-01-15", "2025-01-15T00:00:00+01:00"),
        ];
        for (written, parsed) in cases {
            let got = parse_timestamp(written, CPH).map(|d| d.to_rfc3339());
            assert_eq!(got.as_deref(), Some(parsed), "{written}");
        }
        assert_eq!(parse_timestamp("garbage", CPH), None);
    }
}
