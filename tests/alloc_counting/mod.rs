//! A global allocator for allocation-budget tests (`codec_alloc`,
//! `store_alloc`): the system allocator, counting the allocations this
//! thread makes (all of them, and the big ones). Counts are per thread
//! because the test harness allocates on its own threads (its progress
//! output, other tests), and those must not count against the code under
//! test. Each test file installs it:
//!
//! ```ignore
//! mod alloc_counting;
//! #[global_allocator]
//! static GLOBAL: alloc_counting::Counting = alloc_counting::Counting;
//! ```

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Allocations of at least this many bytes count as big (store arenas).
pub const BIG: usize = 64 * 1024;

pub struct Counting;

thread_local! {
    // Const-initialised, so reading them never allocates inside the allocator.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static BIG_ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    // `try_with` fails only while the thread is being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    if size >= BIG {
        let _ = BIG_ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations (and reallocations) this thread has made so far.
pub fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// Those of at least [`BIG`] bytes.
pub fn big_allocations() -> usize {
    BIG_ALLOCATIONS.with(Cell::get)
}
