//! The dashboard's charts, drawn on the server as SVG: bars per day (stacked when there are several series), a
//! scale with four steps, a legend, every bar titled with its number. Each chart is an image with a title and a
//! one-sentence summary for screen readers; the page puts the same numbers in a table beside it. Text uses
//! `currentColor`, so the charts follow the light or dark theme.

use crate::{
    i18n::{fill, Lang},
    model::{
        account::dollars,
        admin::{AdminDay, Chart},
    },
};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 24.0;

/// Bar colours with at least 3:1 contrast against both white and the dark theme's slate-950.
const TEAL: &str = "#0d9488";
const AMBER: &str = "#d97706";
const SLATE: &str = "#64748b";

struct Series<'a> {
    name: &'a str,
    colour: &'static str,
    values: Vec<f64>,
}

pub fn questions(lang: Lang, days: &[AdminDay]) -> Chart {
    let t = &lang.texts().admin;
    let total: i64 = days.iter().map(AdminDay::questions).sum();
    let busiest = days.iter().max_by_key(|d| (d.questions(), d.day.clone()));
    let summary = match busiest.filter(|_| total > 0) {
        Some(day) => fill(
            t.questions_summary,
            &[
                ("total", &total.to_string()),
                ("day", &day.day),
                ("most", &day.questions().to_string()),
            ],
        ),
        None => t.no_usage_summary.to_string(),
    };
    let series = [
        (
            t.tier_guest,
            TEAL,
            days.iter().map(|d| d.guest_questions).collect::<Vec<_>>(),
        ),
        (
            t.tier_user,
            AMBER,
            days.iter().map(|d| d.user_questions).collect(),
        ),
        (
            t.tier_admin,
            SLATE,
            days.iter().map(|d| d.admin_questions).collect(),
        ),
    ]
    .map(|(name, colour, values)| Series {
        name,
        colour,
        values: values.into_iter().map(|v| v as f64).collect(),
    });
    Chart {
        svg: bars(
            "chart-questions",
            t.questions_chart,
            &summary,
            days,
            &series,
            |v| format!("{v:.0}"),
        ),
        summary,
    }
}

pub fn tokens(lang: Lang, days: &[AdminDay]) -> Chart {
    let t = &lang.texts().admin;
    let prompt: i64 = days.iter().map(|d| d.prompt_tokens).sum();
    let completion: i64 = days.iter().map(|d| d.completion_tokens).sum();
    let summary = if prompt + completion > 0 {
        fill(
            t.tokens_summary,
            &[
                ("prompt", &prompt.to_string()),
                ("completion", &completion.to_string()),
            ],
        )
    } else {
        t.no_usage_summary.to_string()
    };
    let series = [
        Series {
            name: t.tokens_in,
            colour: TEAL,
            values: days.iter().map(|d| d.prompt_tokens as f64).collect(),
        },
        Series {
            name: t.tokens_out,
            colour: AMBER,
            values: days.iter().map(|d| d.completion_tokens as f64).collect(),
        },
    ];
    Chart {
        svg: bars(
            "chart-tokens",
            t.tokens_chart,
            &summary,
            days,
            &series,
            compact,
        ),
        summary,
    }
}

pub fn cost(lang: Lang, days: &[AdminDay]) -> Chart {
    let t = &lang.texts().admin;
    let total: i64 = days.iter().map(|d| d.cost_micros).sum();
    let costliest = days.iter().max_by_key(|d| (d.cost_micros, d.day.clone()));
    let summary = match costliest.filter(|_| total > 0) {
        Some(day) => fill(
            t.cost_summary,
            &[
                ("cost", &dollars(total)),
                ("day", &day.day),
                ("most", &dollars(day.cost_micros)),
            ],
        ),
        None => t.no_usage_summary.to_string(),
    };
    let series = [Series {
        name: t.cost,
        colour: TEAL,
        values: days.iter().map(|d| d.cost_micros as f64).collect(),
    }];
    Chart {
        svg: bars("chart-cost", t.cost_chart, &summary, days, &series, |v| {
            dollars(v.round() as i64)
        }),
        summary,
    }
}

/// 1234 as "1.2k", 2500000 as "2.5M": scale labels stay short.
fn compact(value: f64) -> String {
    match value {
        v if v >= 1e6 => format!("{:.1}M", v / 1e6),
        v if v >= 1e3 => format!("{:.1}k", v / 1e3),
        v => format!("{v:.0}"),
    }
}

/// The smallest "round" number (1, 2, 2.5 or 5 times a power of ten) at least `max`; 4 for nothing, so the four
/// steps of an empty or tiny chart are whole numbers.
fn nice_ceiling(max: f64) -> f64 {
    if max <= 4.0 {
        return 4.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&v| v >= max)
        .unwrap_or(10.0 * magnitude)
}

/// Characters that would end an SVG text or attribute early.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn bars(
    id: &str,
    title: &str,
    summary: &str,
    days: &[AdminDay],
    series: &[Series<'_>],
    label: impl Fn(f64) -> String,
) -> String {
    use std::fmt::Write as _;
    let count = days.len().max(1);
    let stack = |i: usize| {
        series
            .iter()
            .map(|s| s.values.get(i).copied().unwrap_or(0.0))
            .sum::<f64>()
    };
    let max = nice_ceiling((0..count).map(stack).fold(0.0, f64::max));
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let baseline = TOP + plot_height;
    let slot = plot_width / count as f64;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" class="h-auto w-full" font-family="inherit" font-size="11"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(summary)
    );
    for step in 0..=4 {
        let value = max * f64::from(step) / 4.0;
        let y = baseline - plot_height * f64::from(step) / 4.0;
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="currentColor" stroke-opacity="0.2"/><text x="{}" y="{:.1}" text-anchor="end" fill="currentColor">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            escape(&label(value))
        );
    }
    for (i, day) in days.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let mut top = baseline;
        for s in series {
            let value = s.values.get(i).copied().unwrap_or(0.0);
            if value <= 0.0 {
                continue;
            }
            let height = plot_height * value / max;
            top -= height;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{top:.1}" width="{:.1}" height="{height:.1}" fill="{}"><title>{}: {} {}</title></rect>"#,
                slot * 0.7,
                s.colour,
                escape(&day.day),
                escape(s.name),
                escape(&label(value))
            );
        }
        // A date under the first bar of each week and the last one.
        if i % 7 == 0 || i + 1 == days.len() {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="currentColor">{}</text>"#,
                x + slot * 0.35,
                HEIGHT - 6.0,
                escape(day.day.get(5..).unwrap_or(&day.day))
            );
        }
    }
    let mut legend_x = LEFT;
    for s in series.iter().filter(|_| series.len() > 1) {
        let _ = write!(
            svg,
            r#"<rect x="{legend_x:.1}" y="8" width="10" height="10" fill="{}"/><text x="{:.1}" y="17" fill="currentColor">{}</text>"#,
            s.colour,
            legend_x + 14.0,
            escape(s.name)
        );
        legend_x += 24.0 + 7.0 * s.name.chars().count() as f64;
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: &str, guest: i64, user: i64) -> AdminDay {
        AdminDay {
            day: day.into(),
            guest_questions: guest,
            user_questions: user,
            prompt_tokens: 1200 * (guest + user),
            completion_tokens: 300 * (guest + user),
            cost_micros: 500 * (guest + user),
            ..AdminDay::default()
        }
    }

    #[test]
    fn scales_round_up_to_round_numbers() {
        assert_eq!(nice_ceiling(0.0), 4.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(23.0), 25.0);
        assert_eq!(nice_ceiling(41.0), 50.0);
        assert_eq!(nice_ceiling(120_000.0), 200_000.0);
        assert_eq!(compact(2_500_000.0), "2.5M");
    }

    #[test]
    fn a_chart_is_a_titled_image_with_a_bar_per_series_and_day() {
        let days = [
            day("2026-12-01", 3, 1),
            day("2026-12-02", 0, 0),
            day("2026-12-03", 5, 2),
        ];
        let chart = questions(Lang::En, &days);
        assert_eq!(
            chart.summary,
            "11 questions in 30 days; the busiest day was 2026-12-03 with 7."
        );
        assert!(chart.svg.starts_with("<svg") && chart.svg.ends_with("</svg>"));
        assert!(chart.svg.contains(r#"role="img""#));
        assert!(chart
            .svg
            .contains(r#"<title id="chart-questions-title">Questions per day</title>"#));
        assert_eq!(
            chart.svg.matches("<rect").count(),
            4 + 3,
            "four bars and a legend of three"
        );
        assert!(chart.svg.contains("<title>2026-12-03: Guests 5</title>"));
        assert!(chart.svg.contains(">12-01<") && chart.svg.contains(">12-03<"));
        let cost = cost(Lang::En, &days);
        assert!(
            cost.summary.starts_with("$0.0055 estimated in 30 days"),
            "{}",
            cost.summary
        );
    }

    #[test]
    fn labels_cannot_break_out_of_the_markup() {
        assert_eq!(escape("<script>&\""), "&lt;script&gt;&amp;&quot;");
    }
}
