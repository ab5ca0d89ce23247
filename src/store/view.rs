//! What the log shows: the (optionally filtered) messages as a list of rows,
//! frozen while paused, and which rows a scrolled viewport needs. Pure, so
//! the list logic is tested natively; the UI only draws the rows it is told.

use super::filter::{FilteredView, Query};
use super::MessageStore;

/// The rows of the log view (oldest first, the newest at the bottom).
#[derive(Default)]
pub struct LogView {
    filter: Option<FilteredView>,
    /// While paused: messages with `seq >= paused_at` are the backlog.
    paused_at: Option<u64>,
}

impl LogView {
    /// Replaces the filter; the view is rebuilt by the next `refresh`.
    pub fn set_query(&mut self, query: Query) {
        self.filter = if query.is_all() {
            None
        } else {
            Some(FilteredView::new(query))
        };
    }

    /// True if a filter is set.
    pub fn is_filtered(&self) -> bool {
        self.filter.is_some()
    }

    /// Catches up with the store (new messages, dropped ones).
    pub fn refresh(&mut self, store: &MessageStore) {
        if let Some(filter) = &mut self.filter {
            filter.refresh(store);
        }
    }

    /// Like [`LogView::refresh`], examining at most about `budget` messages;
    /// true when the view is complete (see [`FilteredView::refresh_some`]).
    pub fn refresh_some(&mut self, store: &MessageStore, budget: usize) -> bool {
        match &mut self.filter {
            Some(filter) => filter.refresh_some(store, budget),
            None => true,
        }
    }

    /// The share of the store a new filter has examined so far (0..=1).
    pub fn progress(&self, store: &MessageStore) -> f64 {
        self.filter.as_ref().map_or(1.0, |f| f.progress(store))
    }

    /// Freezes the rows; new messages become the backlog.
    pub fn pause(&mut self, store: &MessageStore) {
        if self.paused_at.is_none() {
            self.paused_at = Some(store.next_seq());
        }
    }

    pub fn resume(&mut self) {
        self.paused_at = None;
    }

    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    fn limit(&self, store: &MessageStore) -> u64 {
        self.paused_at.unwrap_or(store.next_seq())
    }

    /// Rows shown.
    pub fn len(&self, store: &MessageStore) -> usize {
        let limit = self.limit(store);
        match &self.filter {
            None => limit.saturating_sub(store.first_seq()) as usize,
            Some(filter) => filter.seqs().partition_point(|&seq| seq < limit),
        }
    }

    pub fn is_empty(&self, store: &MessageStore) -> bool {
        self.len(store) == 0
    }

    /// Messages that match but are held back while paused.
    pub fn backlog(&self, store: &MessageStore) -> usize {
        self.matching(store) - self.len(store)
    }

    /// Messages that match the filter (paused or not).
    pub fn matching(&self, store: &MessageStore) -> usize {
        match &self.filter {
            None => store.len(),
            Some(filter) => filter.len(),
        }
    }

    /// The `seq` shown in row `row` (0 is the oldest).
    pub fn seq_at(&self, store: &MessageStore, row: usize) -> Option<u64> {
        if row >= self.len(store) {
            return None;
        }
        match &self.filter {
            None => Some(store.first_seq() + row as u64),
            Some(filter) => filter.seqs().get(row).copied(),
        }
    }

    /// The row showing `seq`, if shown.
    pub fn row_of(&self, store: &MessageStore, seq: u64) -> Option<usize> {
        if seq < store.first_seq() || seq >= self.limit(store) {
            return None;
        }
        match &self.filter {
            None => Some((seq - store.first_seq()) as usize),
            Some(filter) => filter.seqs().binary_search(&seq).ok(),
        }
    }

    /// The seqs of the rows shown, oldest first (for export).
    pub fn seqs(&self, store: &MessageStore) -> Rows {
        let len = self.len(store);
        match &self.filter {
            None => Rows::Range {
                from: store.first_seq(),
                to: store.first_seq() + len as u64,
            },
            Some(filter) => Rows::List(filter.seqs()[..len].to_vec()),
        }
    }
}

/// A snapshot of which messages a view shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Range { from: u64, to: u64 },
    List(Vec<u64>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::Range { from, to } => (to - from) as usize,
            Rows::List(seqs) => seqs.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, index: usize) -> Option<u64> {
        match self {
            Rows::Range { from, to } => Some(from + index as u64).filter(|seq| seq < to),
            Rows::List(seqs) => seqs.get(index).copied(),
        }
    }
}

/// Browsers cap an element's height (about 33.5 million px in Chromium); a
/// longer list is drawn on a spacer of at most this height and scrolled
/// proportionally.
pub const MAX_SPACER_PX: f64 = 8_000_000.0;

/// Which rows a viewport shows and where to draw them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Height of the scrollable spacer.
    pub spacer_px: f64,
    /// First row to draw.
    pub first: usize,
    /// Rows to draw (enough to fill the viewport).
    pub count: usize,
    /// Offset of the first drawn row from the top of the spacer.
    pub top_px: f64,
}

/// The rows visible in a viewport of `viewport_px` scrolled to `scroll_top`
/// over `rows` rows of `row_px` each.
pub fn window(rows: usize, row_px: f64, scroll_top: f64, viewport_px: f64) -> Window {
    let full_px = rows as f64 * row_px;
    let visible = ((viewport_px / row_px).ceil() as usize + 1).min(rows);
    if full_px <= MAX_SPACER_PX {
        let first = ((scroll_top.max(0.0) / row_px) as usize).min(rows.saturating_sub(visible));
        return Window {
            spacer_px: full_px,
            first,
            count: visible.min(rows - first),
            top_px: first as f64 * row_px,
        };
    }
    // Scaled: the scroll fraction picks the fractional first row.
    let spacer_px = MAX_SPACER_PX;
    let scroll_range = (spacer_px - viewport_px).max(1.0);
    let fraction = (scroll_top / scroll_range).clamp(0.0, 1.0);
    let first_exact = fraction * (rows as f64 - viewport_px / row_px).max(0.0);
    let first = (first_exact as usize).min(rows.saturating_sub(visible));
    let top_px = scroll_top.clamp(0.0, scroll_range) - (first_exact - first as f64) * row_px;
    Window {
        spacer_px,
        first,
        count: visible.min(rows - first),
        top_px,
    }
}

/// The scroll position that shows `row` at the top of the viewport.
pub fn scroll_top_for_row(rows: usize, row_px: f64, viewport_px: f64, row: usize) -> f64 {
    let full_px = rows as f64 * row_px;
    if full_px <= MAX_SPACER_PX {
        return row as f64 * row_px;
    }
    let scrollable_rows = (rows as f64 - viewport_px / row_px).max(1.0);
    (row as f64 / scrollable_rows).min(1.0) * (MAX_SPACER_PX - viewport_px)
}
