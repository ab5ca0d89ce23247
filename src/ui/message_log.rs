//! Message log panel: toolbar (counters, pause/resume, clear, payload view,
//! export), filters (subscription, topic filter, payload text or regex),
//! per-subscription counters and rates, the virtualized list and the
//! details pane. Payloads are text nodes, never HTML.

use super::log::details::DetailsPane;
use super::log::export::{self, ExportStatus};
use super::log::list::VirtualList;
use super::state::{AppState, SubscriptionStatus};
use crate::store::export::ExportFormat;
use crate::store::format::PayloadView;
use leptos::prelude::*;
use std::time::Duration;

/// Counters shown in the toolbar, recomputed once per frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Counts {
    stored: usize,
    dropped: u64,
    truncated: u64,
    shown: usize,
    backlog: usize,
    filtered: bool,
}

/// One subscription's counter and rate.
#[derive(Debug, Clone, PartialEq)]
struct SubscriptionStat {
    filter: String,
    count: u64,
    rate: f64,
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The message log panel.
#[component]
pub fn MessageLog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let log = state.log;
    super::log::bench::install(log);

    // Subscriptions the broker has (or may) grant are counted.
    Effect::new(move |_| {
        let filters: Vec<String> = state.subscriptions.with(|rows| {
            rows.iter()
                .filter(|row| {
                    matches!(
                        row.status,
                        SubscriptionStatus::Pending | SubscriptionStatus::Granted(_)
                    )
                })
                .map(|row| row.filter.clone())
                .collect()
        });
        if let Some(core) = log.core() {
            core.store
                .borrow_mut()
                .topics_mut()
                .set_subscriptions(&filters);
        }
        let selected = log.subscription_filter.get_untracked();
        if !selected.is_empty() && !filters.contains(&selected) {
            log.subscription_filter.set(String::new());
        }
        log.changed();
    });

    // Filters apply as you type.
    Effect::new(move |_| match log.query() {
        Ok(query) => {
            log.filter_error.set(None);
            log.apply_query(query);
        }
        Err(message) => log.filter_error.set(Some(message)),
    });

    Effect::new(move |_| {
        let paused = log.paused.get();
        if let Some(core) = log.core() {
            let mut view = core.view.borrow_mut();
            if paused {
                view.pause(&core.store.borrow());
            } else {
                view.resume();
            }
        }
        log.changed();
    });

    let counts = Memo::new(move |_| {
        log.version.track();
        let Some(core) = log.core() else {
            return Counts::default();
        };
        // The list refreshes the view each frame; counts read it.
        let store = core.store.borrow();
        let view = core.view.borrow();
        Counts {
            stored: store.len(),
            dropped: store.dropped(),
            truncated: store.truncated_count(),
            shown: view.len(&store),
            backlog: view.backlog(&store),
            filtered: view.is_filtered(),
        }
    });

    // Per-subscription counters, with a rate over the last second.
    let sub_stats = RwSignal::new(Vec::<SubscriptionStat>::new());
    let previous = StoredValue::new((0.0f64, Vec::<(String, u64)>::new()));
    let sample = move || {
        let now = js_sys::Date::now();
        let Some(current) = log.with_store(|store| {
            store
                .topics()
                .subscriptions()
                .iter()
                .map(|s| (s.filter.clone(), s.count))
                .collect::<Vec<_>>()
        }) else {
            return;
        };
        let (then, before) = previous.get_value();
        let seconds = ((now - then) / 1000.0).max(0.001);
        let stats = current
            .iter()
            .map(|(filter, count)| {
                let old = before
                    .iter()
                    .find(|(f, _)| f == filter)
                    .map_or(*count, |(_, c)| *c);
                SubscriptionStat {
                    filter: filter.clone(),
                    count: *count,
                    rate: count.saturating_sub(old) as f64 / seconds,
                }
            })
            .collect();
        previous.set_value((now, current));
        sub_stats.set(stats);
    };
    if let Ok(handle) = set_interval_with_handle(sample, Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
    // Counts (not rates) also follow the frames.
    Effect::new(move |_| {
        counts.track();
        let Some(current) = log.with_store(|store| store.topics().subscriptions().to_vec()) else {
            return;
        };
        sub_stats.update(|stats| {
            let rates: Vec<(String, f64)> =
                stats.iter().map(|s| (s.filter.clone(), s.rate)).collect();
            *stats = current
                .into_iter()
                .map(|s| SubscriptionStat {
                    rate: rates
                        .iter()
                        .find(|(f, _)| *f == s.filter)
                        .map_or(0.0, |(_, r)| *r),
                    filter: s.filter,
                    count: s.count,
                })
                .collect();
        });
    });

    // The message cap, as chosen here or by `?logCap=N`.
    let cap_shown = RwSignal::new(log.max_messages());

    let export_status = RwSignal::new(ExportStatus::Idle);
    let export = move |format| export::start(log, format, export_status);

    view! {
        <section class="panel log" aria-labelledby="log-title">
            <div class="panel-head log-head">
                <h2 id="log-title">"Messages"</h2>
                <span class="count" data-testid="message-count" title="Messages in the log">
                    {move || thousands(counts.get().stored as u64)}
                </span>
                <Show when=move || counts.get().filtered>
                    <span class="count shown" data-testid="shown-count">
                        {move || format!("{} shown", thousands(counts.get().shown as u64))}
                    </span>
                </Show>
                <Show when=move || { counts.get().dropped > 0 }>
                    <span class="dropped" data-testid="dropped-count"
                        title="The oldest messages were dropped to stay within the log's limits">
                        {move || format!("{} older dropped", thousands(counts.get().dropped))}
                    </span>
                </Show>
                <Show when=move || { counts.get().truncated > 0 }>
                    <span class="dropped" data-testid="truncated-count">
                        {move || format!("{} truncated", thousands(counts.get().truncated))}
                    </span>
                </Show>
                <span class="grow"></span>
                <Show when=move || log.paused.get()>
                    <span class="backlog" data-testid="backlog-count">
                        {move || format!("{} waiting", thousands(counts.get().backlog as u64))}
                    </span>
                </Show>
                <button data-testid="pause" aria-pressed=move || log.paused.get().to_string()
                    on:click=move |_| log.paused.update(|p| *p = !*p)>
                    {move || if log.paused.get() { "Resume" } else { "Pause" }}
                </button>
                <label class="log-cap" title="The oldest messages are dropped beyond this (also ?logCap=N in the URL)">
                    "Keep "
                    <select data-testid="log-cap"
                        on:change=move |ev| {
                            if let Ok(cap) = event_target_value(&ev).parse::<usize>() {
                                log.set_max_messages(cap);
                                cap_shown.set(cap);
                            }
                        }
                        prop:value=move || cap_shown.get().to_string()>
                        {move || cap_choices(cap_shown.get()).into_iter().map(|cap| {
                            view! { <option value=cap.to_string()>{thousands(cap as u64)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button class="link" data-testid="clear-log" on:click=move |_| log.clear()>"Clear"</button>
            </div>
            <div class="row log-filters">
                <label>
                    "Subscription "
                    <select data-testid="filter-subscription"
                        on:change=move |ev| log.subscription_filter.set(event_target_value(&ev))
                        prop:value=move || log.subscription_filter.get()>
                        <option value="">"All"</option>
                        {move || sub_stats.get().into_iter().map(|s| {
                            let value = s.filter.clone();
                            view! { <option value=value>{s.filter}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="grow">
                    "Topic filter "
                    <input data-testid="filter-topic" placeholder="e.g. device/+/details or #"
                        spellcheck="false" bind:value=log.topic_filter/>
                </label>
                <label class="grow">
                    "Payload "
                    <input data-testid="filter-text" placeholder=move || if log.regex.get() { "regular expression" } else { "text" }
                        spellcheck="false" bind:value=log.text_filter/>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="filter-regex" bind:checked=log.regex/>
                    "Regex"
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="filter-case" bind:checked=log.ignore_case/>
                    "Ignore case"
                </label>
            </div>
            <Show when=move || log.filter_error.get().is_some()>
                <p class="error" role="alert" data-testid="filter-error">{move || log.filter_error.get()}</p>
            </Show>
            <div class="row log-tools">
                <label>
                    "Payload view "
                    <select data-testid="payload-view"
                        on:change=move |ev| {
                            if let Some(view) = PayloadView::from_key(&event_target_value(&ev)) {
                                log.payload_view.set(view);
                            }
                        }
                        prop:value=move || log.payload_view.get().key()>
                        {PayloadView::ALL.into_iter().map(|v| view! {
                            <option value=v.key()>{v.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <span class="muted" data-testid="filter-time">
                    {move || match (counts.get().filtered, log.filter_progress.get(), log.filter_ms.get()) {
                        (true, Some(progress), _) => format!("filtering… {:.0}%", progress * 100.0),
                        (true, None, Some(ms)) => format!("filtered in {ms:.0} ms"),
                        _ => String::new(),
                    }}
                </span>
                <span class="grow"></span>
                <span class="muted">"Export "
                    {move || if counts.get().filtered { "shown" } else { "all" }}</span>
                <button data-testid="export-ndjson" on:click=move |_| export(ExportFormat::Ndjson)>"NDJSON"</button>
                <button data-testid="export-csv" on:click=move |_| export(ExportFormat::Csv)>"CSV"</button>
                <span class="muted" data-testid="export-status">
                    {move || match export_status.get() {
                        ExportStatus::Idle => String::new(),
                        ExportStatus::Running { done, total } => format!("exporting {done} / {total}…"),
                        ExportStatus::Done { written, file } => format!("saved {written} messages to {file}"),
                        ExportStatus::Failed(error) => format!("export failed: {error}"),
                    }}
                </span>
            </div>
            <ul class="sub-stats" data-testid="subscription-stats">
                <For each=move || sub_stats.get() key=|s| s.filter.clone() let:s>
                    {
                        let filter = s.filter.clone();
                        let current = s.filter.clone();
                        let count_key = s.filter.clone();
                        let rate_key = s.filter.clone();
                        view! {
                            <li class="sub-stat" data-testid="subscription-stat" data-filter=s.filter.clone()>
                                <button class="link" title="Show only this subscription's messages"
                                    class:active=move || log.subscription_filter.get() == current
                                    on:click=move |_| log.subscription_filter.set(filter.clone())>
                                    <code>{s.filter.clone()}</code>
                                </button>
                                <span class="sub-count" data-testid="subscription-count">
                                    {move || sub_stats.with(|all| all.iter().find(|x| x.filter == count_key).map(|x| thousands(x.count)).unwrap_or_default())}
                                </span>
                                <span class="sub-rate">
                                    {
                                        move || sub_stats.with(|all| all.iter().find(|x| x.filter == rate_key).map(|x| format!("{:.0}/s", x.rate)).unwrap_or_default())
                                    }
                                </span>
                            </li>
                        }
                    }
                </For>
            </ul>
            <div class="log-body">
                <VirtualList/>
                <DetailsPane/>
            </div>
        </section>
    }
}

/// Message caps offered in the toolbar, plus the current one if it is not
/// among them (set by `?logCap=N`).
fn cap_choices(current: usize) -> Vec<usize> {
    let mut caps = vec![1_000, 10_000, 100_000, 1_000_000, 5_000_000];
    if !caps.contains(&current) {
        caps.push(current);
        caps.sort_unstable();
    }
    caps
}
