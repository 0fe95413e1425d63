//! The four estimated-tax due dates of a tax year (IRC 6654(c)(2): April 15, June 15, September 15, and January 15
//! of the next year), each moved off a Saturday, Sunday or DC legal holiday to the next business day (IRC 7503), with
//! the reason written out.

use super::work::{date_in, weekday_in, Work};
use crate::i18n::{fill, Lang, TaxCalcTexts};
use crate::model::tax::{FieldError, ParameterSource};
use crate::server::tax::params::Holidays;
use time::{Date, Month, Weekday};

#[derive(Clone, Debug, PartialEq)]
pub struct DueDate {
    /// 1 to 4.
    pub installment: u8,
    /// The date the statute names.
    pub statutory: Date,
    /// The date the payment is actually due.
    pub date: Date,
    /// The months of income the payment is for.
    pub period: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DueDates {
    pub dates: Vec<DueDate>,
    /// Filing the return by this date and paying in full replaces the January payment (January 31, moved).
    pub file_instead_by: Date,
    pub work: Work,
}

/// (installment, month, day, in the next year)
const SCHEDULE: [(u8, Month, u8, bool); 4] = [
    (1, Month::April, 15, false),
    (2, Month::June, 15, false),
    (3, Month::September, 15, false),
    (4, Month::January, 15, true),
];

/// The months of income an installment is for: "January 1 – March 31".
fn period(t: &TaxCalcTexts, installment: u8) -> &'static str {
    match installment {
        1 => t.period_1,
        2 => t.period_2,
        3 => t.period_3,
        _ => t.period_4,
    }
}

pub fn due_dates(holidays: &Holidays, tax_year: i32) -> Result<DueDates, FieldError> {
    due_dates_in(holidays, tax_year, Lang::En)
}

/// The same, its steps, notes, source labels and errors in `lang`.
pub fn due_dates_in(
    holidays: &Holidays,
    tax_year: i32,
    lang: Lang,
) -> Result<DueDates, FieldError> {
    let t = &lang.texts().tax_calc_steps;
    let mut work = Work::default();
    work.add_source(ParameterSource {
        label: t.due_source_dates.into(),
        source: "26 U.S.C. 6654(c)(2); Form 1040-ES instructions".into(),
        url: "https://www.law.cornell.edu/uscode/text/26/6654".into(),
    });
    work.add_source(ParameterSource {
        label: t.due_source_moved.into(),
        source: holidays.source.clone(),
        url: holidays.url.clone(),
    });
    let mut dates = Vec::with_capacity(4);
    for (installment, month, day_of_month, next_year) in SCHEDULE {
        let statutory = calendar(tax_year + i32::from(next_year), month, day_of_month, lang)?;
        let (date, step) = next_business_day_in(holidays, statutory, lang)?;
        work.step(step);
        dates.push(DueDate {
            installment,
            statutory,
            date,
            period: period(&lang.texts().tax_calc, installment),
        });
    }
    let (file_instead_by, _) = next_business_day_in(
        holidays,
        calendar(tax_year + 1, Month::January, 31, lang)?,
        lang,
    )?;
    work.note(fill(
        t.due_note_skip_january,
        &[
            ("year", &tax_year.to_string()),
            ("date", &date_in(lang, file_instead_by)),
        ],
    ));
    work.note(t.due_note_disaster);
    Ok(DueDates {
        dates,
        file_instead_by,
        work,
    })
}

/// The first day from `date` on that is not a Saturday, Sunday or legal holiday, and the step that says why.
pub fn next_business_day(holidays: &Holidays, date: Date) -> Result<(Date, String), FieldError> {
    next_business_day_in(holidays, date, Lang::En)
}

/// The same, the step and any error in `lang`.
pub fn next_business_day_in(
    holidays: &Holidays,
    date: Date,
    lang: Lang,
) -> Result<(Date, String), FieldError> {
    let t = &lang.texts().tax_calc_steps;
    let errors = &lang.texts().tax_calc;
    let mut reasons = Vec::new();
    let mut current = date;
    loop {
        if !holidays.covers(current.year()) {
            return Err(FieldError {
                field: "tax_year".into(),
                message: fill(
                    errors.holidays_not_covered,
                    &[("year", &current.year().to_string())],
                ),
            });
        }
        let reason = match (current.weekday(), holidays.get(current)) {
            (weekday @ (Weekday::Saturday | Weekday::Sunday), _) => fill(
                t.due_weekend,
                &[
                    ("date", &date_in(lang, current)),
                    ("weekday", weekday_in(lang, weekday)),
                ],
            ),
            (_, Some(holiday)) => fill(
                t.due_holiday,
                &[
                    ("date", &date_in(lang, current)),
                    ("holiday", &holiday.name),
                ],
            ),
            _ => break,
        };
        reasons.push(reason);
        current = current.next_day().ok_or_else(|| FieldError {
            field: "tax_year".into(),
            message: errors.date_out_of_range.into(),
        })?;
    }
    let step = match reasons.as_slice() {
        [] => fill(
            t.due_no_change,
            &[
                ("date", &date_in(lang, date)),
                ("weekday", weekday_in(lang, date.weekday())),
            ],
        ),
        [only] => fill(
            t.due_moved,
            &[("reasons", only), ("date", &date_in(lang, current))],
        ),
        [first @ .., last] => {
            let reasons = fill(
                t.due_reasons_and,
                &[
                    ("rest", &first.join(t.due_reasons_separator)),
                    ("last", last),
                ],
            );
            fill(
                t.due_moved,
                &[("reasons", &reasons), ("date", &date_in(lang, current))],
            )
        }
    };
    Ok((current, step))
}

fn calendar(year: i32, month: Month, day_of_month: u8, lang: Lang) -> Result<Date, FieldError> {
    Date::from_calendar_date(year, month, day_of_month).map_err(|_| FieldError {
        field: "tax_year".into(),
        message: fill(
            lang.texts().tax_calc.year_unusable,
            &[("year", &year.to_string())],
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::params;
    use super::*;
    use crate::server::tax::params::{parse_date, Holiday};

    fn on(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    fn dates(holidays: &Holidays, year: i32) -> Vec<Date> {
        due_dates(holidays, year)
            .unwrap()
            .dates
            .iter()
            .map(|d| d.date)
            .collect()
    }

    #[test]
    fn tax_year_2025_moves_june_15_off_a_sunday() {
        let holidays = &params().holidays;
        let due = due_dates(holidays, 2025).unwrap();
        assert_eq!(
            dates(holidays, 2025),
            ["2025-04-15", "2025-06-16", "2025-09-15", "2026-01-15"].map(on)
        );
        assert_eq!(due.work.steps[0], "April 15, 2025 is a Tuesday: no change");
        assert_eq!(
            due.work.steps[1],
            "June 15, 2025 is a Sunday → June 16, 2025"
        );
        // January 31, 2026 is a Saturday → Monday, February 2.
        assert_eq!(due.file_instead_by, on("2026-02-02"));
    }

    #[test]
    fn tax_year_2026_keeps_every_date() {
        // April 15 Wednesday, June 15 Monday, September 15 Tuesday, January 15, 2027 Friday.
        let holidays = &params().holidays;
        assert_eq!(
            dates(holidays, 2026),
            ["2026-04-15", "2026-06-15", "2026-09-15", "2027-01-15"].map(on)
        );
        // January 31, 2027 is a Sunday → Monday, February 1.
        assert_eq!(
            due_dates(holidays, 2026).unwrap().file_instead_by,
            on("2027-02-01")
        );
    }

    #[test]
    fn weekends_and_holidays_chain_until_a_business_day() {
        let holidays = &params().holidays;
        let next = |d: &str| next_business_day(holidays, on(d)).unwrap();
        // Friday July 3, 2026 is the observed Independence Day; then a weekend.
        let (date, step) = next("2026-07-03");
        assert_eq!(date, on("2026-07-06"));
        assert!(
            step.starts_with("July 3, 2026 is a legal holiday (Independence Day (observed"),
            "{step}"
        );
        assert!(
            step.ends_with(
                "July 4, 2026 is a Saturday and July 5, 2026 is a Sunday → July 6, 2026"
            ),
            "{step}"
        );
        // Sunday July 4, 2027 → Monday July 5 is the observed holiday → Tuesday July 6.
        assert_eq!(next("2027-07-04").0, on("2027-07-06"));
        // DC Emancipation Day, Friday April 16, 2027 → Monday April 19.
        assert_eq!(next("2027-04-16").0, on("2027-04-19"));
        // Inauguration Day and Martin Luther King, Jr.'s Birthday, Monday January 20, 2025.
        assert_eq!(next("2025-01-20").0, on("2025-01-21"));
    }

    #[test]
    fn a_year_the_holiday_list_does_not_cover_is_refused_not_guessed() {
        // Tax year 2027's January payment falls in 2028, which holidays.toml does not list yet.
        let err = due_dates(&params().holidays, 2027).unwrap_err();
        assert_eq!(err.field, "tax_year");
        assert!(err.message.contains("2028"), "{}", err.message);
        // With 2028's Martin Luther King, Jr. Day added: Saturday January 15, 2028 → Sunday → the holiday on
        // Monday the 17th → Tuesday January 18, 2028.
        let mut list = params().holidays.dates.clone();
        list.push(Holiday {
            date: on("2028-01-17"),
            name: "Birthday of Martin Luther King, Jr.".into(),
        });
        let holidays = Holidays::new(list, String::new(), String::new());
        assert_eq!(
            dates(&holidays, 2027),
            ["2027-04-15", "2027-06-15", "2027-09-15", "2028-01-18"].map(on)
        );
        let step = &due_dates(&holidays, 2027).unwrap().work.steps[3];
        assert_eq!(
            step,
            "January 15, 2028 is a Saturday, January 16, 2028 is a Sunday and January 17, 2028 is a legal \
             holiday (Birthday of Martin Luther King, Jr.) → January 18, 2028"
        );
    }
}
