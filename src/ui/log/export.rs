//! Streamed export: the file is built as Blob parts, a few thousand
//! messages per animation frame (at most ~8 ms of work each), so exporting a
//! million messages keeps the page responsive. The rows are a snapshot of
//! the list (all messages, or the filtered view) taken when export starts.

use super::LogHandle;
use crate::store::export::{ExportFormat, Exporter};
use crate::transport::now_ms;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

/// Rows written between two clock checks.
const ROWS_PER_STEP: usize = 2_000;
/// Work per frame before yielding to the page.
const FRAME_BUDGET_MS: f64 = 8.0;

/// Where an export stands (shown next to the buttons).
#[derive(Debug, Clone, PartialEq)]
pub enum ExportStatus {
    Idle,
    Running { done: usize, total: usize },
    Done { written: usize, file: String },
    Failed(String),
}

/// Starts exporting the rows the list shows now.
pub fn start(log: LogHandle, format: ExportFormat, status: RwSignal<ExportStatus>) {
    let Some(core) = log.core() else {
        return;
    };
    if matches!(status.get_untracked(), ExportStatus::Running { .. }) {
        return;
    }
    let rows = {
        let store = core.store.borrow();
        let mut view = core.view.borrow_mut();
        view.refresh(&store);
        view.seqs(&store)
    };
    let exporter = Rc::new(RefCell::new(Exporter::new(format, rows)));
    let parts = js_sys::Array::new();
    status.set(ExportStatus::Running {
        done: 0,
        total: exporter.borrow().total(),
    });
    step(log, exporter, parts, status);
}

fn step(
    log: LogHandle,
    exporter: Rc<RefCell<Exporter>>,
    parts: js_sys::Array,
    status: RwSignal<ExportStatus>,
) {
    let Some(core) = log.core() else {
        return;
    };
    let started = now_ms();
    {
        let store = core.store.borrow();
        let mut exporter = exporter.borrow_mut();
        while now_ms() - started < FRAME_BUDGET_MS {
            match exporter.next_chunk(&store, ROWS_PER_STEP) {
                Some(chunk) => {
                    parts.push(&JsValue::from_str(&chunk));
                }
                None => break,
            }
        }
    }
    let (finished, done, total, format) = {
        let exporter = exporter.borrow();
        (
            exporter.is_finished(),
            exporter.done(),
            exporter.total(),
            exporter.format(),
        )
    };
    if !finished {
        status.set(ExportStatus::Running { done, total });
        request_animation_frame(move || step(log, exporter, parts, status));
        return;
    }
    let written = exporter.borrow().written();
    match save(&parts, format) {
        Ok(file) => status.set(ExportStatus::Done { written, file }),
        Err(error) => status.set(ExportStatus::Failed(error)),
    }
}

/// Offers the parts as a download.
fn save(parts: &js_sys::Array, format: ExportFormat) -> Result<String, String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(format.mime());
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(parts, &options).map_err(js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_error)?
        .unchecked_into();
    let stamp = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
        .replace([':', '.'], "-");
    let file = format!("mqtt-messages-{stamp}.{}", format.extension());
    anchor.set_href(&url);
    anchor.set_download(&file);
    anchor.click();
    // Revoke later: the download starts asynchronously.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(file)
}

fn js_error(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .unwrap_or_else(|| format!("{error:?}"))
}
