//! ISO weeks (`2026-W48`) and the digest's clock, in Europe/Paris.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Paris;

/// An ISO 8601 week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Week {
    year: i32,
    week: u32,
}

impl Week {
    /// The week `t` falls in, in Paris.
    pub fn of(t: DateTime<Utc>) -> Self {
        let iso = t.with_timezone(&Paris).date_naive().iso_week();
        Self {
            year: iso.year(),
            week: iso.week(),
        }
    }

    /// Its Monday.
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon)
            .expect("weeks are validated when made")
    }

    /// Its Sunday.
    pub fn sunday(self) -> NaiveDate {
        self.monday() + Duration::days(6)
    }

    /// The week number alone.
    pub fn number(self) -> u32 {
        self.week
    }

    /// The first instant after the week (Monday 00:00 Paris of the next week).
    pub fn end(self) -> DateTime<Utc> {
        paris_midnight(self.sunday() + Duration::days(1))
    }

    /// The first instant of the week (Monday 00:00 Paris).
    pub fn start(self) -> DateTime<Utc> {
        paris_midnight(self.monday())
    }
}

fn paris_midnight(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    Paris
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// Why a week could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an ISO week; write it like 2026-W48")]
pub struct BadWeek(pub String);

impl FromStr for Week {
    type Err = BadWeek;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadWeek(s.to_owned());
        let (year, week) = s.trim().split_once(['W', 'w']).ok_or_else(bad)?;
        let year: i32 = year.trim_end_matches('-').parse().map_err(|_| bad())?;
        let week: u32 = week.parse().map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)?;
        Ok(Self { year, week })
    }
}

/// The first time the cron `schedule`, read in Paris time, fires strictly after `after`.
pub fn next_tick(schedule: &str, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron::Schedule::from_str(schedule)
        .ok()?
        .after(&after.with_timezone(&Paris))
        .next()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_prints_weeks() {
        let w: Week = "2026-W48".parse().unwrap();
        assert_eq!(w.to_string(), "2026-W48");
        assert_eq!(w.monday(), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(w.sunday(), NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
        // Paris is UTC+1 in winter: the week starts on Sunday 23:00 UTC.
        assert_eq!(w.start().to_rfc3339(), "2026-11-22T23:00:00+00:00");
        assert_eq!("2026-w01".parse::<Week>().unwrap().to_string(), "2026-W01");
        for bad in ["2026-W54", "2026-48", "W48", "2026-W", "deux"] {
            assert!(bad.parse::<Week>().is_err(), "{bad}");
        }
        // 2020 had 53 weeks.
        assert!("2020-W53".parse::<Week>().is_ok());
    }

    #[test]
    fn the_week_is_the_one_of_paris() {
        // Sunday 23:30 UTC is already Monday in Paris.
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap();
        assert_eq!(Week::of(t).to_string(), "2026-W49");
    }

    #[test]
    fn the_default_schedule_is_monday_eight_in_paris_winter_and_summer() {
        let winter = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let tick = next_tick("0 0 8 * * Mon", winter).unwrap();
        assert_eq!(tick.to_rfc3339(), "2026-11-30T07:00:00+00:00");
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        let tick = next_tick("0 0 8 * * Mon", summer).unwrap();
        assert_eq!(tick.to_rfc3339(), "2026-07-06T06:00:00+00:00");
    }
}
