//! Device checks panel: a list of expectations ("within 5 s of publishing
//! X to T1, a message on T2 whose `status` equals `ok` arrives"), run on
//! demand, with pass/fail per check. The checks are kept in localStorage;
//! the same runs are available as `mqttConsole.runChecks`.

use super::automation;
use super::state::{AppState, ConnectionStatus};
use crate::checks::{CheckForm, CheckResult, Outcome, Report, MATCH_KINDS};
use crate::transport::now_ms;
use leptos::prelude::*;

const STORAGE_KEY: &str = "mqtt-console.checks";

/// One row: the form, its last result, and whether it is running now.
#[derive(Clone, Copy)]
struct Row {
    id: u64,
    form: RwSignal<CheckForm>,
    result: RwSignal<Option<CheckResult>>,
    running: RwSignal<bool>,
}

impl Row {
    fn new(id: u64, form: CheckForm) -> Row {
        Row {
            id,
            form: RwSignal::new(form),
            result: RwSignal::new(None),
            running: RwSignal::new(false),
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load() -> Vec<CheckForm> {
    storage()
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn save(forms: &[CheckForm]) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(forms)) {
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

/// Runs `rows` one after the other, showing each result as it comes.
async fn run_rows(rows: Vec<(usize, Row)>, summary: RwSignal<Option<Report>>) {
    for (_, row) in &rows {
        row.result.set(None);
    }
    let started = now_ms();
    let mut results = Vec::new();
    for (index, row) in rows {
        row.running.set(true);
        let form = row.form.get_untracked();
        let result = match form.to_check() {
            Ok(check) => automation::run_check(index, &check).await,
            Err(error) => CheckResult::error(
                if form.name.trim().is_empty() {
                    format!("check {}", index + 1)
                } else {
                    form.name.trim().to_string()
                },
                "",
                error,
            ),
        };
        row.running.set(false);
        row.result.set(Some(result.clone()));
        results.push(result);
    }
    summary.set(Some(Report::new(
        results,
        (now_ms() - started).max(0.0) as u64,
    )));
}

/// The panel.
#[component]
pub fn ChecksPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let next_id = StoredValue::new(0u64);
    let new_id = move || {
        next_id.update_value(|id| *id += 1);
        next_id.get_value()
    };
    let rows = RwSignal::new(
        load()
            .into_iter()
            .map(|form| Row::new(new_id(), form))
            .collect::<Vec<_>>(),
    );
    let summary = RwSignal::new(None::<Report>);
    let busy = RwSignal::new(false);

    Effect::new(move |_| {
        let forms: Vec<CheckForm> =
            rows.with(|rows| rows.iter().map(|row| row.form.get()).collect());
        save(&forms);
    });

    let connected = move || state.status.get() == ConnectionStatus::Connected;
    let run = move |selected: Vec<(usize, Row)>| {
        if busy.get_untracked() || selected.is_empty() {
            return;
        }
        busy.set(true);
        summary.set(None);
        leptos::task::spawn_local(async move {
            run_rows(selected, summary).await;
            busy.set(false);
        });
    };
    let run_all = move |_| run(rows.get_untracked().into_iter().enumerate().collect());
    let add = move |_| {
        let form = CheckForm {
            name: format!("check {}", rows.with_untracked(Vec::len) + 1),
            ..CheckForm::default()
        };
        rows.update(|rows| rows.push(Row::new(new_id(), form)));
    };

    let listed = move || rows.get().into_iter().enumerate().collect::<Vec<_>>();

    view! {
        <section class="panel checks" aria-labelledby="checks-title" data-testid="checks-panel">
            <div class="panel-head">
                <h2 id="checks-title">"Device checks"</h2>
                <span
                    class="checks-summary"
                    data-testid="checks-summary"
                    data-passed=move || summary.with(|s| s.as_ref().map(|r| r.passed.to_string()))
                    role="status"
                    aria-live="polite"
                >
                    {move || {
                        if busy.get() {
                            "running…".to_string()
                        } else {
                            summary.with(|s| s.as_ref().map(|r| r.summary.clone()).unwrap_or_default())
                        }
                    }}
                </span>
            </div>
            <p class="hint">
                "Each check publishes an optional message, then waits for a matching message on a topic (subscribed with QoS 1 if needed). Retained copies do not count."
            </p>
            <p class="hint" data-testid="checks-empty" hidden=move || !rows.with(Vec::is_empty)>
                "No checks yet."
            </p>
            <ol class="check-list" data-testid="check-list">
                <For
                    each=listed
                    key=|(index, row)| (row.id, *index)
                    children=move |(index, row)| {
                        let remove = move |_| rows.update(|rows| rows.retain(|r| r.id != row.id));
                        let run_one = move |_| run(vec![(index, row)]);
                        view! {
                            <CheckRow index row busy connected=Signal::derive(connected) on_run=run_one on_remove=remove/>
                        }
                    }
                />
            </ol>
            <div class="actions">
                <button type="button" data-testid="checks-add" on:click=add>"Add check"</button>
                <button
                    type="button"
                    data-testid="checks-run"
                    on:click=run_all
                    disabled=move || busy.get() || rows.with(Vec::is_empty)
                    title=move || if connected() { "Run every check in order" } else { "Connect first" }
                >
                    "Run all"
                </button>
            </div>
        </section>
    }
}

/// A text input bound to one field of the form.
fn text_field(
    form: RwSignal<CheckForm>,
    testid: &'static str,
    get: fn(&CheckForm) -> &String,
    set: fn(&mut CheckForm) -> &mut String,
) -> impl IntoView {
    view! {
        <input
            data-testid=testid
            spellcheck="false"
            prop:value=move || form.with(|f| get(f).clone())
            on:input=move |ev| {
                let value = event_target_value(&ev);
                form.update(|f| *set(f) = value);
            }
        />
    }
}

#[component]
fn CheckRow(
    index: usize,
    row: Row,
    busy: RwSignal<bool>,
    connected: Signal<bool>,
    on_run: impl Fn(leptos::ev::MouseEvent) + 'static,
    on_remove: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let form = row.form;
    let kind = move || form.with(|f| f.match_kind.clone());
    let status = move || {
        if row.running.get() {
            "running"
        } else {
            match row.result.with(|r| r.as_ref().map(|r| r.outcome)) {
                None => "idle",
                Some(Outcome::Passed) => "passed",
                Some(Outcome::Failed) => "failed",
                Some(Outcome::Error) => "error",
            }
        }
    };
    let value_label = move || match kind().as_str() {
        "contains" => "Text",
        "regex" => "Regex",
        _ => "Value (JSON; empty: the path exists)",
    };
    view! {
        <li class=move || format!("device-check check-{}", status()) data-testid="check" data-index=index data-status=status>
            <div class="row">
                <label class="grow">"Name" {text_field(form, "check-name", |f| &f.name, |f| &mut f.name)}</label>
                <label>
                    "Within (ms)"
                    <input
                        type="number"
                        min="1"
                        data-testid="check-within"
                        prop:value=move || form.with(|f| f.within_ms.clone())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            form.update(|f| f.within_ms = value);
                        }
                    />
                </label>
            </div>
            <fieldset>
                <legend>"Publish (optional)"</legend>
                <div class="row">
                    <label class="grow">"Topic" {text_field(form, "check-publish-topic", |f| &f.publish_topic, |f| &mut f.publish_topic)}</label>
                    <label>
                        "QoS"
                        <select
                            data-testid="check-publish-qos"
                            prop:value=move || form.with(|f| f.publish_qos.clone())
                            on:change=move |ev| {
                                let value = event_target_value(&ev);
                                form.update(|f| f.publish_qos = value);
                            }
                        >
                            <option value="0">"0"</option>
                            <option value="1">"1"</option>
                            <option value="2">"2"</option>
                        </select>
                    </label>
                </div>
                <label>
                    "Payload"
                    <textarea
                        rows="2"
                        spellcheck="false"
                        data-testid="check-publish-payload"
                        prop:value=move || form.with(|f| f.publish_payload.clone())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            form.update(|f| f.publish_payload = value);
                        }
                    ></textarea>
                </label>
            </fieldset>
            <fieldset>
                <legend>"Expect"</legend>
                <div class="row">
                    <label class="grow">"Topic filter" {text_field(form, "check-expect-topic", |f| &f.expect_topic, |f| &mut f.expect_topic)}</label>
                    <label>
                        "Match"
                        <select
                            data-testid="check-expect-kind"
                            prop:value=kind
                            on:change=move |ev| {
                                let value = event_target_value(&ev);
                                form.update(|f| f.match_kind = value);
                            }
                        >
                            {MATCH_KINDS
                                .iter()
                                .map(|(value, label)| view! { <option value=*value>{*label}</option> })
                                .collect_view()}
                        </select>
                    </label>
                </div>
                <div class="row" hidden=move || kind() == "any">
                    <label hidden=move || kind() != "equals">"JSON path" {text_field(form, "check-expect-path", |f| &f.json_path, |f| &mut f.json_path)}</label>
                    <label class="grow">{value_label} {text_field(form, "check-expect-value", |f| &f.value, |f| &mut f.value)}</label>
                </div>
            </fieldset>
            <div class="actions">
                <button
                    type="button"
                    data-testid="check-run"
                    on:click=on_run
                    disabled=move || busy.get()
                    title=move || if connected.get() { "Run this check" } else { "Connect first" }
                >
                    "Run"
                </button>
                <button type="button" class="link" data-testid="check-remove" on:click=on_remove>"Remove"</button>
            </div>
            <p class="check-result" data-testid="check-result" hidden=move || row.result.with(Option::is_none)>
                    <span class="check-outcome" data-testid="check-outcome">
                        {move || row.result.with(|r| r.as_ref().map(|r| match r.outcome {
                            Outcome::Passed => "PASS",
                            Outcome::Failed => "FAIL",
                            Outcome::Error => "ERROR",
                        }))}
                    </span>
                    " "
                    <span class="check-detail" data-testid="check-detail">
                        {move || row.result.with(|r| r.as_ref().map(|r| r.detail.clone()))}
                    </span>
            </p>
        </li>
    }
}
