//! Live chart: numeric JSON fields (e.g. `currentTemp`) of the messages on
//! a topic filter, several series on one SVG drawn from Rust (no chart
//! library). Points are collected by the store side as messages arrive;
//! the SVG is redrawn at most four times a second, downsampled to its width.

use super::state::AppState;
use crate::store::chart::downsample;
use crate::store::time::clock;
use leptos::prelude::*;
use std::time::Duration;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 22.0;
const COLORS: [&str; 6] = [
    "#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2",
];

#[derive(Debug, Clone, PartialEq)]
struct Line {
    id: u32,
    label: String,
    color: &'static str,
    points: String,
    count: usize,
    last: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Drawing {
    lines: Vec<Line>,
    y_min: f64,
    y_max: f64,
    t_min: String,
    t_max: String,
}

fn draw(log: super::log::LogHandle) -> Drawing {
    let Some(core) = log.core() else {
        return Drawing::default();
    };
    let charts = core.charts.borrow();
    let series = charts.series();
    let all = series.iter().flat_map(|s| s.points.iter());
    let (mut t0, mut t1, mut v0, mut v1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(t, v) in all {
        t0 = t0.min(t);
        t1 = t1.max(t);
        v0 = v0.min(v);
        v1 = v1.max(v);
    }
    if t0 > t1 {
        (t0, t1, v0, v1) = (0.0, 1.0, 0.0, 1.0);
    }
    if v1 - v0 < 1e-9 {
        (v0, v1) = (v0 - 1.0, v1 + 1.0);
    }
    let t_span = (t1 - t0).max(1.0);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - BOTTOM - 8.0;
    let lines = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut points = String::new();
            for (t, v) in downsample(&s.points, t0, t1, plot_w as usize) {
                let x = LEFT + (t - t0) / t_span * plot_w;
                let y = 8.0 + (1.0 - (v - v0) / (v1 - v0)) * plot_h;
                points.push_str(&format!("{x:.1},{y:.1} "));
            }
            Line {
                id: s.id,
                label: if s.field.is_empty() {
                    s.filter.clone()
                } else {
                    format!("{} · {}", s.filter, s.field)
                },
                color: COLORS[i % COLORS.len()],
                points,
                count: s.points.len(),
                last: s.points.back().map(|p| p.1),
            }
        })
        .collect();
    Drawing {
        lines,
        y_min: v0,
        y_max: v1,
        t_min: clock(t0, core.utc_offset_minutes),
        t_max: clock(t1, core.utc_offset_minutes),
    }
}

/// The chart panel: add a series (topic filter + field), see it live.
#[component]
pub fn Chart() -> impl IntoView {
    let state = expect_context::<AppState>();
    let log = state.log;
    let filter = RwSignal::new("device/+/details".to_string());
    let field = RwSignal::new("currentTemp".to_string());
    let error = RwSignal::new(None::<String>);
    let drawing = RwSignal::new(Drawing::default());
    let drawn_version = StoredValue::new(u64::MAX);

    let redraw = move || {
        drawn_version.set_value(log.version.get_untracked());
        drawing.set(draw(log));
    };
    let tick = move || {
        if drawn_version.get_value() != log.version.get_untracked() {
            redraw();
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(250)) {
        on_cleanup(move || handle.clear());
    }

    // Lines are keyed by id only and read their points and legend through
    // this lookup, so a redraw updates attributes instead of replacing
    // elements (a replaced <For> row leaves its reactive owner's allocation
    // behind until the panel is unmounted).
    let current = move |id: u32, read: fn(&Line) -> String| {
        drawing.with(|drawing| {
            drawing
                .lines
                .iter()
                .find(|line| line.id == id)
                .map(read)
                .unwrap_or_default()
        })
    };

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let filter_text = filter.get_untracked().trim().to_string();
        if let Err(problem) = crate::topic::validate_topic_filter(&filter_text) {
            error.set(Some(format!("Topic filter: {problem}")));
            return;
        }
        error.set(None);
        if let Some(core) = log.core() {
            let store = core.store.borrow();
            core.charts
                .borrow_mut()
                .add(&filter_text, field.get_untracked().trim(), &store);
        }
        redraw();
    };
    let remove = move |id: u32| {
        if let Some(core) = log.core() {
            core.charts.borrow_mut().remove(id);
        }
        redraw();
    };

    view! {
        <section class="panel chart" aria-labelledby="chart-title">
            <h2 id="chart-title">"Chart"</h2>
            <form class="row" on:submit=add>
                <label class="grow">
                    "Topic filter "
                    <input data-testid="chart-filter" bind:value=filter spellcheck="false"/>
                </label>
                <label class="grow">
                    "Numeric field "
                    <input data-testid="chart-field" bind:value=field spellcheck="false"
                        placeholder="e.g. currentTemp or sensor.values.0"/>
                </label>
                <button type="submit" data-testid="chart-add">"Add series"</button>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get()}</p>
            </Show>
            <svg class="chart-svg" data-testid="chart-svg" viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img" aria-label="Chart of the selected numeric fields">
                <line x1=LEFT y1=8 x2=LEFT y2=HEIGHT - BOTTOM class="axis"/>
                <line x1=LEFT y1=HEIGHT - BOTTOM x2=WIDTH - 8.0 y2=HEIGHT - BOTTOM class="axis"/>
                <text x=LEFT - 4.0 y=14 text-anchor="end" class="tick">{move || format!("{:.4}", drawing.get().y_max)}</text>
                <text x=LEFT - 4.0 y=HEIGHT - BOTTOM text-anchor="end" class="tick">{move || format!("{:.4}", drawing.get().y_min)}</text>
                <text x=LEFT y=HEIGHT - 6.0 class="tick">{move || drawing.get().t_min}</text>
                <text x=WIDTH - 8.0 y=HEIGHT - 6.0 text-anchor="end" class="tick">{move || drawing.get().t_max}</text>
                <For each=move || drawing.get().lines key=|line| line.id let:line>
                    {
                        let id = line.id;
                        view! {
                            <polyline points=move || current(id, |line| line.points.clone()) fill="none"
                                stroke=line.color stroke-width="1.5" data-testid="chart-line"/>
                        }
                    }
                </For>
            </svg>
            <ul class="chart-legend" data-testid="chart-legend">
                <For each=move || drawing.get().lines key=|line| line.id let:line>
                    {
                        let id = line.id;
                        view! {
                            <li data-testid="chart-series">
                                <span class="chart-swatch" style:background=line.color></span>
                                <code>{line.label.clone()}</code>
                                <span class="muted">
                                    {move || current(id, |line| format!(
                                        " {} points, last {}",
                                        line.count,
                                        line.last.map_or("—".to_string(), |v| v.to_string())
                                    ))}
                                </span>
                                <button class="link" on:click=move |_| remove(id)>"Remove"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}
